"""The training path: the stepper's numbers (to rounding) with no records and no terms."""

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings

from app.core import stepper, terms
from app.core.epochs import bptt, train
from app.core.model import Scenario
from app.core.optimizers import make_optimizer
from app.core.presets import get_preset
from app.core.stepper import start, step, update
from app.core.training import epoch
from tests.core.strategies import scenarios


@settings(max_examples=80, deadline=None)
@given(scenarios(max_T=6))
def test_an_epoch_on_the_training_path_equals_the_stepper_for_every_cell(scenario):
    stepped = bptt(scenario)
    fast = epoch(scenario)
    assert fast.finite
    assert fast.loss == pytest.approx(stepped.loss, rel=1e-12)
    grads = stepped.backward[-1].grads
    assert list(fast.grads) == list(grads)
    for name, grad in grads.items():
        np.testing.assert_allclose(fast.grads[name], grad, rtol=1e-12, atol=1e-14)


def _with_adam(preset_id: str) -> Scenario:
    scenario = get_preset(preset_id).scenario
    adam = make_optimizer({"name": "adam"})
    config = replace(scenario.config, optimizer=adam, learning_rate=0.05)
    return Scenario(config, scenario.params, scenario.inputs, scenario.targets)


@pytest.mark.parametrize("preset_id", ["hello", "lstm-remembers", "gru-update-gate"])
def test_training_equals_stepping_update_by_update(preset_id):
    scenario = _with_adam(preset_id)
    trained, losses, first = train(start(scenario), 5)
    run, stepped_losses = start(scenario), []
    for _ in range(5):
        while run.phase != "update":
            run, _ = step(run)
        run, record = update(run)
        stepped_losses.append(record.loss_before)
    assert first is None
    np.testing.assert_allclose(losses, stepped_losses, rtol=1e-12)
    np.testing.assert_allclose(trained.last_update.loss_after, record.loss_after, rtol=1e-12)
    for name, value in run.scenario.params.trained().items():
        np.testing.assert_allclose(trained.scenario.params[name], value, rtol=1e-12)
    assert trained.optimizer_state.n == 5 and trained.last_update.update_number == 5


def test_training_runs_no_term_code_and_no_stepper_step(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("training built a record or a term")

    monkeypatch.setattr(terms, "summarize", refuse)
    monkeypatch.setattr(stepper, "summarize", refuse)
    monkeypatch.setattr(stepper, "backward_step", refuse)
    monkeypatch.setattr(stepper, "forward_step", refuse)
    run, losses, _ = train(start(get_preset("sine-next-value").scenario), 30)
    assert len(losses) == 30 and losses[-1] < 0.5 * losses[0]
    assert (run.epoch, run.forward, run.backward) == (31, (), ())

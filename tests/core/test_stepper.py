"""The stepper: stepping equals the whole pass; steps come in order; truncation; updates."""

from dataclasses import replace
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings

from app.core.epochs import bptt, reset, train
from app.core.model import Scenario
from app.core.presets import get_preset
from app.core.stepper import StepOrderError, backward_step, forward_step, start, step, update
from tests.core.reference import reference_bptt
from tests.core.reference_cells import reference_bptt as reference_cells_bptt
from tests.core.strategies import scenarios


def _with(scenario: Scenario, **changes) -> Scenario:
    config = replace(scenario.config, **changes)
    return Scenario(config, scenario.params, scenario.inputs, scenario.targets)


@settings(max_examples=60, deadline=None)
@given(scenarios(max_T=6))
def test_stepping_one_step_at_a_time_gives_the_whole_pass_to_the_last_bit(scenario):
    whole = bptt(scenario)
    run = start(scenario)
    for _ in range(scenario.T):
        run, _ = forward_step(run)
    for _ in range(scenario.T):
        run, _ = backward_step(run)
    assert run.loss == whole.loss
    for name, grad in whole.backward[-1].grads.items():
        np.testing.assert_array_equal(run.backward[-1].grads[name], grad)


@settings(max_examples=60, deadline=None)
@given(scenarios(max_T=6, cells=("elman",)))
def test_untruncated_pass_equals_an_independent_textbook_bptt(scenario):
    scenario = _with(scenario, truncation=None)
    loss, grads = reference_bptt(scenario)
    run = bptt(scenario)
    assert run.loss == pytest.approx(loss, rel=1e-12)
    for name, grad in grads.items():
        np.testing.assert_allclose(run.backward[-1].grads[name], grad, rtol=1e-10, atol=1e-14)


@settings(max_examples=40, deadline=None)
@given(scenarios(max_T=6))
def test_truncation_at_or_beyond_T_equals_no_truncation(scenario):
    full = bptt(_with(scenario, truncation=None)).backward[-1].grads
    for tau in (scenario.T, scenario.T + 3):
        truncated = bptt(_with(scenario, truncation=tau)).backward[-1].grads
        for name, grad in full.items():
            np.testing.assert_allclose(truncated[name], grad, rtol=1e-12, atol=1e-15)


def test_truncation_window_one_keeps_only_each_losss_own_step():
    scenario = _with(get_preset("sine-next-value").scenario, truncation=1)
    run = bptt(scenario)
    for record in run.backward:
        assert [(k, s.t) for s in record.terms if s.param == "W_h" for k in s.ks] == [
            (record.t, record.t)
        ]


def test_steps_out_of_order_say_what_to_do_next():
    run = start(get_preset("seed-3-step").scenario)
    run, _ = forward_step(run)
    run, _ = forward_step(run)
    with pytest.raises(StepOrderError, match="the forward pass is at t=2 of 3: step forward first"):
        backward_step(run)
    with pytest.raises(StepOrderError, match="step forward first"):
        update(run)
    run, _ = forward_step(run)
    with pytest.raises(StepOrderError, match="the backward pass has not started"):
        forward_step(run)
    run, _ = backward_step(run)
    with pytest.raises(
        StepOrderError, match=r"the backward pass is at t=3 of 3 \(it counts down to t=1\)"
    ):
        update(run)


def test_status_says_where_we_are_and_what_comes_next():
    run = start(get_preset("seed-3-step").scenario)
    assert run.status() == "forward, not started (3 steps), epoch 1: step forward to t = 1 next"
    for _ in range(3):
        run, _ = step(run)
    # no "backward, not started" beside a finished forward pass: said as it is
    assert run.status() == "forward pass complete (3 steps), epoch 1: step backward to t = 3 next"
    run, _ = step(run)
    assert run.status() == "backward, t = 3 of 3, epoch 1: step backward to t = 2 next"
    run, _ = step(run)
    run, _ = step(run)
    assert run.status() == "backward pass complete, epoch 1: update the weights next"
    run, _ = step(run)
    assert (run.epoch, run.phase, run.next_t) == (2, "forward", 1)


def test_update_applies_clipped_gradient_and_reports_the_raw_one():
    scenario = _with(get_preset("exploding").scenario, clip_norm=1.0)
    run = bptt(scenario)
    _, record = update(run)
    assert record.clipped and record.grad_norm > 1.0
    applied_norm = np.sqrt(sum(np.sum(g**2) for g in record.grads_applied.values()))
    assert applied_norm == pytest.approx(1.0)
    for name, old in record.params_old.items():
        np.testing.assert_allclose(
            record.params_new[name],
            old - scenario.config.learning_rate * record.grads_applied[name],
        )
        np.testing.assert_array_equal(record.grads[name], run.backward[-1].grads[name])


def test_several_sgd_epochs_lower_the_loss_on_the_sine_preset():
    run = start(get_preset("sine-next-value").scenario)
    run, losses, _ = train(run, 20)
    assert losses[-1] < 0.5 * losses[0]
    assert all(b < a for a, b in pairwise(losses))
    assert run.loss_history == tuple(losses)


def test_update_reports_the_loss_after_with_the_new_weights():
    run = bptt(get_preset("saw-a-one").scenario)
    next_run, record = update(run)
    assert record.loss_after == bptt(next_run.scenario).loss
    assert record.loss_after < record.loss_before


def test_overflow_is_reported_at_the_step_that_first_produced_it():
    scenario = get_preset("exploding").scenario
    run, _, _ = train(start(scenario), 1)
    for _ in range(scenario.T):
        run, record = forward_step(run)
        if record.diverged:
            break
    assert record.diverged is not None
    assert record.diverged.phase == "forward"
    assert record.diverged.quantity in {f"{q}_{record.t}" for q in ("a", "h", "z", "loss")}
    assert record.diverged.sentence().startswith(f"At the forward step t = {record.t}, ")
    assert run.diverged == record.diverged


def test_training_stops_once_the_weights_are_not_finite_and_steps_are_refused():
    scenario = get_preset("exploding").scenario
    run, losses, (epoch, diverged) = train(start(scenario), 5)
    assert len(losses) == 2 and not np.isfinite(losses[-1])  # epoch 2's update made NaNs
    assert (run.epoch, run.phase) == (3, "forward")
    # epoch 1's new weights are finite, but the loss they give already overflows
    assert (epoch, diverged.phase, diverged.quantity) == (
        1,
        "update",
        "the loss with the new weights",
    )
    with pytest.raises(StepOrderError, match="the weights are no longer finite numbers"):
        forward_step(run)
    assert forward_step(start(scenario))[1].t == 1  # starting over works


def test_reset_goes_back_to_the_start_of_the_epoch_keeping_its_history():
    run, _, _ = train(start(get_preset("saw-a-one").scenario), 2)
    for _ in range(4):
        run, _ = step(run)
    again = reset(run)
    assert (again.epoch, again.phase, again.forward, again.backward) == (3, "forward", (), ())
    assert again.loss_history == run.loss_history and again.scenario is run.scenario


def _adam(scenario: Scenario) -> Scenario:
    from app.core.optimizers import make_optimizer

    return _with(scenario, optimizer=make_optimizer({"name": "adam", "beta1": 0.8}))


def _finish(run):
    while run.phase != "update":
        run, _ = step(run)
    return run


def test_the_optimiser_state_is_carried_from_update_to_update_and_through_train():
    scenario = _adam(get_preset("saw-a-one").scenario)
    trained, _, _ = train(start(scenario), 3)
    stepped, gradients = start(scenario), []
    for _ in range(3):
        stepped = _finish(stepped)
        gradients.append(stepped.backward[-1].grads)
        stepped, record = update(stepped)
    assert record.update_number == 3 and trained.optimizer_state.n == 3
    for name, value in trained.scenario.params.trained().items():  # the training path
        np.testing.assert_allclose(stepped.scenario.params[name], value, rtol=1e-12)
    assert record.optimizer == "adam" and record.hyper["beta1"] == 0.8
    quantities = {q.name: q.values for q in record.quantities}
    assert {"g", "m", "v", "m_hat", "v_hat"} <= set(quantities)
    for name in quantities["m"]:  # m after three updates, by hand, and its bias correction
        m = 0.0
        for grads in gradients:
            m = 0.8 * m + 0.2 * grads[name]
        np.testing.assert_allclose(quantities["m"][name], m, rtol=1e-12)
        np.testing.assert_allclose(quantities["m_hat"][name], m / (1 - 0.8**3), rtol=1e-12)


def test_reset_to_the_epoch_start_restores_the_optimiser_state_the_epoch_began_with():
    at_start, _, _ = train(start(_adam(get_preset("saw-a-one").scenario)), 2)
    run = at_start
    for _ in range(run.T + 2):
        run, _ = step(run)
    again = reset(run)
    assert again.optimizer_state is at_start.optimizer_state
    after_reset, _ = update(_finish(again))
    after_plain, _ = update(_finish(at_start))
    for name, value in after_plain.scenario.params.trained().items():
        np.testing.assert_array_equal(after_reset.scenario.params[name], value)


def test_sgd_update_record_names_its_rule_and_its_quantity():
    _, record = update(bptt(get_preset("seed-3-step").scenario))
    assert (record.optimizer, record.hyper, record.update_number) == ("sgd", {}, 1)
    assert record.formula == (r"\theta \leftarrow \theta - \eta\, g",)
    g, delta = record.quantities
    assert (g.name, delta.name) == ("g", "delta")
    for name, value in g.values.items():
        np.testing.assert_array_equal(value, record.grads_applied[name])
        np.testing.assert_array_equal(
            delta.values[name], record.params_new[name] - record.params_old[name]
        )


@settings(max_examples=80, deadline=None)
@given(scenarios(max_T=6))
def test_every_cell_equals_an_independent_implementation_from_the_equations(scenario):
    """GRU and LSTM (and Elman) against tests/core/reference_cells.py, written apart."""
    scenario = _with(scenario, truncation=None)
    config = scenario.config
    loss, grads, steps = reference_cells_bptt(
        config.cell,
        scenario.params.as_dict(),
        scenario.inputs,
        scenario.targets,
        config.output,
        config.mode,
        config.activation,
    )
    run = bptt(scenario)
    assert run.loss == pytest.approx(loss, rel=1e-12)
    assert set(grads) == set(run.backward[-1].grads)
    for name, grad in grads.items():
        np.testing.assert_allclose(run.backward[-1].grads[name], grad, rtol=1e-10, atol=1e-13)
    for record, expected in zip(run.forward, steps, strict=True):
        np.testing.assert_allclose(record.h, expected["h"], rtol=1e-12, atol=1e-15)
        if config.cell == "lstm":
            np.testing.assert_allclose(record.cache.state[1], expected["c"], rtol=1e-12, atol=1e-15)
        gates = {"gru": ("z", "r", "n"), "lstm": ("i", "f", "o", "g")}.get(config.cell, ())
        for gate in gates:
            np.testing.assert_allclose(
                record.cache.values[gate], expected[gate], rtol=1e-12, atol=1e-15
            )

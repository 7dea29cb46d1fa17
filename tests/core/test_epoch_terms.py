"""The epoch's terms ahead of the backward steps: the numbers the steps will give, in order."""

from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings

from app.core.epochs import bptt
from app.core.presets import get_preset
from app.core.run import StepOrderError, start
from app.core.stepper import backward_step, forward_step
from app.core.trace import epoch_terms, term_detail
from tests.core.strategies import scenarios


def _forward(run):
    while run.phase == "forward":
        run, _ = forward_step(run)
    return run


@settings(max_examples=40, deadline=None)
@given(scenarios(max_T=5))
def test_each_term_ahead_is_the_term_its_step_gives_to_the_bit(scenario):
    run = _forward(start(scenario))
    names = scenario.config.param_names
    ahead = epoch_terms(run, names)
    assert run.backward == ()  # the run asked about is unchanged
    stepped = bptt(scenario)
    for name in names:
        for term in ahead[name]:
            shown = term_detail(stepped, name, term.k, term.t)
            assert (shown.dropped, shown.k, shown.t) == (term.dropped, term.k, term.t)
            assert np.array_equal(shown.value, term.value)
            assert np.array_equal(shown.running, term.running)


@settings(max_examples=40, deadline=None)
@given(scenarios(max_T=5))
def test_each_terms_before_is_the_so_far_of_the_one_walked_before_it(scenario):
    run = _forward(start(scenario))
    ahead = epoch_terms(run, scenario.config.param_names)
    grads = bptt(scenario).backward[-1].grads
    for name, terms in ahead.items():
        assert [term.t for term in terms] == sorted((term.t for term in terms), reverse=True)
        for earlier, later in pairwise(terms):
            np.testing.assert_allclose(later.previous, earlier.running, rtol=1e-9, atol=1e-12)
        if terms:
            np.testing.assert_allclose(terms[-1].running, grads[name], rtol=1e-9, atol=1e-12)


def test_midway_through_the_backward_pass_the_terms_are_the_same():
    run = _forward(start(get_preset("seed-3-step").scenario))
    whole = epoch_terms(run, ("W_x", "W_h"))
    run, _ = backward_step(run)
    later = epoch_terms(run, ("W_x", "W_h"))
    assert [(term.k, term.t) for term in whole["W_x"]] == [(3, 3), (3, 2), (3, 1)]
    for name in ("W_x", "W_h"):
        assert [t.running.tolist() for t in whole[name]] == [
            t.running.tolist() for t in later[name]
        ]
    assert len(run.backward) == 1


def test_before_the_forward_pass_is_complete_it_says_to_step_forward():
    run, _ = forward_step(start(get_preset("seed-3-step").scenario))
    with pytest.raises(StepOrderError, match="forward pass is at t=1 of 3"):
        epoch_terms(run, ("W_x",))

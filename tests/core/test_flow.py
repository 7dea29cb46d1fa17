"""Gradient flow: |dL/dh_t| against central differences in h_t; the heat map's cells against
the terms' own values."""

import numpy as np
import pytest

from app.core.epochs import bptt
from app.core.flow import gradient_flow
from app.core.functions import loss
from app.core.presets import get_preset
from app.core.stepper import backward_step, whole_forward
from app.core.trace import term_detail


def loss_from_state(scenario, t, h_t):
    """sum over loss steps k >= t of l_k, with h_t given: the Elman forward from t on."""
    p, total, h = scenario.params, 0.0, h_t
    for step in range(t, scenario.T + 1):
        if step > t:
            h = np.tanh(p.W_x @ scenario.inputs[step - 1] + p.W_h @ h + p.b)
        if step in scenario.targets_by_step:
            z = p.W_y @ h + (0 if p.b_y is None else p.b_y)
            total += loss(scenario.config.output, z, scenario.targets_by_step[step])
    return total


def numeric_dL_dh(scenario, run, t, eps=1e-6):
    h_t = run.forward[t - 1].h
    grad = np.zeros_like(h_t)
    for i in range(h_t.size):
        bump = np.eye(h_t.size)[i] * eps
        up, down = (
            loss_from_state(scenario, t, h_t + bump),
            loss_from_state(scenario, t, h_t - bump),
        )
        grad[i] = (up - down) / (2 * eps)
    return grad


@pytest.mark.parametrize("name", ["seed-3-step", "sine-next-value", "vanishing"])
def test_state_gradient_norms_match_central_differences_in_h_t(name):
    scenario = get_preset(name).scenario
    run = bptt(scenario)
    flow = gradient_flow(run, "W_h")
    assert flow.complete
    for t in range(1, scenario.T + 1):
        expected = np.linalg.norm(numeric_dL_dh(scenario, run, t))
        assert flow.state_grad_norms[t - 1] == pytest.approx(
            expected, rel=1e-6, abs=1e-9
        )  # rounding in L: ~1e-16 / eps


def test_many_to_one_is_a_strip_of_the_term_sizes_at_k_equal_T():
    scenario = get_preset("vanishing").scenario
    run = bptt(scenario)
    flow = gradient_flow(run, "b")
    assert flow.ks == (scenario.T,)
    assert flow.sizes.shape == (1, scenario.T)
    for t in range(1, scenario.T + 1):
        value = term_detail(run, "b", scenario.T, t).value
        assert flow.sizes[0, t - 1] == pytest.approx(np.linalg.norm(value), rel=1e-9, abs=1e-300)
    # the distant terms fade: b's term reaching t = 2 is a millionth of the one at t = T
    assert flow.sizes[0, 1] < 1e-5 * flow.sizes[0, -1]


def test_many_to_many_has_a_row_per_loss_step_and_no_term_above_the_diagonal():
    scenario = get_preset("sine-next-value").scenario
    run = bptt(scenario)
    flow = gradient_flow(run, "W_x")
    T = scenario.T
    assert flow.sizes.shape == (T, T) and flow.ks == tuple(range(1, T + 1))
    for k in range(1, T + 1):
        for t in range(1, T + 1):
            if t > k:
                assert np.isnan(flow.sizes[k - 1, t - 1])
            else:
                value = term_detail(run, "W_x", k, t).value
                assert flow.sizes[k - 1, t - 1] == pytest.approx(np.linalg.norm(value), rel=1e-9)
    low, high = flow.size_range
    finite = flow.sizes[np.isfinite(flow.sizes) & (flow.sizes > 0)]
    assert low == finite.min() and high == finite.max()


def test_the_flow_grows_with_the_backward_steps_taken():
    scenario = get_preset("vanishing").scenario
    run = whole_forward(scenario)
    assert np.isnan(gradient_flow(run, "W_h").state_grad_norms).all()
    assert gradient_flow(run, "W_h").size_range is None
    for _ in range(3):
        run, _ = backward_step(run)
    flow = gradient_flow(run, "W_h")
    T = scenario.T
    assert not flow.complete
    assert np.isfinite(flow.state_grad_norms[T - 3 :]).all()
    assert np.isnan(flow.state_grad_norms[: T - 3]).all()
    assert np.isfinite(flow.sizes[0, T - 3 :]).all() and np.isnan(flow.sizes[0, : T - 3]).all()

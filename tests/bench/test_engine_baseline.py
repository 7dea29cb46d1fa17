"""The benchmark's baselines compute the right gradients, so no ratio can flatter the core.

Elman (and GRU and LSTM once the core has them) against the core itself; every cell also
against central differences of the baseline's own loss, which leans on nothing else.
"""

import numpy as np
import pytest

from bench.baselines import GRU_GATES, LSTM_GATES, baseline_epoch
from bench.cases import Case, Result, Timing, relative_error
from bench.core_adapter import (
    LEARNING_RATE,
    core_step,
    core_train,
    known_cells,
    make_scenario,
    param_arrays,
)
from bench.report import table

MODES = ("many_to_one", "many_to_many")


def _baseline(scenario, mode):
    params = param_arrays(scenario)
    return baseline_epoch(
        _cell(scenario), params, scenario.inputs, scenario.targets, LEARNING_RATE, mode
    )


def _cell(scenario) -> str:
    return getattr(scenario.config, "cell", "elman")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("cell", known_cells())
def test_baseline_gradients_equal_the_cores_training_and_stepping_paths(cell, mode):
    scenario = make_scenario(cell, 3, 4, 6, mode)
    base = _baseline(scenario, mode)
    for core in (core_train(scenario), core_step(scenario)):
        assert relative_error(core.grads, base.grads) < 1e-10
        assert core.loss == pytest.approx(base.loss, rel=1e-12)


def test_baseline_update_is_sgd_on_its_gradients():
    scenario = make_scenario("elman", 2, 3, 4, "many_to_many")
    params = param_arrays(scenario)
    epoch = _baseline(scenario, "many_to_many")
    for name, g in epoch.grads.items():
        np.testing.assert_allclose(epoch.params[name], params[name] - LEARNING_RATE * g)
    assert "h0" not in epoch.grads


def _random_params(cell: str, d: int, H: int, K: int, rng) -> dict[str, np.ndarray]:
    """Issue 7's names: W_x* (H, d), W_h* (H, H), b* (H,), W_y (K, H), b_y (K,), h0, c0 (H,)."""
    params = {"W_y": rng.normal(size=(K, H)), "b_y": rng.normal(size=K), "h0": rng.normal(size=H)}
    gates = {"elman": ("",), "gru": GRU_GATES, "lstm": LSTM_GATES}[cell]
    for gate in gates:
        params[f"W_x{gate}"] = rng.normal(size=(H, d))
        params[f"W_h{gate}"] = rng.normal(size=(H, H))
        params[f"b_{gate}" if gate else "b"] = rng.normal(size=H)
    if cell == "lstm":
        params["c0"] = rng.normal(size=H)
    return params


def _central_differences(cell, params, X, Y, mode, eps=1e-5) -> dict[str, np.ndarray]:
    def loss(changed):
        return baseline_epoch(cell, changed, X, Y, LEARNING_RATE, mode).loss

    numeric = {}
    for name in params:
        if name in ("h0", "c0"):
            continue
        numeric[name] = np.zeros_like(params[name])
        for index in np.ndindex(params[name].shape):
            sides = []
            for sign in (1.0, -1.0):
                changed = {key: value.copy() for key, value in params.items()}
                changed[name][index] += sign * eps
                sides.append(loss(changed))
            numeric[name][index] = (sides[0] - sides[1]) / (2 * eps)
    return numeric


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("cell", ("elman", "gru", "lstm"))
def test_baseline_gradients_equal_central_differences(cell, mode):
    rng = np.random.default_rng(7)
    d, H, K, T = 2, 3, 2, 4
    params = _random_params(cell, d, H, K, rng)
    X = rng.normal(size=(T, d))
    Y = rng.normal(size=(T, K) if mode == "many_to_many" else K)
    analytic = baseline_epoch(cell, params, X, Y, LEARNING_RATE, mode).grads
    assert relative_error(analytic, _central_differences(cell, params, X, Y, mode)) < 1e-6


def test_a_wrong_gradient_is_caught():
    scenario = make_scenario("elman", 2, 3, 4, "many_to_one")
    base = _baseline(scenario, "many_to_one").grads
    wrong = {**base, "W_h": base["W_h"] * (1 + 1e-8)}
    assert relative_error(wrong, base) > 1e-10
    assert relative_error({k: v for k, v in base.items() if k != "b_y"}, base) == float("inf")


def test_table_marks_each_missed_target():
    def timings(**ms):
        return {path: Timing(value / 1e3, 5) for path, value in ms.items()}

    fast = Result(
        Case("elman", "many_to_one", 1, 1, 3), timings(base=1, train=1.2, step=2.5, torch=6), 1e-15
    )
    slow = Result(
        Case("elman", "many_to_one", 4, 8, 10), timings(base=1, train=2, step=4, torch=3), 1e-3
    )
    lines = table([fast, slow], use_torch=True)
    fast_row, slow_row = lines[2], lines[3]
    assert "✗" not in fast_row
    assert slow_row.count("✗") == 4  # train/base 2, step/base 4, torch/train 1.5, gradients

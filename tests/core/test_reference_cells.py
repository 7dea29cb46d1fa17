"""The reference cells of tests/core/reference_cells.py can be trusted as an oracle: their
BPTT gradient is the derivative of their own loss, and their forward pass is the issue's."""

import math

import numpy as np
import pytest

from tests.core.reference_cells import cell_param_names, reference_bptt

D, H, K, T = 2, 3, 3, 5
EPS = 1e-5  # central difference: error ~ EPS^2 from the maths, ~1e-16 / EPS from rounding;
# here the worst relative error is 4e-8 (1e-6 and 1e-4 give 3e-7 and 1e-7)
TOLERANCE = 1e-6
OUTPUTS = ("identity_mse", "sigmoid_bce", "softmax_ce")
MODES = ("many_to_many", "many_to_one")


def random_case(cell: str, output: str, mode: str, output_bias: bool, seed: int = 0):
    """Small random parameters (h0, c0 not zero, so their paths are used) and data."""
    rng = np.random.default_rng(seed)
    params = {}
    for name in cell_param_names(cell):
        shape = (H, D) if name.startswith("W_x") else (H, H) if name.startswith("W_h") else (H,)
        params[name] = 0.8 * rng.normal(size=shape)
    params["W_y"] = 0.8 * rng.normal(size=(K, H))
    if output_bias:
        params["b_y"] = 0.5 * rng.normal(size=K)
    params["h0"] = 0.5 * rng.normal(size=H)
    if cell == "lstm":
        params["c0"] = 0.5 * rng.normal(size=H)
    shape = (T, K) if mode == "many_to_many" else (K,)
    if output == "identity_mse":
        targets = rng.normal(size=shape)
    elif output == "sigmoid_bce":
        targets = rng.uniform(size=shape)
    else:  # a distribution over the K classes at each loss step
        targets = rng.dirichlet(np.ones(K), size=shape[:-1] or None)
    return params, rng.normal(size=(T, D)), targets


def central_differences(loss_of, params: dict, name: str) -> np.ndarray:
    """dL/dtheta for every element of params[name], (L(+eps) - L(-eps)) / (2 eps)."""
    numeric = np.zeros_like(params[name])
    for index in np.ndindex(params[name].shape):
        values = []
        for sign in (1.0, -1.0):
            moved = params[name].copy()
            moved[index] += sign * EPS
            values.append(loss_of({**params, name: moved}))
        numeric[index] = (values[0] - values[1]) / (2 * EPS)
    return numeric


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """||a - n|| / max(||a||, ||n||), floored so an all-zero gradient compares absolutely."""
    scale = max(np.linalg.norm(analytic), np.linalg.norm(numeric), 1e-8)
    return float(np.linalg.norm(analytic - numeric) / scale)


def assert_gradients_match(cell, output, mode, output_bias, activation="tanh"):
    params, inputs, targets = random_case(cell, output, mode, output_bias)
    if activation == "relu":  # most units alive at the last step, so W_x reaches the loss
        params["b"] = params["b"] + 1.0

    def loss_of(values):
        return reference_bptt(cell, values, inputs, targets, output, mode, activation)[0]

    _, grads, steps = reference_bptt(cell, params, inputs, targets, output, mode, activation)
    if activation == "relu":  # a central difference across relu's kink is no derivative
        assert min(np.abs(step["a"]).min() for step in steps) > 10 * EPS
    for name, analytic in grads.items():
        numeric = central_differences(loss_of, params, name)
        assert np.linalg.norm(numeric) > 1e-6, f"{name}: the loss does not reach it"
        assert relative_error(analytic, numeric) < TOLERANCE, (name, analytic, numeric)


@pytest.mark.parametrize("output_bias", [True, False], ids=["b_y", "no_b_y"])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("cell", ["elman", "gru", "lstm"])
def test_bptt_gradient_matches_central_differences_of_the_loss(cell, output, mode, output_bias):
    assert_gradients_match(cell, output, mode, output_bias)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("activation", ["sigmoid", "relu", "identity"])
def test_elman_gradient_matches_central_differences_for_every_activation(activation, output, mode):
    assert_gradients_match("elman", output, mode, True, activation)


@pytest.mark.parametrize(
    ("cell", "names", "step_keys"),
    [
        ("elman", "W_x W_h b", {"a", "h"}),
        ("gru", "W_xz W_hz b_z W_xr W_hr b_r W_xh W_hh b_h", {"z", "r", "n", "h"}),
        (
            "lstm",
            "W_xi W_hi b_i W_xf W_hf b_f W_xo W_ho b_o W_xc W_hc b_c",
            {"i", "f", "o", "g", "c", "h"},
        ),
    ],
)
def test_gradients_cover_the_trained_parameters_only_and_steps_name_the_gates(
    cell, names, step_keys
):
    params, inputs, targets = random_case(cell, "identity_mse", "many_to_many", True)
    _, grads, steps = reference_bptt(cell, params, inputs, targets, "identity_mse", "many_to_many")
    assert set(grads) == {*names.split(), "W_y", "b_y"}  # h0 and c0 are given, not trained
    assert len(steps) == T
    assert all(set(step) == step_keys for step in steps)
    params.pop("b_y")
    _, grads, _ = reference_bptt(cell, params, inputs, targets, "identity_mse", "many_to_many")
    assert "b_y" not in grads


def sig(a: float) -> float:
    return 1.0 / (1.0 + math.exp(-a))


def scalar_params(names: str, values: list[float]) -> dict[str, np.ndarray]:
    """H = d = K = 1: each W a 1x1 matrix, each b a 1-vector."""
    return {
        name: np.array([[value]]) if name.startswith("W") else np.array([value])
        for name, value in zip(names.split(), values, strict=True)
    }


def test_one_gru_step_by_hand():
    values = [0.3, -0.7, 0.1, 1.2, 0.4, -0.2, -0.9, 0.8, 0.05, 1.0, 0.0, 0.6]
    p = scalar_params("W_xz W_hz b_z W_xr W_hr b_r W_xh W_hh b_h W_y b_y h0", values)
    x, h0 = 0.5, 0.6
    z = sig(0.3 * x - 0.7 * h0 + 0.1)
    r = sig(1.2 * x + 0.4 * h0 - 0.2)
    n = math.tanh(-0.9 * x + 0.8 * (r * h0) + 0.05)
    h = z * h0 + (1 - z) * n
    loss, _, steps = reference_bptt(
        "gru", p, np.array([[x]]), np.array([0.25]), "identity_mse", "many_to_one"
    )
    for key, value in {"z": z, "r": r, "n": n, "h": h}.items():
        assert steps[0][key][0] == pytest.approx(value, rel=1e-14)
    assert loss == pytest.approx(0.5 * (h - 0.25) ** 2, rel=1e-13)


def test_one_lstm_step_by_hand():
    names = "W_xi W_hi b_i W_xf W_hf b_f W_xo W_ho b_o W_xc W_hc b_c W_y h0 c0"
    values = [0.3, -0.7, 0.1, 1.2, 0.4, -0.2, -0.9, 0.8, 0.05, 0.7, -0.3, 0.2, 2.0, 0.6, -0.4]
    p = scalar_params(names, values)
    x, h0, c0 = -1.5, 0.6, -0.4
    i = sig(0.3 * x - 0.7 * h0 + 0.1)
    f = sig(1.2 * x + 0.4 * h0 - 0.2)
    o = sig(-0.9 * x + 0.8 * h0 + 0.05)
    g = math.tanh(0.7 * x - 0.3 * h0 + 0.2)
    c = f * c0 + i * g
    h = o * math.tanh(c)
    loss, _, steps = reference_bptt(
        "lstm", p, np.array([[x]]), np.array([1.0]), "sigmoid_bce", "many_to_many"
    )
    for key, value in {"i": i, "f": f, "o": o, "g": g, "c": c, "h": h}.items():
        assert steps[0][key][0] == pytest.approx(value, rel=1e-14)
    assert loss == pytest.approx(-math.log(sig(2.0 * h)), rel=1e-13)


def test_a_gru_whose_update_gate_is_shut_keeps_h0_and_one_wide_open_takes_n():
    params, inputs, targets = random_case("gru", "identity_mse", "many_to_many", True)
    shut = {**params, "b_z": np.full(H, 40.0)}  # z = 1: h_t = h_{t-1}
    _, _, steps = reference_bptt("gru", shut, inputs, targets, "identity_mse", "many_to_many")
    for step in steps:
        np.testing.assert_allclose(step["h"], params["h0"], rtol=0, atol=1e-15)
    open_ = {**params, "b_z": np.full(H, -40.0)}  # z = 0: h_t = n_t
    _, _, steps = reference_bptt("gru", open_, inputs, targets, "identity_mse", "many_to_many")
    for step in steps:
        np.testing.assert_allclose(step["h"], step["n"], rtol=0, atol=1e-15)


def test_an_lstm_that_keeps_and_never_writes_its_cell_holds_c0():
    params, inputs, targets = random_case("lstm", "identity_mse", "many_to_many", True)
    params = {**params, "b_f": np.full(H, 40.0), "b_i": np.full(H, -40.0)}
    _, grads, steps = reference_bptt(
        "lstm", params, inputs, targets, "identity_mse", "many_to_many"
    )
    for step in steps:
        np.testing.assert_allclose(step["c"], params["c0"], rtol=0, atol=1e-15)
        np.testing.assert_allclose(step["h"], step["o"] * np.tanh(params["c0"]), atol=1e-15)
    # nothing reaches the candidate g through a shut input gate
    assert np.abs(grads["W_xc"]).max() < 1e-15


def test_an_elman_cell_with_no_recurrence_and_identity_is_affine_in_x():
    params, inputs, targets = random_case("elman", "identity_mse", "many_to_one", False)
    params["W_h"] = np.zeros((H, H))
    _, _, steps = reference_bptt(
        "elman", params, inputs, targets, "identity_mse", "many_to_one", "identity"
    )
    for x, step in zip(inputs, steps, strict=True):
        np.testing.assert_allclose(step["h"], params["W_x"] @ x + params["b"], rtol=1e-15)

"""The regime gauge: the Jacobian product against explicit matrix products, the spectrum
against numpy.linalg, the measured rate against a scalar RNN's known one, the verdicts."""

from functools import reduce

import numpy as np
import pytest

from app.core import regime
from app.core.epochs import bptt
from app.core.model import Config, Params, Scenario
from app.core.presets import get_preset
from app.core.regime import (
    measured_rate,
    product_log_norms,
    regime_gauge,
    scale_recurrent,
    written,
)
from app.core.stepper import backward_step, whole_forward
from tests.core import reference_cells


def test_product_norms_equal_explicit_matrix_products():
    rng = np.random.default_rng(4)
    jacobians = [rng.normal(size=(3, 3)) for _ in range(6)]
    logs = product_log_norms(jacobians)
    assert logs[0] == 0.0  # the empty product is the identity
    for m in range(1, 7):
        explicit = reduce(np.matmul, jacobians[:m])
        assert 10 ** logs[m] == pytest.approx(np.linalg.norm(explicit, 2), rel=1e-10)


def test_product_norms_do_not_overflow_where_the_explicit_product_does():
    jacobians = [np.eye(2) * 1e200] * 4
    logs = product_log_norms(jacobians)
    np.testing.assert_allclose(logs, [0, 200, 400, 600, 800])
    zero = product_log_norms([np.eye(2), np.zeros((2, 2)), np.eye(2)])
    assert zero[1] == 0.0 and np.isneginf(zero[2:]).all()
    assert measured_rate(zero) == 0.0


def elman_jacobians(scenario):
    """J_j = diag(1 - h_j^2) W_h for j = T..2, from the hidden states of a plain loop."""
    p, h, hs = scenario.params, scenario.params.h0, []
    for x in scenario.inputs:
        h = np.tanh(p.W_x @ x + p.W_h @ h + p.b)
        hs.append(h)
    return [(1 - hs[j - 1] ** 2)[:, None] * p.W_h for j in range(scenario.T, 1, -1)]


@pytest.mark.parametrize("name", ["vanishing", "seed-3-step", "hello"])
def test_gauge_of_a_run_is_the_product_of_its_jacobians_from_the_last_loss_step(name):
    scenario = get_preset(name).scenario
    gauge = regime_gauge(bptt(scenario))
    jacobians = elman_jacobians(scenario)
    assert gauge.k == scenario.T and gauge.log10_norms.size == scenario.T
    for m in range(1, scenario.T):
        explicit = reduce(np.matmul, jacobians[:m])
        assert gauge.norms[m] == pytest.approx(np.linalg.norm(explicit, 2), rel=1e-9)


@pytest.mark.parametrize("name", ["vanishing", "hello", "exploding", "sine-next-value"])
def test_spectrum_of_W_h_agrees_with_numpy_linalg(name):
    scenario = get_preset(name).scenario
    gauge = regime_gauge(bptt(scenario))
    W_h = scenario.params.W_h
    assert gauge.matrix == "W_h"
    assert gauge.sigma_max == pytest.approx(np.linalg.norm(W_h, 2), rel=1e-12)
    roots = np.roots(np.poly(W_h))  # the characteristic polynomial's roots: the eigenvalues
    assert gauge.spectral_radius == pytest.approx(np.abs(roots).max(), rel=1e-9)
    assert gauge.bound == pytest.approx(gauge.sigma_max * 1.0)  # tanh and identity: gamma = 1


def explicit_state_jacobians(scenario) -> dict[int, np.ndarray]:
    """ds_j/ds_(j-1) for j = 2..T by central differences of the reference cells' step (a plain
    loop, independent of app.core's Jacobians); s = h for a GRU, (h, c) for an LSTM."""
    cell, p = scenario.config.cell, scenario.params.as_dict()
    steps = reference_cells.forward(cell, p, scenario.inputs, scenario.config.activation)
    H, n = scenario.config.hidden_size, 2 if cell == "lstm" else 1

    def step(x, s):
        if cell == "gru":
            return reference_cells.gru_forward(p, x, s)["h"]
        out = reference_cells.lstm_forward(p, x, s[:H], s[H:])
        return np.concatenate([out["h"], out["c"]])

    jacobians, eps = {}, 1e-6
    for j in range(2, scenario.T + 1):
        prev = steps[j - 2]
        s_prev = prev["h"] if n == 1 else np.concatenate([prev["h"], prev["c"]])
        columns = []
        for i in range(n * H):
            bump = np.zeros(n * H)
            bump[i] = eps
            x = scenario.inputs[j - 1]
            columns.append((step(x, s_prev + bump) - step(x, s_prev - bump)) / (2 * eps))
        jacobians[j] = np.stack(columns, axis=1)
    return jacobians


@pytest.mark.parametrize("name", ["lstm-remembers", "gru-update-gate"])
def test_gated_cells_give_the_spectrum_of_every_state_jacobian(name):
    """Per step j = T..2, sigma_max and the spectral radius of ds_j/ds_(j-1) against
    numpy.linalg on explicit Jacobians; the headline numbers are their largest."""
    scenario = get_preset(name).scenario
    gauge = regime_gauge(bptt(scenario))
    explicit = explicit_state_jacobians(scenario)
    spectra = gauge.spectra
    assert spectra.steps == tuple(range(scenario.T, 1, -1)) and spectra.measured == scenario.T - 1
    for j, sigma, radius in zip(
        spectra.steps, spectra.sigma_max, spectra.spectral_radius, strict=True
    ):
        assert sigma == pytest.approx(np.linalg.norm(explicit[j], 2), rel=1e-6)
        assert radius == pytest.approx(np.abs(np.linalg.eigvals(explicit[j])).max(), rel=1e-6)
    assert gauge.matrix == "ds_j/ds_(j-1)" and gauge.gamma is None and gauge.bound is None
    assert gauge.sigma_max == spectra.sigma_max.max()
    assert gauge.spectral_radius == spectra.spectral_radius.max()
    assert f"at j = {scenario.T}..2" in gauge.sentence and "Elman" in gauge.sentence


def test_a_gated_cells_spectrum_changes_with_the_step_and_the_sentence_says_where():
    scenario = get_preset("lstm-remembers").scenario
    gauge = regime_gauge(bptt(scenario))
    sigmas = gauge.spectra.sigma_max
    assert sigmas.max() > sigmas.min() * 1.01  # J_j is not one matrix: the range is real
    top = gauge.spectra.steps[int(np.argmax(sigmas))]
    assert f"σ_max from {written(sigmas.min())} to {written(sigmas.max())}" in gauge.sentence
    assert f"(largest at j = {top})" in gauge.sentence


def test_before_the_backward_pass_the_spectrum_is_of_the_forward_passes_last_jacobian():
    scenario = get_preset("gru-update-gate").scenario
    run = whole_forward(scenario)
    gauge = regime_gauge(run)
    J_T = explicit_state_jacobians(scenario)[scenario.T]
    assert gauge.spectra.steps == (scenario.T,) and gauge.regime == "unknown"
    assert gauge.sigma_max == pytest.approx(np.linalg.norm(J_T, 2), rel=1e-6)
    assert "the only one computed yet" in gauge.sentence
    for _ in range(3):  # t = T, T-1, T-2: the spectra of J_T, J_(T-1), J_(T-2)
        run, _ = backward_step(run)
    assert regime_gauge(run).spectra.steps == (scenario.T, scenario.T - 1, scenario.T - 2)


def test_past_the_work_limit_the_spectrum_is_of_the_jacobians_nearest_the_loss(monkeypatch):
    scenario = get_preset("lstm-remembers").scenario
    S = 2 * scenario.config.hidden_size
    monkeypatch.setattr(regime, "SPECTRUM_WORK", 5 * S**3)
    gauge = regime_gauge(bptt(scenario))
    T = scenario.T
    assert gauge.spectra.steps == tuple(range(T, T - 5, -1)) and gauge.spectra.measured == T - 1
    assert f"j = {T}..{T - 4}, the 5 nearest the loss of the {T - 1} measured" in gauge.sentence


@pytest.mark.parametrize("a", [0.5, 1.0, 1.7])
def test_measured_rate_of_a_scalar_linear_rnn_is_its_weight(a):
    config = Config(1, 1, 1, "identity", "identity_mse", "many_to_one", True, 0.1)
    params = Params.from_dict(
        config, {"W_x": [[1.0]], "W_h": [[a]], "b": [0.0], "W_y": [[1.0]], "b_y": [0.0]}
    )
    gauge = regime_gauge(bptt(Scenario(config, params, np.ones((8, 1)), np.zeros(1))))
    assert gauge.rate == pytest.approx(a, rel=1e-12)
    expected = "vanishing" if a < 0.9 else "exploding" if a > 1.1 else "neither"
    assert gauge.regime == expected
    assert gauge.sentence.lower().startswith(expected)
    assert f"{a:.3g} per step" in gauge.sentence


def test_presets_name_their_regimes_and_the_scale_moves_between_them():
    vanishing = regime_gauge(bptt(get_preset("vanishing").scenario))
    assert vanishing.regime == "vanishing" and "< 1" in vanishing.sentence
    exploding_scenario = get_preset("exploding").scenario
    exploding = regime_gauge(bptt(exploding_scenario))
    assert exploding.regime == "exploding" and exploding.rate == pytest.approx(2.5)
    tamed = regime_gauge(bptt(scale_recurrent(exploding_scenario, 0.2)))
    assert tamed.regime == "vanishing" and tamed.rate == pytest.approx(0.5)
    assert tamed.sentence != exploding.sentence


def test_the_gauge_is_unknown_until_a_jacobian_is_measured():
    run = whole_forward(get_preset("vanishing").scenario)
    assert regime_gauge(run).regime == "unknown"
    run, _ = backward_step(run)  # t = T: J_T is measured, one point past the identity
    gauge = regime_gauge(run)
    assert gauge.log10_norms.size == 2 and gauge.regime == "vanishing"


@pytest.mark.parametrize("cell", ["elman", "gru", "lstm"])
def test_scale_recurrent_scales_only_the_recurrent_matrices(cell):
    scenario = get_preset(
        {"elman": "vanishing", "gru": "gru-update-gate", "lstm": "lstm-remembers"}[cell]
    ).scenario
    scaled = scale_recurrent(scenario, 1.5)
    recurrent = {spec.name for spec in scenario.config.rnn.specs() if spec.cols == "H"}
    assert recurrent and all(name.startswith("W_h") for name in recurrent)
    for name, value in scenario.params.as_dict().items():
        factor = 1.5 if name in recurrent else 1.0
        np.testing.assert_array_equal(scaled.params[name], factor * value)


def test_the_sentence_writes_numbers_as_the_page_does() -> None:
    assert [written(x) for x in (2.5, 0.372, 5.793e11, -3.2e-7, float("nan"))] == [
        "2.5",
        "0.372",
        "5.79×10¹¹",
        "-3.2×10⁻⁷",
        "not measured",
    ]

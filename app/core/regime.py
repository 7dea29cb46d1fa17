"""The regime of the backward pass: vanishing, exploding or neither, measured and explained.

From the last loss step K (= T) back, the gauge is the size of the Jacobian product

    P_m = ds_K/ds_{K-m} = J_K J_{K-1} ... J_{K-m+1},   J_j = ds_j/ds_{j-1} (S, S)

for distances m = k - t = 0 .. M (P_0 = I), as its spectral norm |P_m|_2. The products are
taken in log space (each partial product rescaled to norm 1), so they never overflow.

Beside it: sigma_max and the spectral radius of W_h (for GRU and LSTM, of the state
Jacobian J_K), gamma = the activation's largest derivative, and Pascanu et al.'s sufficient
condition for vanishing, sigma_max(W_h) * gamma < 1 (Elman: |J_j| <= |diag f'| |W_h|).
The measured rate per step is 10^slope of the least-squares line through log10 |P_m|.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from app.core.model import Scenario
from app.core.stepper import Run

GAMMAS = (("tanh", 1.0), ("sigmoid", 0.25), ("relu", 1.0), ("identity", 1.0))  # max f'
GEOMETRIC = 0.1  # a rate per step below 1 - this shrinks geometrically, above 1 + this grows
REGIMES = ("vanishing", "exploding", "neither", "unknown")


@dataclass(frozen=True, eq=False)
class Gauge:
    """The Jacobian product's size against distance, the spectrum beside it, the verdict."""

    k: int  # the loss step the products start from
    log10_norms: np.ndarray  # (M + 1,) log10 |P_m|_2 for m = 0..M (-inf: the product is 0)
    matrix: str  # what sigma_max and the spectral radius are of: "W_h" or "ds_K/ds_{K-1}"
    sigma_max: float  # its largest singular value
    spectral_radius: float  # its largest |eigenvalue|
    gamma: float | None  # the activation's largest derivative (Elman only)
    rate: float | None  # the measured factor per step (None with fewer than two points)
    regime: str  # one of REGIMES
    sentence: str  # the regime and why, in numbers

    @property
    def distances(self) -> np.ndarray:
        return np.arange(self.log10_norms.size)

    @property
    def norms(self) -> np.ndarray:
        """|P_m|_2 (inf past float64's range)."""
        with np.errstate(over="ignore"):
            return 10.0**self.log10_norms

    @property
    def bound(self) -> float | None:
        """sigma_max(W_h) * gamma: below 1, every |J_j| < 1 (Elman)."""
        return None if self.gamma is None else self.sigma_max * self.gamma


def product_log_norms(jacobians: list[np.ndarray]) -> np.ndarray:
    """log10 |J_1 J_2 ... J_m|_2 for m = 0..len(jacobians) (the list in the order multiplied:
    J_K first), each partial product rescaled to norm 1 so that nothing overflows."""
    size = jacobians[0].shape[0] if jacobians else 1
    logs = np.zeros(len(jacobians) + 1)
    unit, scale = np.eye(size), 0.0  # product = unit * 10^scale, |unit|_2 = 1
    for m, jacobian in enumerate(jacobians, start=1):
        with np.errstate(all="ignore"):
            product = unit @ jacobian
            norm = np.linalg.norm(product, 2) if np.isfinite(product).all() else np.nan
        if not norm > 0:  # zero (the product stays 0) or not finite (unknown from here)
            logs[m:] = -np.inf if norm == 0 else np.nan
            break
        scale += np.log10(norm)
        logs[m], unit = scale, product / norm
    return logs


def measured_rate(log10_norms: np.ndarray) -> float | None:
    """10^slope of the least-squares line through (m, log10 |P_m|); 0 once the product is 0."""
    if log10_norms.size < 2 or np.isnan(log10_norms).any():
        return None
    if np.isneginf(log10_norms).any():
        return 0.0
    slope = np.polyfit(np.arange(log10_norms.size), log10_norms, 1)[0]
    return float(10.0**slope)


def regime_gauge(run: Run) -> Gauge:
    """The gauge from the Jacobians of the backward steps taken (t = T, T-1, ..., 2)."""
    config, T = run.scenario.config, run.T
    by_step = {record.t: record.jacobian for record in run.backward}
    jacobians = [by_step[t] for t in range(T, 1, -1) if t in by_step]
    logs = product_log_norms(jacobians)
    if config.cell == "elman":
        matrix, name = np.asarray(run.scenario.params["W_h"]), "W_h"
        gamma: float | None = dict(GAMMAS)[config.activation]
    else:
        matrix, name, gamma = _last_jacobian(run, by_step), f"ds_{T}/ds_{T - 1}", None
    sigma, radius = _spectrum(matrix)
    rate = measured_rate(logs)
    regime = _regime(rate, None if gamma is None else sigma * gamma, len(jacobians))
    gauge = Gauge(T, logs, name, sigma, radius, gamma, rate, regime, "")
    return replace(gauge, sentence=regime_sentence(gauge, T))


def _last_jacobian(run: Run, by_step: dict[int, np.ndarray]) -> np.ndarray | None:
    """J_T = ds_T/ds_{T-1}: from backward step T, or from forward step T's values."""
    if run.T in by_step:
        return by_step[run.T]
    if len(run.forward) < run.T:
        return None
    with np.errstate(all="ignore"):
        return run.scenario.config.rnn.jacobian(run.scenario.params.arrays, run.forward[-1].cache)


def _spectrum(matrix: np.ndarray | None) -> tuple[float, float]:
    """(sigma_max, spectral radius), NaN if the matrix is missing or not finite."""
    if matrix is None or not np.isfinite(matrix).all():
        return float("nan"), float("nan")
    sigma = float(np.linalg.svd(matrix, compute_uv=False)[0])
    return sigma, float(np.max(np.abs(np.linalg.eigvals(matrix))))


def _regime(rate: float | None, bound: float | None, measured: int) -> str:
    """vanishing (bound < 1, or shrinking geometrically), exploding, neither; unknown until
    a Jacobian is measured."""
    if rate is None or measured < 1:
        return "unknown"
    if (bound is not None and bound < 1) or rate < 1 - GEOMETRIC:
        return "vanishing"
    return "exploding" if rate > 1 + GEOMETRIC else "neither"


def regime_sentence(gauge: Gauge, T: int) -> str:
    """One sentence naming the regime and why, with the numbers."""
    M = gauge.log10_norms.size - 1
    condition = _condition(gauge)
    if gauge.regime == "unknown" or M < 1:
        if T < 2:
            return f"One time step: no Jacobian product to measure. {condition}"
        return (
            f"Not measured yet: the backward steps from t = {T} down compute the Jacobians "
            f"∂h_j/∂h_(j−1) whose product this measures. {condition}"
        )
    rate, last = gauge.rate, _power(gauge.log10_norms[-1])
    measured = (
        f"the measured product |∏ ∂h_j/∂h_(j−1)| changes by a factor of {written(rate)} per step "
        f"and is {last} after {M} step{'s' if M != 1 else ''}"
    )
    if gauge.regime == "vanishing":
        return f"Vanishing: {measured}, so the terms from far back fade. {condition}"
    if gauge.regime == "exploding":
        return (
            f"Exploding: {measured}, so the terms from far back dwarf the near ones "
            f"(clip the gradient, or shrink W_h). {condition}"
        )
    return (
        f"Neither: {measured} (between {1 - GEOMETRIC:g} and {1 + GEOMETRIC:g}), so the "
        f"far terms neither fade nor grow geometrically. {condition}"
    )


def _condition(gauge: Gauge) -> str:
    if gauge.bound is None:
        return (
            f"Of the state Jacobian {gauge.matrix}: σ_max = {written(gauge.sigma_max)}, spectral "
            f"radius {written(gauge.spectral_radius)} (Pascanu et al.'s condition σ_max · γ < 1 is "
            "for the Elman cell)."
        )
    holds = "< 1: vanishing is certain" if gauge.bound < 1 else "≥ 1: not certain to vanish"
    return (
        f"σ_max(W_h) · γ = {written(gauge.sigma_max)} · {gauge.gamma:g} = "
        f"{written(gauge.bound)} {holds} "
        f"(Pascanu et al.'s sufficient condition); spectral radius ρ(W_h) = "
        f"{written(gauge.spectral_radius)}."
    )


DIGITS_UP = "⁰¹²³⁴⁵⁶⁷⁸⁹"  # superscript 0..9


def _superscript(exponent: int) -> str:
    """-7 -> ⁻⁷"""
    return ("⁻" if exponent < 0 else "") + "".join(DIGITS_UP[int(c)] for c in str(abs(exponent)))


def written(value: float, digits: int = 3) -> str:
    """A number as the page writes it: plain (0.372, 2.5) between 1e-3 and 1e5, else
    5.79×10¹¹ (`digits` significant digits); NaN (a matrix not computed yet, or not
    finite) is "not measured"."""
    if not np.isfinite(value):
        return "not measured"
    if value == 0 or 1e-3 <= abs(value) < 1e5:
        return f"{value:.{digits}g}"
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    return f"{float(mantissa):g}×10{_superscript(int(exponent))}"


def _power(log10_value: float) -> str:
    """10^x as the page writes numbers: 3.2×10⁻⁷, or 1×10⁴⁰⁰ past float64's range."""
    if np.isneginf(log10_value):
        return "0"
    if log10_value > 300:
        exponent = int(np.floor(log10_value))
        mantissa = f"{10 ** (log10_value - exponent):.3g}"
        return f"{mantissa}×10{_superscript(exponent)} (beyond float64)"
    return written(10.0**log10_value)


def scale_recurrent(scenario: Scenario, factor: float) -> Scenario:
    """The scenario with every recurrent weight matrix (the cell's (H, H) parameters: W_h;
    W_hz, W_hr, W_hh; W_hi, W_hf, W_hc, W_ho) multiplied by `factor`."""
    recurrent = [spec.name for spec in scenario.config.rnn.specs() if spec.cols == "H"]
    params = scenario.params
    scaled = params.with_values({name: factor * params[name] for name in recurrent})
    return scenario.with_params(scaled)

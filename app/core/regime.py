"""The regime of the backward pass: vanishing, exploding or neither, measured and explained.

From the last loss step K (= T) back, the gauge is the size of the Jacobian product

    P_m = ds_K/ds_{K-m} = J_K J_{K-1} ... J_{K-m+1},   J_j = ds_j/ds_{j-1} (S, S)

for distances m = k - t = 0 .. M (P_0 = I), as its spectral norm |P_m|_2. The products are
taken in log space (each partial product rescaled to norm 1), so they never overflow.

Beside it: sigma_max and the spectral radius of W_h, gamma = the activation's largest
derivative, and Pascanu et al.'s sufficient condition for vanishing, sigma_max(W_h) * gamma
< 1 (Elman: |J_j| <= |diag f'| |W_h|). A GRU's or an LSTM's state Jacobian changes from step
to step, so the gauge gives sigma_max(J_j) and rho(J_j) for every J_j measured (j = K, K-1,
..., the nearest the loss first, as many as SPECTRUM_WORK allows), and its headline numbers
are their largest, named as such. The measured rate per step is 10^slope of the
least-squares line through log10 |P_m|.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from app.core.model import Config, Scenario
from app.core.stepper import Run

GAMMAS = (("tanh", 1.0), ("sigmoid", 0.25), ("relu", 1.0), ("identity", 1.0))  # max f'
GEOMETRIC = 0.1  # a rate per step below 1 - this shrinks geometrically, above 1 + this grows
REGIMES = ("vanishing", "exploding", "neither", "unknown")
SPECTRUM_WORK = 2e7  # per-step spectra: at most this many S^3 (an SVD and an eigensolve each)


@dataclass(frozen=True, eq=False)
class StepSpectra:
    """sigma_max and the spectral radius of each state Jacobian J_j = ds_j/ds_{j-1} measured."""

    steps: tuple[int, ...]  # j of each, from the loss step down (the nearest the loss first)
    sigma_max: np.ndarray  # (n,) |J_j|_2
    spectral_radius: np.ndarray  # (n,) max |eigenvalue of J_j|
    measured: int  # the Jacobians measured; `steps` holds fewer past SPECTRUM_WORK

    def largest(self, values: np.ndarray) -> tuple[float, int | None]:
        """(the largest finite value, the j it is at); NaN, None if none is finite."""
        finite = np.where(np.isfinite(values), values, -np.inf)
        if not finite.size or not np.isfinite(finite.max()):
            return float("nan"), None
        at = int(np.argmax(finite))
        return float(finite[at]), self.steps[at]

    def smallest(self, values: np.ndarray) -> float:
        finite = values[np.isfinite(values)]
        return float(finite.min()) if finite.size else float("nan")


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
    spectra: StepSpectra | None = None  # per step J_j's sigma_max and spectral radius

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
    spectra = step_spectra(_measured_jacobians(run, by_step))
    if config.cell == "elman":
        name, gamma = "W_h", dict(GAMMAS)[config.activation]
        sigma, radius = _spectrum(np.asarray(run.scenario.params["W_h"]))
    else:  # the largest over the steps measured: the state Jacobian changes with t
        name, gamma = "ds_j/ds_(j-1)", None
        sigma, radius = (
            spectra.largest(spectra.sigma_max)[0],
            spectra.largest(spectra.spectral_radius)[0],
        )
    rate = measured_rate(logs)
    regime = _regime(rate, None if gamma is None else sigma * gamma, len(jacobians))
    gauge = Gauge(T, logs, name, sigma, radius, gamma, rate, regime, "", spectra)
    return replace(gauge, sentence=regime_sentence(gauge, T))


def gauge_work(config: Config, T: int) -> float:
    """About how many S^3 the gauge costs at T steps (S = the state's size): an SVD for
    each partial product's 2-norm, and an SVD and an eigensolve (~4 S^3) for each J_j's
    spectrum, as many as SPECTRUM_WORK allows."""
    size = config.hidden_size * len(config.rnn.states)
    products = max(0, T - 1) * size**3
    return products + 4 * min(products, max(SPECTRUM_WORK, size**3))


def step_spectra(jacobians: list[tuple[int, np.ndarray]]) -> StepSpectra:
    """sigma_max and rho of each (j, J_j), in the order given, as many as SPECTRUM_WORK allows."""
    size = jacobians[0][1].shape[0] if jacobians else 1
    kept = jacobians[: max(1, int(SPECTRUM_WORK // size**3))]
    sigmas, radii = np.full(len(kept), np.nan), np.full(len(kept), np.nan)
    if kept:  # one batched SVD and eigensolve over the (n, S, S) stack of the finite ones
        stack = np.stack([jacobian for _, jacobian in kept])
        finite = np.isfinite(stack).all(axis=(1, 2))
        if finite.any():
            sigmas[finite] = np.linalg.svd(stack[finite], compute_uv=False)[:, 0]
            radii[finite] = np.abs(np.linalg.eigvals(stack[finite])).max(axis=1)
    return StepSpectra(tuple(j for j, _ in kept), sigmas, radii, len(jacobians))


def _measured_jacobians(run: Run, by_step: dict[int, np.ndarray]) -> list[tuple[int, np.ndarray]]:
    """(j, J_j) for the backward steps taken, j = T down to 2; before any, J_T from forward
    step T's values (once the forward pass is complete)."""
    measured = [(t, by_step[t]) for t in range(run.T, 1, -1) if t in by_step]
    if measured or len(run.forward) < run.T or run.T < 2:
        return measured
    with np.errstate(all="ignore"):
        cache = run.forward[-1].cache
        return [(run.T, run.scenario.config.rnn.jacobian(run.scenario.params.arrays, cache))]


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
        return _state_spectrum(gauge.spectra) + (
            ". Pascanu et al.'s condition σ_max · γ < 1 is for the Elman cell."
        )
    holds = "< 1: vanishing is certain" if gauge.bound < 1 else "≥ 1: not certain to vanish"
    return (
        f"σ_max(W_h) · γ = {written(gauge.sigma_max)} · {gauge.gamma:g} = "
        f"{written(gauge.bound)} {holds} "
        f"(Pascanu et al.'s sufficient condition); spectral radius ρ(W_h) = "
        f"{written(gauge.spectral_radius)}."
    )


def _state_spectrum(spectra: StepSpectra | None) -> str:
    """Which state Jacobians the spectrum is of, and its range over them."""
    if spectra is None or not spectra.steps:
        return "The state Jacobians ∂s_j/∂s_(j−1): not measured yet"
    steps, n = spectra.steps, len(spectra.steps)
    if n == 1:
        j = steps[0]
        only = ", the only one computed yet"
        if spectra.measured > 1:
            only = f", the nearest the loss of the {spectra.measured} measured"
        return (
            f"Of the state Jacobian ∂s_{j}/∂s_{j - 1}{only}: σ_max = "
            f"{written(spectra.sigma_max[0])}, "
            f"spectral radius {written(spectra.spectral_radius[0])}"
        )
    which = f"j = {steps[0]}..{steps[-1]}"
    if n < spectra.measured:
        which += f", the {n} nearest the loss of the {spectra.measured} measured"
    ranges = [
        _range(name, spectra, values)
        for name, values in (
            ("σ_max", spectra.sigma_max),
            ("spectral radius", spectra.spectral_radius),
        )
    ]
    return f"Of the state Jacobians ∂s_j/∂s_(j−1) at {which}: " + ", ".join(ranges)


def _range(name: str, spectra: StepSpectra, values: np.ndarray) -> str:
    """'σ_max from 0.41 to 0.93 (largest at j = 15)', or 'σ_max 0.963 at every j'."""
    low, (high, at) = written(spectra.smallest(values)), spectra.largest(values)
    if low == written(high):
        return f"{name} {low} at every j"
    return f"{name} from {low} to {written(high)} (largest at j = {at})"


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

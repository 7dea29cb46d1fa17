"""A central-difference check of the analytic (raw, unclipped) gradient.

    dL/dtheta_i ~ (-L(+2 eps) + 8 L(+eps) - 8 L(-eps) + L(-2 eps)) / (12 eps)

with L(+eps) = L(theta + eps e_i): the fourth-order central difference. Its error
is O(eps^4), so eps can be 1e-4 and the rounding error of L stays near 1e-12,
well below 1e-6 of even a small gradient.

With truncation tau < T the analytic gradient is not dL/dtheta but the sum of the
kept terms, sum over k - t < tau of dl_k/dtheta_t. The check then unties the
parameter: it perturbs theta's use at one step t at a time and sums the change in
the losses l_k whose window still reaches t. Without truncation the same sum runs
over every k >= t and equals dL/dtheta.

The forward pass here is written out again from the cell's forward step, apart from
the stepper, so that the check does not lean on the backward code it checks.

Where the Jacobians make the pass explode, a rounding error made at one step grows by up
to A = max_m |J_T ... J_(T-m+1)|_2 by the last, so no float64 gradient (the analytic one
included) is good to better than about T * A * 2.2e-16, and L bends so sharply that the
stencil needs a smaller step. The check then says so: its tolerance is that bound
(never below TOLERANCE) and eps shrinks by (A * TOLERANCE)^(1/4); on well-behaved
scenarios (A below 1e6) both stay as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from app.core.cell import output_step_forward
from app.core.epochs import bptt
from app.core.functions import loss
from app.core.model import Scenario
from app.core.records import Divergence
from app.core.regime import product_log_norms, written
from app.core.stepper import Run

TOLERANCE = 1e-6
# Rounding in L limits any finite difference to about 1e-11 * max(1, |L|) absolutely, so a
# gradient smaller than SMALL_GRADIENT * max(1, |L|) is compared against that size instead
# of its own: its error must stay below TOLERANCE * SMALL_GRADIENT * max(1, |L|).
SMALL_GRADIENT = 1e-4
EPS = 1e-4
STENCIL = ((2.0, -1.0), (1.0, 8.0), (-1.0, -8.0), (-2.0, 1.0))  # (offset in eps, weight / 12)
ROUNDING = float(np.finfo(np.float64).eps)  # 2.2e-16: one float64 rounding, relative


@dataclass(frozen=True, eq=False)
class ParamCheck:
    analytic: np.ndarray
    numeric: np.ndarray
    relative_error: float  # ||analytic - numeric|| / max(||analytic||, ||numeric||, floor)


@dataclass(frozen=True, eq=False)
class GradCheck:
    eps: float
    params: dict[str, ParamCheck]
    diverged: Divergence | None = None  # the run overflowed: no gradient to check
    floor: float = 0.0  # SMALL_GRADIENT * max(1, |L|): the smallest size compared against
    tolerance: float = TOLERANCE  # the largest relative error that passes (see the top)
    amplification: float = 1.0  # A: how much a rounding error can grow by the last step

    @property
    def passed(self) -> bool:
        return self.diverged is None and self.max_relative_error < self.tolerance

    @property
    def note(self) -> str:
        """Why the tolerance is not TOLERANCE, in a sentence ("" when it is)."""
        if self.tolerance <= TOLERANCE:
            return ""
        return (
            f"Rounding in the forward pass grows by up to |∏ ∂h_j/∂h_(j−1)| = "
            f"{written(self.amplification)} here, so no float64 gradient is good to better than "
            f"about T × that × 2.2×10⁻¹⁶ = {written(self.tolerance)}: that is the tolerance, and "
            f"the difference step ε is {written(self.eps)}."
        )

    @property
    def max_relative_error(self) -> float:
        return float(np.max([check.relative_error for check in self.params.values()]))


def step_losses(scenario: Scenario, param: str, t_use: int | None, value: np.ndarray) -> np.ndarray:
    """l_k for each step k (0 if k not in S), with `param` = `value` at t_use (None: at all)."""
    config, p = scenario.config, scenario.params
    losses = np.zeros(scenario.T + 1)
    cell, state = config.rnn, p.initial_state()
    for t in range(1, scenario.T + 1):
        use = {**p.trained(), param: value} if t_use in (None, t) else p.trained()
        state = cell.forward(use, scenario.inputs[t - 1], state).state
        if t in scenario.targets_by_step:
            z = output_step_forward(state[0], use["W_y"], use.get("b_y"))
            losses[t] = loss(config.output, z, scenario.targets_by_step[t])
    return losses


def numeric_gradient(scenario: Scenario, param: str, eps: float = EPS) -> np.ndarray:
    """sum over kept (k, t) of dl_k/dtheta_t, each by central differences."""
    config, theta = scenario.config, scenario.params.trained()[param]
    if config.truncation is None or config.truncation >= scenario.T:
        return _tied_gradient(scenario, param, theta, eps)
    grad = np.zeros_like(theta)
    for t in range(1, scenario.T + 1):
        kept = _kept_losses(scenario, param, t)

        def kept_loss(value: np.ndarray, t: int = t, kept: np.ndarray = kept) -> float:
            return float(kept @ step_losses(scenario, param, t, value))

        for index in np.ndindex(theta.shape):
            grad[index] += _derivative(kept_loss, theta, index, eps)
    return grad


def _kept_losses(scenario: Scenario, param: str, t: int) -> np.ndarray:
    """1 for each loss step k whose term(k, t) is kept, 0 elsewhere (indexed 0..T)."""
    if param not in scenario.config.cell_params:
        return np.eye(scenario.T + 1)[t]  # the output layer at t feeds l_t only
    kept = np.zeros(scenario.T + 1)
    kept[list(scenario.config.kept_losses(t, scenario.T))] = 1.0
    return kept


def _tied_gradient(scenario: Scenario, param: str, theta: np.ndarray, eps: float) -> np.ndarray:
    """dL/dtheta with theta shared by every step: one stencil of forward passes per entry."""
    grad = np.zeros_like(theta)
    for index in np.ndindex(theta.shape):
        grad[index] = _derivative(
            lambda v: step_losses(scenario, param, None, v).sum(), theta, index, eps
        )
    return grad


def _derivative(
    loss_at: Callable[[np.ndarray], float], theta: np.ndarray, index: tuple[int, ...], eps: float
) -> float:
    """The fourth-order central difference of loss_at along theta[index]."""
    total = 0.0
    for offset, weight in STENCIL:
        bumped = theta.copy()
        bumped[index] += offset * eps
        total += weight * float(loss_at(bumped))
    return total / (12 * eps)


def forward_steps(scenario: Scenario) -> int:
    """How many RNN steps gradcheck(scenario) runs: the cost a server may want to limit."""
    config, T = scenario.config, scenario.T
    entries = sum(value.size for value in scenario.params.trained().values())
    untied = config.truncation is not None and config.truncation < T
    return len(STENCIL) * entries * T * (T if untied else 1)


def amplification(run: Run) -> float:
    """A = max_m |J_T J_(T-1) ... J_(T-m+1)|_2 (at least 1, the empty product); 1 if the
    products are not finite (the run overflowed: reported by run.diverged instead)."""
    jacobians = [record.jacobian for record in run.backward if record.t > 1]  # J_T .. J_2
    with np.errstate(all="ignore"):
        logs = product_log_norms(jacobians)
    if not np.isfinite(logs).all() or logs.max() > 300:
        return 1.0
    return float(10.0 ** logs.max())


def gradcheck(scenario: Scenario, eps: float | None = None) -> GradCheck:
    """Compare the backward pass's raw gradient with central differences, per parameter
    (eps None: EPS, smaller where the pass explodes)."""
    run = bptt(scenario)
    floor = SMALL_GRADIENT * max(1.0, abs(run.loss))
    grows = amplification(run)
    tolerance = min(1.0, max(TOLERANCE, scenario.T * grows * ROUNDING))
    if eps is None:
        eps = EPS / max(1.0, grows * TOLERANCE) ** 0.25
    checks = {}
    for param, grad in run.backward[-1].grads.items():
        with np.errstate(all="ignore"):  # an overflowing run is reported by run.diverged
            numeric = numeric_gradient(scenario, param, eps)
        scale = max(np.linalg.norm(grad), np.linalg.norm(numeric), floor)
        error = float(np.linalg.norm(grad - numeric) / scale)
        checks[param] = ParamCheck(grad, numeric, error)
    return GradCheck(eps, checks, run.diverged, floor, tolerance, grows)


def entry_errors(check: ParamCheck, floor: float) -> np.ndarray:
    """Each entry's |analytic - numeric| / max(|analytic|, |numeric|, floor), shaped like the
    parameter (the per-entry form of relative_error)."""
    with np.errstate(all="ignore"):
        scale = np.maximum(np.maximum(np.abs(check.analytic), np.abs(check.numeric)), floor)
        return np.abs(check.analytic - check.numeric) / scale

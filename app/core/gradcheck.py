"""A central-difference check of the analytic (raw, unclipped) gradient.

    dL/dtheta_i ~ (L(theta + eps e_i) - L(theta - eps e_i)) / (2 eps)

With truncation tau < T the analytic gradient is not dL/dtheta but the sum of the
kept terms, sum over k - t < tau of dl_k/dtheta_t. The check then unties the
parameter: it perturbs theta's use at one step t at a time and sums the change in
the losses l_k whose window still reaches t. Without truncation the same sum runs
over every k >= t and equals dL/dtheta.

The forward pass here is written out again from the cell functions, apart from
the stepper, so that the check does not lean on the code it checks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.core.cell import output_step_forward, rnn_step_forward
from app.core.functions import loss
from app.core.model import HIDDEN_PARAMS, Scenario
from app.core.stepper import bptt

TOLERANCE = 1e-6
SMALL_GRADIENT = 1e-6  # below this norm, errors are measured absolutely


@dataclass(frozen=True, eq=False)
class ParamCheck:
    analytic: np.ndarray
    numeric: np.ndarray
    relative_error: float  # ||analytic - numeric|| / max(||analytic||, ||numeric||, 1e-6)


@dataclass(frozen=True, eq=False)
class GradCheck:
    eps: float
    params: dict[str, ParamCheck]

    @property
    def max_relative_error(self) -> float:
        return max(check.relative_error for check in self.params.values())

    @property
    def passed(self) -> bool:
        return self.max_relative_error < TOLERANCE


def step_losses(scenario: Scenario, param: str, t_use: int | None, value: np.ndarray) -> np.ndarray:
    """l_k for each step k (0 if k not in S), with `param` = `value` at t_use (None: at all)."""
    config, p = scenario.config, scenario.params
    losses = np.zeros(scenario.T + 1)
    h = p.h0
    for t in range(1, scenario.T + 1):
        use = {**p.trained(), param: value} if t_use in (None, t) else p.trained()
        _, h = rnn_step_forward(
            scenario.inputs[t - 1], h, use["W_x"], use["W_h"], use["b"], config.activation
        )
        if t in scenario.targets_by_step:
            z = output_step_forward(h, use["W_y"], use.get("b_y"))
            losses[t] = loss(config.output, z, scenario.targets_by_step[t])
    return losses


def numeric_gradient(scenario: Scenario, param: str, eps: float = 1e-5) -> np.ndarray:
    """sum over kept (k, t) of dl_k/dtheta_t, each by central differences."""
    config, theta = scenario.config, scenario.params.trained()[param]
    if config.truncation is None or config.truncation >= scenario.T:
        return _tied_gradient(scenario, param, theta, eps)
    grad = np.zeros_like(theta)
    for t in range(1, scenario.T + 1):
        kept = np.array(
            [k >= t and config.keeps_term(k, t) for k in range(scenario.T + 1)], dtype=float
        )
        if param not in HIDDEN_PARAMS:
            kept = np.eye(scenario.T + 1)[t]  # the output layer at t feeds l_t only
        for index in np.ndindex(theta.shape):
            bump = np.zeros_like(theta)
            bump[index] = eps
            plus = step_losses(scenario, param, t, theta + bump)
            minus = step_losses(scenario, param, t, theta - bump)
            grad[index] += float(kept @ (plus - minus)) / (2 * eps)
    return grad


def _tied_gradient(scenario: Scenario, param: str, theta: np.ndarray, eps: float) -> np.ndarray:
    """dL/dtheta with theta shared by every step: one pair of forward passes per entry."""
    grad = np.zeros_like(theta)
    for index in np.ndindex(theta.shape):
        bump = np.zeros_like(theta)
        bump[index] = eps
        plus = step_losses(scenario, param, None, theta + bump).sum()
        minus = step_losses(scenario, param, None, theta - bump).sum()
        grad[index] = (plus - minus) / (2 * eps)
    return grad


def gradcheck(scenario: Scenario, eps: float = 1e-5) -> GradCheck:
    """Compare the backward pass's raw gradient with central differences, per parameter."""
    analytic = bptt(scenario).backward[-1].grads
    checks = {}
    for param, grad in analytic.items():
        numeric = numeric_gradient(scenario, param, eps)
        scale = max(np.linalg.norm(grad), np.linalg.norm(numeric), SMALL_GRADIENT)
        error = float(np.linalg.norm(grad - numeric) / scale)
        checks[param] = ParamCheck(grad, numeric, error)
    return GradCheck(eps, checks)

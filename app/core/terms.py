"""BPTT as a sum of chain-rule paths (DESIGN.md section 1).

For the loss at step k and the use of a parameter at step t <= k:

    term(k, t) = dl_k/dz_k * dz_k/dh_k * prod_{j=k..t+1} dh_j/dh_{j-1} * d+h_t/dtheta

Factor values are the matrices a person multiplies, left to right: dl_k/dz_k is a
row (1, K), dz_k/dh_k = W_y (K, H), dh_j/dh_{j-1} = diag(f'(a_j)) W_h (H, H).
The last factor is the direct partial (Pascanu's d+: everything before step t held
fixed). Its value is the non-zero slice of that tensor, shaped like the parameter:
row i of theta is scaled by entry i of the row vector before it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.core.functions import activation_grad_latex
from app.core.graph import Path, edge_id, term_path
from app.core.model import Config, Scenario


@dataclass(frozen=True, eq=False)
class FactorPart:
    """One of the pieces a factor splits into, e.g. dl/dyhat in dl/dz = dl/dyhat * dyhat/dz."""

    symbol: str
    latex: str
    formula: str
    value: np.ndarray


@dataclass(frozen=True, eq=False)
class Factor:
    symbol: str  # plain text, e.g. "∂h_3/∂h_2"
    latex: str  # the derivative, e.g. \frac{\partial h_{3}}{\partial h_{2}}
    formula: str  # what it equals, in LaTeX, e.g. \operatorname{diag}(1 - h_{3}^2)\,W_h
    kind: str  # loss | output | recurrent | direct
    value: np.ndarray
    edge: str  # the graph edge this factor runs along
    step: int  # the time step it belongs to (the t of the edge's target)
    parts: tuple[FactorPart, ...] = ()  # their element-wise product is `value`

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape


@dataclass(frozen=True, eq=False)
class Term:
    param: str
    k: int  # the loss step
    t: int  # the step where the parameter is used
    factors: tuple[Factor, ...]
    value: np.ndarray  # shaped like the parameter
    running: np.ndarray  # dL/dparam so far: every term up to and including this one
    path: Path

    @property
    def distance(self) -> int:
        return self.k - self.t


@dataclass(frozen=True, eq=False)
class StepValues:
    """What the backward pass knows at step j, as the terms need it."""

    dz: np.ndarray | None  # dl_j/dz_j (K,), None if j is not in S
    yhat: np.ndarray | None  # (K,), None if j is not in S
    y: np.ndarray | None  # the target (K,), None if j is not in S
    f_grad: np.ndarray  # f'(a_j) (H,)
    jacobian: np.ndarray  # dh_j/dh_{j-1} = diag(f'(a_j)) W_h (H, H)
    x: np.ndarray  # x_j (d,)
    h_prev: np.ndarray  # h_{j-1} (H,)
    h: np.ndarray  # h_j (H,)


def product(factors: tuple[Factor, ...]) -> np.ndarray:
    """Multiply the factors left to right; the last (direct) one scales theta's rows."""
    row = factors[0].value.reshape(-1)
    for factor in factors[1:-1]:
        row = row @ factor.value
    direct = factors[-1].value
    return row[:, None] * direct if direct.ndim == 2 else row * direct


def make_term(
    param: str,
    k: int,
    t: int,
    steps: dict[int, StepValues],
    W_y: np.ndarray,
    config: Config,
    recurrent: dict[int, Factor] | None = None,
) -> tuple[tuple[Factor, ...], np.ndarray]:
    """The ordered factors of term(k, t) for `param`, and their product.

    `recurrent` may hold the factors dh_j/dh_{j-1} already built, by j, to share them.
    """
    activation = config.activation
    if recurrent is None:
        recurrent = {j: _recurrent_factor(j, steps[j], activation) for j in range(t + 1, k + 1)}
    factors = [_loss_factor(k, steps[k], config.output)]
    if param in ("W_y", "b_y"):
        factors.append(_output_direct(param, k, steps[k]))
    else:
        factors.append(_output_factor(k, W_y))
        factors += [recurrent[j] for j in range(k, t, -1)]
        factors.append(_hidden_direct(param, t, steps[t], activation))
    return tuple(factors), product(tuple(factors))


def _loss_factor(k: int, step: StepValues, output: str) -> Factor:
    return Factor(
        f"∂ℓ_{k}/∂z_{k}",
        rf"\frac{{\partial \ell_{{{k}}}}}{{\partial z_{{{k}}}}}",
        rf"\hat y_{{{k}}} - y_{{{k}}}",
        "loss",
        step.dz[None, :],
        edge_id(f"yhat_{k}", f"loss_{k}"),
        k,
        _sigmoid_bce_parts(k, step) if output == "sigmoid_bce" else (),
    )


def _sigmoid_bce_parts(k: int, step: StepValues) -> tuple[FactorPart, ...]:
    """dl/dz = dl/dyhat * dyhat/dz, as the notes write it; left out where yhat saturates."""
    slope = step.yhat * (1.0 - step.yhat)  # dyhat/dz = sigma'(z)
    if not np.all(slope > 0):
        return ()
    dl_dyhat = (step.yhat - step.y) / slope  # -y/yhat + (1 - y)/(1 - yhat)
    return (
        FactorPart(
            f"∂ℓ_{k}/∂ŷ_{k}",
            rf"\frac{{\partial \ell_{{{k}}}}}{{\partial \hat y_{{{k}}}}}",
            rf"-\frac{{y_{{{k}}}}}{{\hat y_{{{k}}}}}"
            rf" + \frac{{1 - y_{{{k}}}}}{{1 - \hat y_{{{k}}}}}",
            dl_dyhat[None, :],
        ),
        FactorPart(
            f"∂ŷ_{k}/∂z_{k}",
            rf"\frac{{\partial \hat y_{{{k}}}}}{{\partial z_{{{k}}}}}",
            rf"\hat y_{{{k}}}(1 - \hat y_{{{k}}})",
            slope[None, :],
        ),
    )


def _output_factor(k: int, W_y: np.ndarray) -> Factor:
    return Factor(
        f"∂z_{k}/∂h_{k}",
        rf"\frac{{\partial z_{{{k}}}}}{{\partial h_{{{k}}}}}",
        "W_y",
        "output",
        W_y,
        edge_id(f"h_{k}", f"yhat_{k}"),
        k,
    )


def _recurrent_factor(j: int, step: StepValues, activation: str) -> Factor:
    local = activation_grad_latex(activation, j)
    return Factor(
        f"∂h_{j}/∂h_{j - 1}",
        rf"\frac{{\partial h_{{{j}}}}}{{\partial h_{{{j - 1}}}}}",
        rf"\operatorname{{diag}}({local})\,W_h",
        "recurrent",
        step.jacobian,
        edge_id(f"h_{j - 1}", f"h_{j}"),
        j,
    )


def _hidden_direct(param: str, t: int, step: StepValues, activation: str) -> Factor:
    """d+h_t/dtheta, with h_{t-1} held fixed: f'(a_t) times the operand theta multiplies."""
    local = activation_grad_latex(activation, t)
    if param == "b":
        value, operand = step.f_grad, ""
    else:
        source = step.x if param == "W_x" else step.h_prev
        value = np.outer(step.f_grad, source)
        operand = rf"\,x_{{{t}}}^\top" if param == "W_x" else rf"\,h_{{{t - 1}}}^\top"
    return Factor(
        f"∂⁺h_{t}/∂{param}",
        rf"\frac{{\partial^{{+}} h_{{{t}}}}}{{\partial {param}}}",
        rf"({local}){operand}",
        "direct",
        value,
        edge_id(param, f"h_{t}"),
        t,
    )


def _output_direct(param: str, k: int, step: StepValues) -> Factor:
    """d+z_k/dW_y = h_k^T in every row; d+z_k/db_y = 1."""
    K = step.dz.shape[0]
    if param == "W_y":
        value, formula = np.tile(step.h, (K, 1)), rf"h_{{{k}}}^\top"
    else:
        value, formula = np.ones(K), "1"
    return Factor(
        f"∂⁺z_{k}/∂{param}",
        rf"\frac{{\partial^{{+}} z_{{{k}}}}}{{\partial {param}}}",
        formula,
        "direct",
        value,
        edge_id(param, f"yhat_{k}"),
        k,
    )


def terms_at(
    t: int, scenario: Scenario, steps: dict[int, StepValues], running: dict[str, np.ndarray]
) -> tuple[tuple[Term, ...], dict[str, np.ndarray]]:
    """Every term that backward step t completes, by parameter and then loss step k.

    `running` holds each parameter's sum of the terms before this step; it comes back
    updated, so each term carries dL/dtheta so far.
    """
    config, W_y = scenario.config, scenario.params.W_y
    loss_steps = config.loss_steps(scenario.T)
    running = dict(running)
    later = range(t + 1, scenario.T + 1)
    recurrent = {j: _recurrent_factor(j, steps[j], config.activation) for j in later}
    terms = []
    for param in config.param_names:
        if param in ("W_y", "b_y"):
            ks: tuple[int, ...] = (t,) if t in loss_steps else ()
        else:
            ks = config.kept_losses(t, scenario.T)
        for k in ks:
            factors, value = make_term(param, k, t, steps, W_y, config, recurrent)
            running[param] = running[param] + value
            terms.append(Term(param, k, t, factors, value, running[param], term_path(param, k, t)))
    return tuple(terms), running

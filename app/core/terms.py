"""BPTT as a sum of chain-rule paths, through the whole state s_t of the cell.

For the loss at step k and the use of a parameter at step t <= k:

    term(k, t) = dl_k/dz_k * dz_k/ds_k * prod_{j=k..t+1} ds_j/ds_{j-1} * d+s_t/dtheta

Factor values are the matrices a person multiplies, left to right: dl_k/dz_k is a
row (1, K), dz_k/ds_k = W_y (K, H) (for LSTM [W_y 0], (K, 2H): the loss sees h only),
ds_j/ds_{j-1} the cell's Jacobian (S, S). The last factor is the direct partial
(Pascanu's d+: everything before step t held fixed); row i of theta is scaled by the
row vector before it (app.core.cells.base.Direct).

The backward step computes, per term it completes, only a summary (StepTerms: the
sizes, and the values of a small parameter) from the rows dl_k/ds_t of every kept loss
at once; `term_detail` builds one term's factors on demand from the per-step values the
records keep (each Jacobian is computed once, at its backward step).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.core.cells import Direct, StepCache
from app.core.cells.base import latex_name
from app.core.graph import Path, edge_id, term_path
from app.core.model import Config

SMALL_TERMS = 256  # a step keeps its terms' values of a parameter up to this many numbers


@dataclass(frozen=True, eq=False)
class FactorPart:
    """One of the pieces a factor splits into, e.g. dl/dyhat in dl/dz = dl/dyhat * dyhat/dz."""

    symbol: str
    latex: str
    formula: str
    value: np.ndarray
    entry: tuple[tuple[str, ...], ...] = ()  # its entry (i, j) as templates, as a Factor's


@dataclass(frozen=True, eq=False)
class Factor:
    symbol: str  # plain text, e.g. "∂h_3/∂h_2"
    latex: str  # the derivative, e.g. \frac{\partial h_{3}}{\partial h_{2}}
    formula: str  # what it equals, in LaTeX, e.g. \operatorname{diag}(1 - h_{3}^2)\,W_h
    kind: str  # loss | output | recurrent | gate | direct
    value: np.ndarray
    edge: str  # the graph edge this factor runs along
    step: int  # the time step it belongs to (the t of the edge's target)
    parts: tuple[FactorPart, ...] = ()  # their element-wise product is `value`
    entry: tuple[tuple[str, ...], ...] = ()  # its entry (i, j) as templates (app.core.entries)
    blocks: tuple[tuple[str, ...], ...] = ()  # each block's derivative in LaTeX, shaped as entry

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
    row: np.ndarray | None = None  # the factors before the last multiplied: (S,) or (K,)
    numbers: tuple = ()  # the Numbers the factors' entry templates name (app.core.entries)
    dropped: bool = False  # truncation leaves it out (k - t >= tau): running skips it

    @property
    def previous(self) -> np.ndarray:
        """dL/dparam so far before this term: running = previous + value (previous = running
        for a term the window drops: nothing is added)."""
        return self.running if self.dropped else self.running - self.value

    @property
    def distance(self) -> int:
        return self.k - self.t


@dataclass(frozen=True, eq=False)
class StepTerms:
    """The terms backward step t completes for one parameter: term(k, t) for k in ks."""

    param: str
    t: int
    ks: tuple[int, ...]  # the loss steps, ascending
    sizes: np.ndarray  # (n,) each term's Frobenius norm
    values: np.ndarray | None  # (n, *param shape), only while n * its size <= SMALL_TERMS


@dataclass(frozen=True, eq=False)
class StepView:
    """What one time step's records say, as the terms need it."""

    cache: StepCache
    dz: np.ndarray | None  # dl_j/dz_j (K,), None if j is not in S
    yhat: np.ndarray | None
    y: np.ndarray | None
    jacobian: np.ndarray | None  # ds_j/ds_{j-1} (S, S), once backward step j is done


def output_embedding(W_y: np.ndarray, n_states: int) -> np.ndarray:
    """dz/ds = [W_y 0 ...] (K, S): the output reads h, the first state."""
    if n_states == 1:
        return W_y
    return np.hstack([W_y, np.zeros((W_y.shape[0], W_y.shape[1] * (n_states - 1)))])


def summarize(
    config: Config,
    params: dict[str, np.ndarray],
    step: StepView,
    t: int,
    ks: tuple[int, ...],
    rows: np.ndarray,
) -> tuple[StepTerms, ...]:
    """The summaries of every term step t completes; rows (n, S) holds dl_k/ds_t for k in ks."""
    summaries = []
    directs = config.rnn.directs(params, step.cache) if ks else {}
    shared: dict[int, np.ndarray] = {}  # a gate's parameters share its coefficient array
    for name in config.cell_params if ks else ():
        direct = directs[name]
        if id(direct.coef) not in shared:
            shared[id(direct.coef)] = direct.unit_weights(rows)
        weights = shared[id(direct.coef)]  # (n, H): term = outer(weights, operand)
        sizes = _row_norms(weights)
        if direct.operand is not None:
            sizes = sizes * _norm(direct.operand)
        values = None
        if len(ks) * params[name].size <= SMALL_TERMS:
            values = weights if direct.operand is None else weights[:, :, None] * direct.operand
        summaries.append(StepTerms(name, t, ks, sizes, values))
    if step.dz is not None:
        h_t = step.cache.state[0]
        own = {"W_y": np.outer(step.dz, h_t), "b_y": step.dz}
        for name in config.output_params:
            small = own[name][None] if own[name].size <= SMALL_TERMS else None
            summaries.append(StepTerms(name, t, (t,), np.array([_norm(own[name])]), small))
    return tuple(summaries)


def _row_norms(rows: np.ndarray) -> np.ndarray:
    """np.linalg.norm(rows, axis=1), the same operations without its dispatch: (n,)."""
    return np.sqrt(np.add.reduce(rows * rows, axis=1))


def _norm(value: np.ndarray) -> np.float64:
    """np.linalg.norm(value) (Frobenius), the same operations without its dispatch."""
    flat = value.ravel()
    return np.sqrt(flat.dot(flat))


def term_detail(
    config: Config,
    params: dict[str, np.ndarray],
    steps: dict[int, StepView],
    param: str,
    k: int,
    t: int,
    running_before: np.ndarray,
) -> Term:
    """term(k, t) of `param` with every factor, built from the steps' shared values.

    `steps` holds every step from t to the last loss step; `running_before` is dL/dparam
    over the steps after t (the recursion's sum before step t). A term the truncation window
    drops is built the same way (its value is the same product), marked `dropped`.
    """
    cell = config.rnn
    n_states = len(cell.states)
    loss = _loss_factor(k, steps[k], config.output)
    if param in config.output_params:
        factors = (loss, _output_direct(param, k, steps[k]))
        value, path = _output_value(param, steps[k]), term_path(config, param, k, t)
        return Term(param, k, t, factors, value, running_before + value, path, steps[k].dz)
    out = output_embedding(params["W_y"], n_states)
    recurrent = [_recurrent_factor(cell, j, steps[j]) for j in range(k, t, -1)]
    direct = cell.direct(param, params, steps[t].cache)
    factors = (loss, _output_factor(k, out, cell.state_symbol), *recurrent)
    factors += _direct_factors(cell, param, t, direct)
    row, so_far = steps[k].dz @ out, np.zeros(out.shape[1])
    for j in range(k, t, -1):  # the running product, and the kept terms' rows up to k
        so_far = so_far + _kept_row(config, steps[j], j, t, out)
        row, so_far = row @ steps[j].jacobian, so_far @ steps[j].jacobian
    so_far = so_far + _kept_row(config, steps[t], t, t, out)
    value = direct.contract(row)
    # the kept terms up to k; a dropped term (k - t >= tau) comes after them all and adds 0
    running = running_before + direct.contract(so_far)
    if factors[-2].kind == "gate":  # the row before the last factor: dl_k/da (H,)
        row = row @ direct.coef
    path, dropped = term_path(config, param, k, t), not config.keeps_term(k, t)
    return Term(param, k, t, factors, value, running, path, row, dropped=dropped)


def _kept_row(config: Config, step: StepView, j: int, t: int, out: np.ndarray) -> np.ndarray:
    """dl_j/ds_j if j is a loss step whose term(j, t) is kept, else zeros."""
    if step.dz is None or not config.keeps_term(j, t):
        return np.zeros(out.shape[1])
    return step.dz @ out


def _output_value(param: str, step: StepView) -> np.ndarray:
    """term(k, k) of W_y = dz_k h_k^T; of b_y = dz_k."""
    if param == "W_y":
        return step.dz[:, None] * np.tile(step.cache.state[0], (step.dz.shape[0], 1))
    return step.dz * np.ones(step.dz.shape[0])


def _loss_factor(k: int, step: StepView, output: str) -> Factor:
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


def _sigmoid_bce_parts(k: int, step: StepView) -> tuple[FactorPart, ...]:
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


def _output_factor(k: int, out: np.ndarray, s: str) -> Factor:
    return Factor(
        f"∂z_{k}/∂{s}_{k}",
        rf"\frac{{\partial z_{{{k}}}}}{{\partial {s}_{{{k}}}}}",
        "W_y" if s == "h" else r"\begin{bmatrix} W_y & 0 \end{bmatrix}",
        "output",
        out,
        edge_id(f"h_{k}", f"yhat_{k}"),
        k,
    )


def _recurrent_factor(cell: object, j: int, step: StepView) -> Factor:
    s = cell.state_symbol
    return Factor(
        f"∂{s}_{j}/∂{s}_{j - 1}",
        rf"\frac{{\partial {s}_{{{j}}}}}{{\partial {s}_{{{j - 1}}}}}",
        cell.jacobian_latex(j),
        "recurrent",
        step.jacobian,
        edge_id(f"h_{j - 1}", f"h_{j}"),
        j,
    )


def _direct_factors(cell: object, param: str, t: int, direct: Direct) -> tuple[Factor, ...]:
    """d+s_t/dtheta, with s_{t-1} held fixed: the cell's coefficient times the operand; where
    it is not diagonal (the GRU's reset gate), ds_t/da (S, H) then d+a_t/dtheta, the operand
    in every row, so that the term is diag(row) times the last factor as for every other."""
    s, via = cell.state_symbol, cell.through(param)
    edge = edge_id(param, f"{cell.param_target(param)}_{t}")
    name = rf"\partial {latex_name(param)}"
    if via is None:
        latex = rf"\frac{{\partial^{{+}} {s}_{{{t}}}}}{{{name}}}"
        value = direct.factor_value()
        return (
            Factor(
                f"∂⁺{s}_{t}/∂{param}", latex, cell.direct_latex(param, t), "direct", value, edge, t
            ),
        )
    plain = via.replace("{", "").replace("}", "")
    gate = Factor(
        f"∂{s}_{t}/∂{plain}_{t}",
        rf"\frac{{\partial {s}_{{{t}}}}}{{\partial {via}_{{{t}}}}}",
        cell.gate_latex(param, t),
        "gate",
        direct.coef,
        edge,
        t,
    )
    units = direct.coef.shape[1]
    operand = np.ones(units) if direct.operand is None else np.tile(direct.operand, (units, 1))
    latex = rf"\frac{{\partial^{{+}} {via}_{{{t}}}}}{{{name}}}"
    last = Factor(
        f"∂⁺{plain}_{t}/∂{param}", latex, cell.direct_latex(param, t), "direct", operand, edge, t
    )
    return gate, last


def _output_direct(param: str, k: int, step: StepView) -> Factor:
    """d+z_k/dW_y = h_k^T in every row; d+z_k/db_y = 1."""
    K = step.dz.shape[0]
    if param == "W_y":
        value, formula = np.tile(step.cache.state[0], (K, 1)), rf"h_{{{k}}}^\top"
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

"""What a cell declares: its parameters, its state, one step forward and back, and the
derivatives the chain-rule terms are made of, with their symbols and LaTeX.

A cell is a small frozen dataclass. Shapes, with d = input_size, H = hidden_size and
n = len(states) (1 for Elman and GRU, 2 for LSTM): x_t (d,); each state (H,); the whole
state s_t = concat(states) (S,) with S = n * H, h first.

- `specs(d, H)`: every trained parameter of the cell (the output layer W_y, b_y and the
  initial states are shared by all cells and declared by the model).
- `forward(p, x_t, state_prev)` -> StepCache: the new state and the step's named values
  (pre-activations, gates), everything the backward step needs.
- `local_backward(p, cache, dstate)` -> (dstate_prev, local): given dL/ds_t (one array
  per state), the share of dL/ds_{t-1} through this step and the named local gradients
  (delta_t for Elman; each gate's dL/da).
- `uses(cache)`: which local gradient times which operand is each parameter's use at t
  (Elman: dW_x = delta x^T, dW_h = delta h_{t-1}^T, db = delta); `backward` and
  `batched_uses` (all steps at once, as matrix products) are built from it.
- `project(p, inputs)` -> (T, G): every step's input part (W_x* x_t + b_*) at once, which
  `forward(..., projected=row)` then adds instead of computing it.
- `jacobian(p, cache)` -> ds_t/ds_{t-1}, (S, S).
- `direct(name, p, cache)` -> Direct: d+s_t/dtheta (everything before t held fixed);
  `directs(p, cache)` every parameter's at once (the gate coefficients computed once).
- The worked forms of those factors, entry by entry: `jacobian_entry(j)` and
  `direct_entry(name, t)` -> Blocks, templates of one entry written with named numbers
  (app.core.entries), and `entry_numbers(p, cache, t)` -> the Numbers of step t they name.
- `through(name)`: None when the direct partial is diagonal (unit i of the gate feeds unit i
  of the state); else the LaTeX of the gate's pre-activation a (the GRU's reset gate, a^{r}),
  and the term writes it as two factors, ds_t/da (`gate_latex`, `gate_entry`; (S, H)) times
  d+a_t/dtheta (the operand in every row, `direct_latex`, `direct_entry`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar, Protocol

import numpy as np

Arrays = Mapping[str, np.ndarray]
State = tuple[np.ndarray, ...]


@dataclass(frozen=True)
class ParamSpec:
    """One trained parameter of a cell: shape (H, d), (H, H) or (H,) from `cols`."""

    name: str
    cols: str  # "d" (input weights), "H" (recurrent weights) or "" (a bias)
    role: str  # in words, e.g. "input weights of the update gate z"
    latex: str  # how the equations write it, e.g. W_{xz}

    def shape(self, d: int, H: int) -> tuple[int, ...]:
        return (H,) if not self.cols else (H, d if self.cols == "d" else H)


@dataclass(frozen=True, eq=False)
class StepCache:
    """What forward step t computed: the inputs it used, the new state, its named values."""

    x: np.ndarray  # x_t (d,)
    state_prev: State  # s_{t-1}, one (H,) array per state
    state: State  # s_t, one (H,) array per state
    values: dict[str, np.ndarray]  # named values of the step (a_t; or the gates), each (H,)


@dataclass(frozen=True, eq=False)
class Direct:
    """d+s_t/dtheta for a parameter theta of shape (H, m) or (H,): row i of theta is used
    only by unit i of its gate, so the partial is coef (one number per state unit and gate
    unit) times the operand vector (x_t, h_{t-1} or r_t * h_{t-1}; None for a bias).

    coef: (S,) when unit i of the gate reaches only unit i of each state (diagonal: then
    ds_t[s H + i]/dtheta[i, j] = coef[s H + i] * operand[j]), else (S, H) with
    ds_t[u]/dtheta[i, j] = coef[u, i] * operand[j]. n_states: S // H.
    """

    coef: np.ndarray
    operand: np.ndarray | None
    n_states: int = 1

    @property
    def diagonal(self) -> bool:
        return self.coef.ndim == 1

    def factor_value(self) -> np.ndarray:
        """The matrix shown as the factor: (S, m) or (S,) if diagonal, else coef (S, H)."""
        if self.diagonal and self.operand is not None:
            return np.outer(self.coef, self.operand)
        return self.coef

    def contract(self, row: np.ndarray) -> np.ndarray:
        """row (S,) = dl/ds_t times this partial: the term, shaped like the parameter."""
        if not self.diagonal:
            unit = row @ self.coef
            return unit if self.operand is None else np.outer(unit, self.operand)
        value = self.factor_value()
        scaled = row[:, None] * value if value.ndim == 2 else row * value  # scale theta's rows
        if self.n_states == 1:
            return scaled
        return scaled.reshape(self.n_states, -1, *scaled.shape[1:]).sum(axis=0)

    def unit_weights(self, rows: np.ndarray) -> np.ndarray:
        """rows (n, S) of dl_k/ds_t -> (n, H): each term is outer(weights, operand)."""
        if not self.diagonal:
            return rows @ self.coef
        weighted = rows * self.coef
        if self.n_states == 1:
            return weighted
        return weighted.reshape(rows.shape[0], self.n_states, -1).sum(axis=1)


@dataclass(frozen=True, eq=False)
class Number:
    """A named value an entry template reads: h_3 (H,), W_h (H, H), z_3 (H,), ..."""

    name: str  # as the templates name it, e.g. "h_3", "W_h", "yhat_3"
    latex: str  # as the formulas write it, e.g. "h_{3}", "\hat y_{3}"
    value: np.ndarray


# The entry templates of one factor, by block: ((template,),) for most factors; a factor
# whose rows (or columns) run over the parts of an LSTM's state (h, then c) has one template
# per block, rows of blocks first, with i and j counted within the block.
Blocks = tuple[tuple[str, ...], ...]


def one(template: str) -> Blocks:
    """The blocks of a factor written by one template."""
    return ((template,),)


def step_numbers(p: Arrays, cache: StepCache, t: int, states: tuple[str, ...]) -> list[Number]:
    """The numbers of step t every cell's templates may name: x_t, each state part at t and
    t - 1 (h_3, h_2, c_3, c_2), the step's named values (z_3, a_3, tanh_c_3), the parameters
    by name, and the identity I (H, H)."""
    found = [Number(f"x_{t}", f"x_{{{t}}}", cache.x)]
    for s, now, before in zip(states, cache.state, cache.state_prev, strict=True):
        found.append(Number(f"{s}_{t}", f"{s}_{{{t}}}", now))
        found.append(Number(f"{s}_{t - 1}", f"{s}_{{{t - 1}}}", before))
    for name, value in cache.values.items():
        latex = rf"\tanh c_{{{t}}}" if name == "tanh_c" else f"{name}_{{{t}}}"
        found.append(Number(f"{name}_{t}", latex, value))
    found += [Number(name, latex_name(name), value) for name, value in p.items()]
    found.append(Number("I", "I", np.eye(cache.state[0].shape[0])))
    return found


def latex_name(param: str) -> str:
    """W_hi -> W_{hi}: a subscript of more than one letter in braces (W_x stays W_x)."""
    head, _, sub = param.partition("_")
    return f"{head}_{{{sub}}}" if len(sub) > 1 else param


@dataclass(frozen=True)
class StepLine:
    r"""One forward equation as a template the page fills with the step's numbers.

    `rhs` and `via` are LaTeX with placeholders: [[name]] is a parameter (W_xz), the input
    (x), a previous state (h_prev, c_prev), a new state (h, c) or a named value of the step
    (z, a, tanh_c); [[*]] is a product (a thin space in the symbolic line, \cdot with
    numbers). `{t}` and `{t-1}` stand for the step. The page writes
    lhs = rhs (symbols), = rhs (numbers), = via (numbers, when given) = result's value.
    """

    lhs: str  # e.g. z_{t}
    rhs: str  # e.g. \sigma([[W_xz]] [[*]] [[x]] + [[W_hz]] [[*]] [[h_prev]] + [[b_z]])
    result: str  # the name of the value the line computes: z
    via: str = ""  # an intermediate form with numbers, e.g. \tanh([[a]])


def gate_line(gate: str, value: str, squash: str, operand: str = "[[h_prev]]") -> StepLine:
    r"""value_t = squash(W_x<gate> x_t + W_h<gate> operand + b_<gate>), squash \sigma or \tanh."""
    rhs = rf"{squash}([[W_x{gate}]] [[*]] [[x]] + [[W_h{gate}]] [[*]] {operand} + [[b_{gate}]])"
    return StepLine(f"{value}_{{t}}", rhs, value)


Uses = tuple[tuple[str, tuple[tuple[str, np.ndarray | None], ...]], ...]


def uses_at(uses: Uses, local: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each parameter's use at one step: outer(local gradient, operand), or the gradient."""
    grads = {}
    for local_name, operands in uses:
        da = local[local_name]
        for name, operand in operands:
            grads[name] = da if operand is None else np.outer(da, operand)
    return grads


def batched_uses(
    every_uses: list[Uses], locals_: list[Mapping[str, np.ndarray]]
) -> dict[str, np.ndarray]:
    """The sum over steps of each parameter's use, as one matrix product per parameter:
    dW = D^T O with D (T, H) the stacked local gradients and O (T, m) the operands."""
    grads = {}
    for index, (local_name, operands) in enumerate(every_uses[0]):
        stacked = np.array([local[local_name] for local in locals_])  # (T, H)
        for position, (name, operand) in enumerate(operands):
            if operand is None:
                grads[name] = stacked.sum(axis=0)
                continue
            rows = np.array([uses[index][1][position][1] for uses in every_uses])  # (T, m)
            grads[name] = stacked.T @ rows
    return grads


class Cell(Protocol):
    name: ClassVar[str]
    states: ClassVar[tuple[str, ...]]
    equations: ClassVar[tuple[str, ...]]  # the forward equations in LaTeX, one per line
    value_latex: ClassVar[tuple[tuple[str, str], ...]]  # symbols of named values not v_{t}

    def step_lines(self) -> tuple[StepLine, ...]: ...

    def specs(self) -> tuple[ParamSpec, ...]: ...

    def forward(
        self, p: Arrays, x_t: np.ndarray, state_prev: State, projected: np.ndarray | None = None
    ) -> StepCache: ...

    def project(self, p: Arrays, inputs: np.ndarray) -> np.ndarray: ...

    def local_backward(
        self, p: Arrays, cache: StepCache, dstate: State
    ) -> tuple[State, dict[str, np.ndarray]]: ...

    def uses(self, cache: StepCache) -> Uses: ...

    def backward(
        self, p: Arrays, cache: StepCache, dstate: State
    ) -> tuple[State, dict[str, np.ndarray], dict[str, np.ndarray]]: ...

    def jacobian(self, p: Arrays, cache: StepCache) -> np.ndarray: ...

    def direct(self, name: str, p: Arrays, cache: StepCache) -> Direct: ...

    def directs(self, p: Arrays, cache: StepCache) -> dict[str, Direct]: ...

    def jacobian_latex(self, j: int) -> str: ...

    def jacobian_entry(self, j: int) -> Blocks: ...

    def direct_entry(self, name: str, t: int) -> Blocks: ...

    def entry_numbers(self, p: Arrays, cache: StepCache, t: int) -> list[Number]: ...

    def through(self, name: str) -> str | None: ...

    def direct_latex(self, name: str, t: int) -> str: ...

    def edges(self, t: int) -> tuple[tuple[str, str], ...]: ...

    def param_target(self, name: str) -> str: ...

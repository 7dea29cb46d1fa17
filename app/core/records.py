"""What each step of the stepper computed (docs/design.md section 3)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from app.core.cells import StepCache
from app.core.graph import Path
from app.core.optimizers import OptimizerState, Quantity
from app.core.terms import StepTerms


@dataclass(frozen=True)
class Divergence:
    """The first quantity that stopped being finite, and the step that produced it."""

    phase: str  # forward | backward | update
    t: int | None
    quantity: str

    def sentence(self) -> str:
        where = f"At the {self.phase} step t = {self.t}" if self.t else f"At the {self.phase}"
        return (
            f"{where}, {self.quantity} stopped being a finite number: the values overflowed. "
            "Start over with smaller weights, a smaller learning rate, "
            "or gradient clipping (clip_norm)."
        )


def first_non_finite(
    phase: str, t: int | None, quantities: list[tuple[str, object]]
) -> Divergence | None:
    """Name the first of `quantities` (in the order computed) holding a NaN or infinity."""
    for name, value in quantities:
        if value is not None and not np.isfinite(value).all():
            return Divergence(phase, t, name)
    return None


@dataclass(frozen=True, eq=False)
class ForwardRecord:
    """Forward step t: the cell's step (s_t from x_t and s_{t-1}), and if t in S the output."""

    t: int
    cache: StepCache  # x_t, s_{t-1}, s_t and the step's named values (a_t, or the gates)
    z: np.ndarray | None  # (K,) logits, only for t in S
    yhat: np.ndarray | None  # (K,)
    y: np.ndarray | None  # (K,) the target
    loss: float | None  # l_t
    loss_so_far: float  # sum of l_k for k in S, k <= t
    trace: Callable[[], Path]  # what the step computes, in the graph, when asked
    diverged: Divergence | None
    states: tuple[str, ...] = ("h",)  # the cell's state names, in the order of cache.state

    kind = "forward"

    @property
    def path(self) -> Path:
        """s_t from x_t and s_{t-1} (and yhat_t, loss_t at a loss step), built when asked."""
        return self.trace()

    @property
    def x(self) -> np.ndarray:
        return self.cache.x

    @property
    def h_prev(self) -> np.ndarray:
        return self.cache.state_prev[0]

    @property
    def h(self) -> np.ndarray:
        return self.cache.state[0]

    @property
    def a(self) -> np.ndarray | None:
        """Elman's pre-activation a_t (H,); None for a gated cell."""
        return self.cache.values.get("a")


@dataclass(frozen=True, eq=False)
class BackwardRecord:
    """Backward step t: dL/ds_t, the cell's local gradients, the gradient sums so far, and
    the summaries of the terms it completes."""

    t: int
    dz: np.ndarray | None  # dl_t/dz_t (K,), only for t in S
    dstate: tuple[np.ndarray, ...]  # dL/dh_t (and dL/dc_t), each (H,) (truncated if tau is set)
    local: dict[str, np.ndarray]  # the cell's local gradients (Elman: delta_t, f'(a_t)), (H,)
    jacobian: np.ndarray  # ds_t/ds_{t-1} (S, S)
    grads: dict[str, np.ndarray]  # the recursion's gradient sums over steps T..t
    terms: tuple[StepTerms, ...]  # by parameter, each for its loss steps k
    trace: Callable[[], Path]  # the part of the graph this step goes back along, when asked
    diverged: Divergence | None
    states: tuple[str, ...] = ("h",)  # the cell's state names, in the order of dstate
    dropped: tuple[StepTerms, ...] = ()  # the terms the window drops here (k - t >= tau)

    kind = "backward"

    @property
    def path(self) -> Path:
        """Every term this step completes, merged (built when asked: O(T) ids a step)."""
        return self.trace()

    @property
    def dh(self) -> np.ndarray:
        return self.dstate[0]

    @property
    def delta(self) -> np.ndarray | None:
        return self.local.get("delta")

    @property
    def f_grad(self) -> np.ndarray | None:
        return self.local.get("f_grad")


@dataclass(frozen=True, eq=False)
class UpdateRecord:
    """Clip the global norm if asked, then the optimiser's step (SGD: theta - eta * g)."""

    epoch: int
    learning_rate: float
    params_old: dict[str, np.ndarray]
    grads: dict[str, np.ndarray]  # raw, as the backward pass computed them
    grads_applied: dict[str, np.ndarray]  # after clipping (the same arrays if not clipped)
    grad_norm: float  # global L2 norm of the raw gradient
    clip_norm: float | None
    clipped: bool
    params_new: dict[str, np.ndarray]
    loss_before: float
    loss_after: float
    diverged: Divergence | None
    optimizer: str = "sgd"  # its name
    hyper: dict[str, float] | None = None  # its hyper-parameters
    formula: tuple[str, ...] = ()  # its rule in LaTeX, one line per assignment
    entry: tuple[tuple[str, str], ...] = ()  # its rule for one entry, with numbers (base.py)
    quantities: tuple[Quantity, ...] = ()  # g, v, m_hat, ... per parameter
    update_number: int = 1  # n: the optimiser's count of updates, this one included
    state_before: OptimizerState | None = None  # the optimiser's state before (None: initial)
    state_after: OptimizerState | None = None  # what it carries into the next epoch
    trained: bool = False  # its gradient came from the training path (equal to rounding)

    kind = "update"

"""What each step of the stepper computed (DESIGN.md section 3)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.core.graph import Path
from app.core.terms import Term


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
        if value is not None and not np.all(np.isfinite(value)):
            return Divergence(phase, t, name)
    return None


@dataclass(frozen=True, eq=False)
class ForwardRecord:
    """Forward step t: a_t = W_x x_t + W_h h_{t-1} + b, h_t = f(a_t), and if t in S the output."""

    t: int
    x: np.ndarray  # (d,)
    h_prev: np.ndarray  # (H,)
    a: np.ndarray  # (H,)
    h: np.ndarray  # (H,)
    z: np.ndarray | None  # (K,) logits, only for t in S
    yhat: np.ndarray | None  # (K,)
    y: np.ndarray | None  # (K,) the target
    loss: float | None  # l_t
    loss_so_far: float  # sum of l_k for k in S, k <= t
    path: Path
    diverged: Divergence | None

    kind = "forward"


@dataclass(frozen=True, eq=False)
class BackwardRecord:
    """Backward step t: dL/dh_t, delta_t, the gradient sums so far, and the terms it completes."""

    t: int
    dz: np.ndarray | None  # dl_t/dz_t (K,), only for t in S
    dh: np.ndarray  # dL/dh_t (H,) (truncated if tau is set)
    delta: np.ndarray  # dL/da_t = dL/dh_t * f'(a_t) (H,)
    f_grad: np.ndarray  # f'(a_t) (H,)
    jacobian: np.ndarray  # dh_t/dh_{t-1} = diag(f'(a_t)) W_h (H, H)
    grads: dict[str, np.ndarray]  # the recursion's gradient sums over steps T..t
    terms: tuple[Term, ...]
    path: Path
    diverged: Divergence | None

    kind = "backward"


@dataclass(frozen=True, eq=False)
class UpdateRecord:
    """theta_new = theta_old - eta * dL/dtheta (after clipping the global norm if asked)."""

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

    kind = "update"

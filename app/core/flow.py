"""Gradient flow over time: |dL/dh_t| per step and the k x t sizes of one parameter's terms.

`gradient_flow(run, param)` reads what the backward steps taken so far computed (a step not
taken yet is NaN), so it grows as the student steps back through time. Shapes, with T steps:

    state_grad_norms (T,)   |dL/dh_t|_2, the hidden state's gradient (truncated if tau is set)
    sizes (R, T)            term(k, t)'s size |dl_k/dtheta_t|, row r for loss step ks[r]:
                            R = T for many-to-many, a 1 x T strip (k = T) for many-to-one
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.core.stepper import Run
from app.core.trace import term_sizes


@dataclass(frozen=True, eq=False)
class Flow:
    """What the backward pass so far says about how the gradient flows back in time."""

    param: str  # the parameter whose terms `sizes` holds
    state_grad_norms: np.ndarray  # (T,) |dL/dh_t|, NaN for a step not taken yet
    ks: tuple[int, ...]  # the loss step k of each row of `sizes`
    sizes: np.ndarray  # (len(ks), T) term sizes, NaN where there is no term (yet)
    complete: bool  # every backward step of the epoch is taken

    @property
    def size_range(self) -> tuple[float, float] | None:
        """(smallest, largest) positive finite term size: the ends of the colour scale."""
        finite = self.sizes[np.isfinite(self.sizes) & (self.sizes > 0)]
        if not finite.size:
            return None
        return float(finite.min()), float(finite.max())


def gradient_flow(run: Run, param: str) -> Flow:
    """|dL/dh_t| for every backward step taken, and `param`'s term sizes by (k, t)."""
    config, T = run.scenario.config, run.T
    norms = np.full(T, np.nan)
    with np.errstate(all="ignore"):
        for record in run.backward:
            norms[record.t - 1] = np.linalg.norm(record.dstate[0])
    ks = config.loss_steps(T)
    sizes = term_sizes(run, param)[np.array(ks) - 1]
    return Flow(param, norms, ks, sizes, len(run.backward) == T)

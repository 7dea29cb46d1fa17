"""RMSProp, as torch.optim.RMSprop (its alpha is rho here):
s <- rho s + (1 - rho) g^2; theta <- theta - eta g / (sqrt(s) + eps).

s is a running mean of the squared gradient, element-wise, starting at zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from app.core.optimizers.base import Arrays, OptimizerState, OptimizerStep, Quantity
from app.core.optimizers.rules import fraction, positive


@dataclass(frozen=True)
class RMSProp:
    """rho: the share of the last mean square kept, 0 <= rho < 1; eps > 0 guards the division."""

    rho: float = 0.99
    eps: float = 1e-8

    name: ClassVar[str] = "rmsprop"
    formula: ClassVar[tuple[str, ...]] = (
        r"s \leftarrow \rho\, s + (1 - \rho)\, g^2",
        r"\theta \leftarrow \theta - \eta\, \frac{g}{\sqrt{s} + \epsilon}",
    )
    entry: ClassVar[tuple[tuple[str, str], ...]] = (
        ("s", r"[[rho]] [[*]] [[prev_s:ij]] + (1 - [[rho]]) [[*]] [[g:ij]]^2"),
        ("new", r"[[old:ij]] - [[eta]] [[*]] \frac{[[g:ij]]}{\sqrt{[[s:ij]]} + [[eps]]}"),
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "rho", fraction("rho", self.rho))
        object.__setattr__(self, "eps", positive("eps", self.eps))

    def init_state(self, params: Arrays) -> OptimizerState:
        zeros = {name: np.zeros_like(value, dtype=np.float64) for name, value in params.items()}
        return OptimizerState(0, {"s": zeros})

    def step(
        self, params: Arrays, grads: Arrays, state: OptimizerState, learning_rate: float
    ) -> OptimizerStep:
        mean_sq, new, delta = {}, {}, {}
        for name, g in grads.items():
            # running mean of the squared gradient, then scale the step per element
            mean_sq[name] = self.rho * state.slots["s"][name] + (1.0 - self.rho) * g * g
            new[name] = params[name] - learning_rate * g / (np.sqrt(mean_sq[name]) + self.eps)
            delta[name] = new[name] - params[name]
        quantities = (
            Quantity("g", "g", dict(grads)),
            Quantity("s", "s", mean_sq),
            Quantity("delta", r"\Delta\theta", delta),
        )
        return OptimizerStep(new, OptimizerState(state.n + 1, {"s": mean_sq}), quantities)

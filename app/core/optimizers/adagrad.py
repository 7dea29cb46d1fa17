"""Adagrad, as torch.optim.Adagrad: G <- G + g^2; theta <- theta - eta g / (sqrt(G) + eps).

G sums every squared gradient so far, element-wise; eps sits outside the square root.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from app.core.optimizers.base import Arrays, OptimizerState, OptimizerStep, Quantity
from app.core.optimizers.rules import positive


@dataclass(frozen=True)
class Adagrad:
    """eps: added to sqrt(G) so a parameter whose gradients were all zero is not divided by 0."""

    eps: float = 1e-10

    name: ClassVar[str] = "adagrad"
    formula: ClassVar[tuple[str, ...]] = (
        r"G \leftarrow G + g^2",
        r"\theta \leftarrow \theta - \eta\, \frac{g}{\sqrt{G} + \epsilon}",
    )
    entry: ClassVar[tuple[tuple[str, str], ...]] = (
        ("G", r"[[prev_G:ij]] + [[g:ij]]^2"),
        ("new", r"[[old:ij]] - [[eta]] [[*]] \frac{[[g:ij]]}{\sqrt{[[G:ij]]} + [[eps]]}"),
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "eps", positive("eps", self.eps))

    def init_state(self, params: Arrays) -> OptimizerState:
        zeros = {name: np.zeros_like(value, dtype=np.float64) for name, value in params.items()}
        return OptimizerState(0, {"G": zeros})

    def step(
        self, params: Arrays, grads: Arrays, state: OptimizerState, learning_rate: float
    ) -> OptimizerStep:
        sum_sq, new, delta = {}, {}, {}
        for name, g in grads.items():
            # accumulate the squared gradient, then scale the step per element
            sum_sq[name] = state.slots["G"][name] + g * g
            new[name] = params[name] - learning_rate * g / (np.sqrt(sum_sq[name]) + self.eps)
            delta[name] = new[name] - params[name]
        quantities = (
            Quantity("g", "g", dict(grads)),
            Quantity("G", "G", sum_sq),
            Quantity("delta", r"\Delta\theta", delta),
        )
        return OptimizerStep(new, OptimizerState(state.n + 1, {"G": sum_sq}), quantities)

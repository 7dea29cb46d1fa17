"""Gradient descent with momentum, as torch.optim.SGD(momentum=mu):
v <- mu v + g; theta <- theta - eta v.

The velocity v starts at zero, so the first update's v is g (the same step as plain SGD).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from app.core.optimizers.base import Arrays, OptimizerState, OptimizerStep, Quantity
from app.core.optimizers.rules import fraction


@dataclass(frozen=True)
class Momentum:
    """momentum: mu, the share of the last velocity kept, 0 <= mu < 1."""

    momentum: float = 0.9

    name: ClassVar[str] = "momentum"
    formula: ClassVar[tuple[str, ...]] = (
        r"v \leftarrow \mu\, v + g",
        r"\theta \leftarrow \theta - \eta\, v",
    )
    entry: ClassVar[tuple[tuple[str, str], ...]] = (
        ("v", r"[[momentum]] [[*]] [[prev_v:ij]] + [[g:ij]]"),
        ("new", r"[[old:ij]] - [[eta]] [[*]] [[v:ij]]"),
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "momentum", fraction("momentum", self.momentum))

    def init_state(self, params: Arrays) -> OptimizerState:
        zeros = {name: np.zeros_like(value, dtype=np.float64) for name, value in params.items()}
        return OptimizerState(0, {"v": zeros})

    def step(
        self, params: Arrays, grads: Arrays, state: OptimizerState, learning_rate: float
    ) -> OptimizerStep:
        velocity, new, delta = {}, {}, {}
        for name, g in grads.items():
            # accumulate the velocity, then step along it
            velocity[name] = self.momentum * state.slots["v"][name] + g
            new[name] = params[name] - learning_rate * velocity[name]
            delta[name] = new[name] - params[name]
        quantities = (
            Quantity("g", "g", dict(grads)),
            Quantity("v", "v", velocity),
            Quantity("delta", r"\Delta\theta", delta),
        )
        return OptimizerStep(new, OptimizerState(state.n + 1, {"v": velocity}), quantities)

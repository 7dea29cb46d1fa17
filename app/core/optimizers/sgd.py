"""Plain gradient descent, the notes' rule: theta <- theta - eta g."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from app.core.optimizers.base import Arrays, OptimizerState, OptimizerStep, Quantity


@dataclass(frozen=True)
class SGD:
    """No hyper-parameters but the learning rate eta (config.learning_rate); no state."""

    name: ClassVar[str] = "sgd"
    formula: ClassVar[tuple[str, ...]] = (r"\theta \leftarrow \theta - \eta\, g",)
    entry: ClassVar[tuple[tuple[str, str], ...]] = (
        ("new", r"[[old:ij]] - [[eta]] [[*]] [[g:ij]]"),
    )

    def init_state(self, params: Arrays) -> OptimizerState:
        return OptimizerState()

    def step(
        self, params: Arrays, grads: Arrays, state: OptimizerState, learning_rate: float
    ) -> OptimizerStep:
        new = {name: params[name] - learning_rate * g for name, g in grads.items()}
        delta = {name: new[name] - params[name] for name in grads}
        quantities = (Quantity("g", "g", dict(grads)), Quantity("delta", r"\Delta\theta", delta))
        return OptimizerStep(new, OptimizerState(state.n + 1), quantities)

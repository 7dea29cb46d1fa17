"""Adam, as torch.optim.Adam (no weight decay, no amsgrad):
m <- beta1 m + (1 - beta1) g;  v <- beta2 v + (1 - beta2) g^2;
m_hat = m / (1 - beta1^n);  v_hat = v / (1 - beta2^n)  at update n (the first update is n = 1);
theta <- theta - eta m_hat / (sqrt(v_hat) + eps).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from app.core.optimizers.base import Arrays, OptimizerState, OptimizerStep, Quantity
from app.core.optimizers.rules import fraction, positive


@dataclass(frozen=True)
class Adam:
    """beta1, beta2: decay of the first and second moment, each >= 0 and < 1; eps > 0."""

    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8

    name: ClassVar[str] = "adam"
    formula: ClassVar[tuple[str, ...]] = (
        r"m \leftarrow \beta_1 m + (1 - \beta_1)\, g",
        r"v \leftarrow \beta_2 v + (1 - \beta_2)\, g^2",
        r"\hat m = \frac{m}{1 - \beta_1^{\,n}}",
        r"\hat v = \frac{v}{1 - \beta_2^{\,n}}",
        r"\theta \leftarrow \theta - \eta\, \frac{\hat m}{\sqrt{\hat v} + \epsilon}",
    )
    entry: ClassVar[tuple[tuple[str, str], ...]] = (
        ("m", r"[[beta1]] [[*]] [[prev_m:ij]] + (1 - [[beta1]]) [[*]] [[g:ij]]"),
        ("v", r"[[beta2]] [[*]] [[prev_v:ij]] + (1 - [[beta2]]) [[*]] [[g:ij]]^2"),
        ("m_hat", r"\frac{[[m:ij]]}{1 - [[beta1]]^{[[n]]}}"),
        ("v_hat", r"\frac{[[v:ij]]}{1 - [[beta2]]^{[[n]]}}"),
        ("new", r"[[old:ij]] - [[eta]] [[*]] \frac{[[m_hat:ij]]}{\sqrt{[[v_hat:ij]]} + [[eps]]}"),
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "beta1", fraction("beta1", self.beta1))
        object.__setattr__(self, "beta2", fraction("beta2", self.beta2))
        object.__setattr__(self, "eps", positive("eps", self.eps))

    def init_state(self, params: Arrays) -> OptimizerState:
        def zeros() -> dict[str, np.ndarray]:
            return {name: np.zeros_like(value, dtype=np.float64) for name, value in params.items()}

        return OptimizerState(0, {"m": zeros(), "v": zeros()})

    def step(
        self, params: Arrays, grads: Arrays, state: OptimizerState, learning_rate: float
    ) -> OptimizerStep:
        n = state.n + 1  # this update's number, for the bias correction
        m, v, m_hat, v_hat, new, delta = {}, {}, {}, {}, {}, {}
        for name, g in grads.items():
            # moving averages of g and g^2, then undo their bias towards the zero start
            m[name] = self.beta1 * state.slots["m"][name] + (1.0 - self.beta1) * g
            v[name] = self.beta2 * state.slots["v"][name] + (1.0 - self.beta2) * g * g
            m_hat[name] = m[name] / (1.0 - self.beta1**n)
            v_hat[name] = v[name] / (1.0 - self.beta2**n)
            new[name] = params[name] - learning_rate * m_hat[name] / (
                np.sqrt(v_hat[name]) + self.eps
            )
            delta[name] = new[name] - params[name]
        quantities = (
            Quantity("g", "g", dict(grads)),
            Quantity("m", "m", m),
            Quantity("v", "v", v),
            Quantity("m_hat", r"\hat m", m_hat),
            Quantity("v_hat", r"\hat v", v_hat),
            Quantity("delta", r"\Delta\theta", delta),
        )
        return OptimizerStep(new, OptimizerState(n, {"m": m, "v": v}), quantities)

"""The Elman cell: h_t = f(W_x x_t + W_h h_{t-1} + b), f one of tanh, sigmoid, relu, identity.

Shapes: x_t (d,), h_prev (H,), a_t (H,), h_t (H,), W_x (H, d), W_h (H, H), b (H,).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from app.core.cells.base import (
    Arrays,
    Blocks,
    Direct,
    Number,
    ParamSpec,
    State,
    StepCache,
    StepLine,
    Uses,
    one,
    step_numbers,
    uses_at,
)
from app.core.functions import activate, activation_grad, activation_grad_latex


@dataclass(frozen=True)
class Elman:
    """The notes' RNN; `activation` is f."""

    activation: str = "tanh"

    name: ClassVar[str] = "elman"
    states: ClassVar[tuple[str, ...]] = ("h",)
    state_symbol: ClassVar[str] = "h"
    equations: ClassVar[tuple[str, ...]] = (
        r"a_t = W_x x_t + W_h h_{t-1} + b",
        r"h_t = f(a_t)",
    )

    value_latex: ClassVar[tuple[tuple[str, str], ...]] = ()

    def step_lines(self) -> tuple[StepLine, ...]:
        """h_t = f(W_x x_t + W_h h_{t-1} + b) = f(a_t), f written as the activation's LaTeX."""
        f = {"tanh": r"\tanh", "sigmoid": r"\sigma", "relu": r"\operatorname{relu}"}.get(
            self.activation, ""
        )
        inner = "[[W_x]] [[*]] [[x]] + [[W_h]] [[*]] [[h_prev]] + [[b]]"
        if not f:  # the identity: h_t = a_t
            return (StepLine("h_{t}", inner, "h"),)
        return (StepLine("h_{t}", rf"{f}({inner})", "h", via=rf"{f}([[a]])"),)

    def specs(self) -> tuple[ParamSpec, ...]:
        return (
            ParamSpec("W_x", "d", "input weights", "W_x"),
            ParamSpec("W_h", "H", "recurrent weights", "W_h"),
            ParamSpec("b", "", "hidden bias", "b"),
        )

    def forward(
        self, p: Arrays, x_t: np.ndarray, state_prev: State, projected: np.ndarray | None = None
    ) -> StepCache:
        """a_t = W_x x_t + W_h h_prev + b (W_x x_t + b given as `projected`), h_t = f(a_t)."""
        (h_prev,) = state_prev
        if projected is None:
            a_t = p["W_x"] @ x_t + p["W_h"] @ h_prev + p["b"]
        else:
            a_t = projected + p["W_h"] @ h_prev
        return StepCache(x_t, state_prev, (activate(self.activation, a_t),), {"a": a_t})

    def project(self, p: Arrays, inputs: np.ndarray) -> np.ndarray:
        """W_x x_t + b for every t at once: (T, H)."""
        return inputs @ p["W_x"].T + p["b"]

    def local_backward(
        self, p: Arrays, cache: StepCache, dstate: State
    ) -> tuple[State, dict[str, np.ndarray]]:
        """Backprop through f: delta_t = dL/dh_t * f'(a_t); dL/dh_{t-1} share = W_h^T delta_t."""
        (dh,), (h_t,) = dstate, cache.state
        f_grad = activation_grad(self.activation, cache.values["a"], h_t)
        delta = dh * f_grad
        return (p["W_h"].T @ delta,), {"delta": delta, "f_grad": f_grad}

    def uses(self, cache: StepCache) -> Uses:
        """dW_x = delta x^T, dW_h = delta h_{t-1}^T, db = delta."""
        return (("delta", (("W_x", cache.x), ("W_h", cache.state_prev[0]), ("b", None))),)

    def backward(
        self, p: Arrays, cache: StepCache, dstate: State
    ) -> tuple[State, dict[str, np.ndarray], dict[str, np.ndarray]]:
        share, local = self.local_backward(p, cache, dstate)
        return share, uses_at(self.uses(cache), local), local

    def local_grad(self, cache: StepCache) -> np.ndarray:
        """f'(a_t) (H,)."""
        return activation_grad(self.activation, cache.values["a"], cache.state[0])

    def jacobian(self, p: Arrays, cache: StepCache) -> np.ndarray:
        """dh_t/dh_{t-1} = diag(f'(a_t)) W_h, (H, H)."""
        return self.local_grad(cache)[:, None] * p["W_h"]

    def direct(self, name: str, p: Arrays, cache: StepCache) -> Direct:
        """d+h_t/dtheta: f'(a_t) times the operand theta multiplies (x_t, h_{t-1}, none)."""
        return self.directs(p, cache)[name]

    def directs(self, p: Arrays, cache: StepCache) -> dict[str, Direct]:
        """Every parameter's Direct, sharing one f'(a_t) (H,)."""
        coef = self.local_grad(cache)
        return {
            "W_x": Direct(coef, cache.x),
            "W_h": Direct(coef, cache.state_prev[0]),
            "b": Direct(coef, None),
        }

    def direct_latex(self, name: str, t: int) -> str:
        local = activation_grad_latex(self.activation, t)
        operand = {"W_x": rf"\,x_{{{t}}}^\top", "W_h": rf"\,h_{{{t - 1}}}^\top"}.get(name, "")
        return rf"({local}){operand}"

    def jacobian_latex(self, j: int) -> str:
        return rf"\operatorname{{diag}}({activation_grad_latex(self.activation, j)})\,W_h"

    def local_grad_entry(self, t: int) -> str:
        """f'(a_t) at unit i, as activation_grad_latex writes it, entry by entry."""
        h = f"[[h_{t}:i]]"
        return {
            "tanh": f"1 - {h}^2",
            "sigmoid": f"{h}(1 - {h})",
            "relu": rf"\mathbb{{1}}[[[a_{t}:i]] > 0]",
            "identity": "1",
        }[self.activation]

    def jacobian_entry(self, j: int) -> Blocks:
        """[dh_j/dh_{j-1}]_ik = f'(a_j)_i W_h[i, k]."""
        return one(f"({self.local_grad_entry(j)}) [[*]] [[W_h:ij]]")

    def direct_entry(self, name: str, t: int) -> Blocks:
        """[d+h_t/dW_x]_ij = f'(a_t)_i x_t[j]; of W_h, f'(a_t)_i h_{t-1}[j]; of b, f'(a_t)_i."""
        local = self.local_grad_entry(t)
        operand = {"W_x": f"[[x_{t}:j]]", "W_h": f"[[h_{t - 1}:j]]"}.get(name)
        return one(f"({local}) [[*]] {operand}" if operand else local)

    def entry_numbers(self, p: Arrays, cache: StepCache, t: int) -> list[Number]:
        return step_numbers(p, cache, t, self.states)

    def through(self, name: str) -> str | None:
        return None  # every direct partial is diagonal: unit i of a gate feeds unit i only

    def edges(self, t: int) -> tuple[tuple[str, str], ...]:
        return ((f"x_{t}", f"h_{t}"), (f"h_{t - 1}", f"h_{t}"))

    def param_target(self, name: str) -> str:
        return "h"

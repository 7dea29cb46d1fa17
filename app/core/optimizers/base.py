"""What every optimiser declares: its state, its step, and the named quantities of an update.

An optimiser is a small frozen dataclass whose fields are its hyper-parameters (named as
in torch.optim), with a class-level `name` and `formula` (the rule in LaTeX, one line per
assignment). `step` is pure: it takes the parameters, the (clipped) gradients and the state
the last update left, and returns the new parameters, the new state and every quantity it
computed on the way, per parameter, so a page can typeset the rule with its numbers.

Shapes: params, grads and every slot hold one array per trained parameter, each shaped
like that parameter.

`entry` writes the rule for one entry (i, j) of a parameter, so that a student can redo the
update from the numbers: one (name, template) per line, in the order applied, the last named
"new" (theta_new). A template is LaTeX with placeholders the page fills with the numbers of
the entry in view (app/core/entries.py's form):

    [[q:ij]]       entry (i, j) of this update's quantity q (g, v, m_hat, ...)
    [[prev_s:ij]]  entry (i, j) of slot s as the update found it (zeros for a fresh state)
    [[old:ij]]     entry (i, j) of theta_old
    [[eta]]        the learning rate;  [[<hyper>]] a hyper-parameter ([[beta1]], [[eps]])
    [[n]]          the update's number n (an integer, written as it is)
    [[*]]          a product

e.g. momentum's ("v", "[[momentum]] [[*]] [[prev_v:ij]] + [[g:ij]]"): 0.9 * 0.01 + 0.2 = 0.209.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar, Protocol

import numpy as np

Arrays = Mapping[str, np.ndarray]


@dataclass(frozen=True, eq=False)
class OptimizerState:
    """What an optimiser carries from one update to the next.

    n: updates done so far (Adam's bias correction uses it).
    slots: slot name (e.g. "v", "m") -> parameter name -> array shaped like the parameter.
    """

    n: int = 0
    slots: Mapping[str, Arrays] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class Quantity:
    """One named quantity of an update (g, v, m_hat, ...), with its value for each parameter."""

    name: str  # an identifier: "g", "v", "m_hat"
    latex: str  # how the formula writes it: "g", "v", "\hat m"
    values: Arrays  # parameter name -> array shaped like the parameter


@dataclass(frozen=True, eq=False)
class OptimizerStep:
    """What one update computed: new parameters, the state after it, and its quantities."""

    params: dict[str, np.ndarray]
    state: OptimizerState
    quantities: tuple[Quantity, ...]


class Optimizer(Protocol):
    name: ClassVar[str]
    formula: ClassVar[tuple[str, ...]]  # LaTeX, one line per assignment, in the order applied
    entry: ClassVar[tuple[tuple[str, str], ...]]  # the rule for one entry (module docstring)

    def init_state(self, params: Arrays) -> OptimizerState:
        """The state before the first update (zeros, n = 0)."""
        ...

    def step(
        self, params: Arrays, grads: Arrays, state: OptimizerState, learning_rate: float
    ) -> OptimizerStep:
        """One update of every parameter in `grads`."""
        ...

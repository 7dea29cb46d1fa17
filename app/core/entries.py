r"""One entry of each factor of a term, written with the numbers that make it.

A factor's `entry` is a LaTeX template of its entry (i, j) (of entry i for a vector, of
entry (0, j) for a row), with placeholders the page fills with the numbers of the entry
in view and nothing else:

    [[name:ij]]  entry (i, j) of the named matrix      [[W_h:ij]]
    [[name:i]]   entry i of the named vector            [[h_3:i]]
    [[name:j]]   entry j of the named vector            [[h_2:j]]
    [[*]]        a product (a thin space with symbols, \cdot with numbers)

e.g. the Elman Jacobian dh_3/dh_2 = diag(1 - h_3^2) W_h has the entry template
(1 - [[h_3:i]]^2) [[*]] [[W_h:ij]]: on the seed example (1 - 0.3557^2) * 0.8 = 0.6988.
The named numbers (Number) travel with the term, each once.

Only the Elman cell's factors are written entry by entry here; the GRU's and LSTM's
Jacobians and gate partials keep their matrix formulas (empty templates).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from app.core.model import Config
from app.core.terms import Factor, StepView, Term


@dataclass(frozen=True, eq=False)
class Number:
    """A named value a factor's entry template reads: h_3 (H,), W_h (H, H), yhat_3 (K,), ..."""

    name: str  # as the templates name it, e.g. "h_3", "W_h", "yhat_3"
    latex: str  # as the formulas write it, e.g. "h_{3}", "\hat y_{3}"
    value: np.ndarray


def local_grad_entry(activation: str, t: int) -> str:
    """f'(a_t) at unit i, as the textbook writes it (activation_grad_latex, entry by entry)."""
    h = f"[[h_{t}:i]]"
    return {
        "tanh": f"1 - {h}^2",
        "sigmoid": f"{h}(1 - {h})",
        "relu": rf"\mathbb{{1}}[[[a_{t}:i]] > 0]",
        "identity": "1",
    }[activation]


def _entry(config: Config, factor: Factor, term: Term) -> str:
    """The entry template of one factor of `term` ("" where the cell writes none)."""
    elman = config.cell == "elman"
    if factor.kind == "loss":
        return f"[[yhat_{term.k}:j]] - [[y_{term.k}:j]]"
    if factor.kind == "output":
        return "[[W_y:ij]]" if elman else ""
    if factor.kind == "direct" and term.param in config.output_params:
        return f"[[h_{term.k}:j]]" if term.param == "W_y" else "1"
    if not elman:
        return ""
    local = local_grad_entry(config.activation, factor.step)
    if factor.kind == "recurrent":
        return f"({local}) [[*]] [[W_h:ij]]"
    operand = {"W_x": f"[[x_{term.t}:j]]", "W_h": f"[[h_{term.t - 1}:j]]"}.get(term.param)
    return f"({local}) [[*]] {operand}" if operand else local


def _numbers(
    config: Config, params: dict[str, np.ndarray], steps: dict[int, StepView], term: Term
) -> tuple[Number, ...]:
    """Every value the term's templates name, each once, in the order first named."""
    k, t = term.k, term.t
    found = [
        Number(f"yhat_{k}", rf"\hat y_{{{k}}}", steps[k].yhat),
        Number(f"y_{k}", f"y_{{{k}}}", steps[k].y),
    ]
    if term.param == "W_y":
        found.append(Number(f"h_{k}", f"h_{{{k}}}", steps[k].cache.state[0]))
    if config.cell != "elman" or term.param in config.output_params:
        return tuple(found)
    found.append(Number("W_y", "W_y", params["W_y"]))
    for j in range(k, t - 1, -1):
        found.append(Number(f"h_{j}", f"h_{{{j}}}", steps[j].cache.state[0]))
        found.append(Number(f"a_{j}", f"a_{{{j}}}", steps[j].cache.values["a"]))
    if k > t:
        found.append(Number("W_h", "W_h", params["W_h"]))
    if term.param == "W_x":
        found.append(Number(f"x_{t}", f"x_{{{t}}}", steps[t].cache.x))
    if term.param == "W_h":
        found.append(Number(f"h_{t - 1}", f"h_{{{t - 1}}}", steps[t].cache.state_prev[0]))
    return tuple(found)


def with_entries(
    config: Config, params: dict[str, np.ndarray], steps: dict[int, StepView], term: Term
) -> Term:
    """`term` with each factor's entry template and the numbers they name."""
    factors = tuple(replace(f, entry=_entry(config, f, term)) for f in term.factors)
    return replace(term, factors=factors, numbers=_numbers(config, params, steps, term))

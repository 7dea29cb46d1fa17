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
The templates come by block (app.core.cells.base.Blocks): one for most factors, one per
block of an LSTM's state (h, then c), i and j counted within the block. Each block has its
label, the derivative it is (`blocks`), made from the state parts the cell declares
(`states`): the LSTM's ds_3/ds_2 has the blocks dh_3/dh_2, dh_3/dc_2, dc_3/dh_2 and dc_3/dc_2,
so its entry (3, 2) with H = 2 is [dc_3/dh_2]_{1,2}. A cell of one state has one block, the
factor itself.

A factor the notes write as a product (sigmoid + BCE: dl_k/dz_k = dl_k/dyhat_k *
dyhat_k/dz_k) has its parts' templates too, read the same way (`part_entries`): on the seed
example -[[y_3:j]]/[[yhat_3:j]] + (1 - [[y_3:j]])/(1 - [[yhat_3:j]]) = -1/0.6051 + 0 = -1.653
and [[yhat_3:j]] [[*]] (1 - [[yhat_3:j]]) = 0.6051 * 0.3949 = 0.2389.

The loss and output factors belong to the model and are written here; the recurrent and
direct factors of a cell parameter are the cell's own (`jacobian_entry`, `direct_entry`),
and so are the numbers of a step (`entry_numbers`). The named numbers travel with the
term, each once, in the order the templates first name them.
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np

from app.core.cells.base import Blocks, Number, latex_name, one
from app.core.model import Config
from app.core.terms import Factor, StepView, Term

PLACEHOLDER = re.compile(r"\[\[(\w+)(?::(?:ij|i|j))?\]\]")

__all__ = ["PLACEHOLDER", "Number", "block_labels", "part_entries", "with_entries"]


def _entry(config: Config, factor: Factor, term: Term) -> Blocks:
    """The entry templates of one factor of `term`."""
    cell = config.rnn
    if factor.kind == "loss":
        return one(f"[[yhat_{term.k}:j]] - [[y_{term.k}:j]]")
    if factor.kind == "output":  # dz/ds = [W_y 0 ...]: the output reads h only
        return (("[[W_y:ij]]",) + ("0",) * (len(cell.states) - 1),)
    if factor.kind == "recurrent":
        return cell.jacobian_entry(factor.step)
    if factor.kind == "gate":  # ds_t/da of a gate whose partial is not diagonal (GRU's r)
        return cell.gate_entry(term.param, term.t)
    if term.param in config.output_params:
        return one(f"[[h_{term.k}:j]]" if term.param == "W_y" else "1")
    return cell.direct_entry(term.param, term.t)


def part_entries(config: Config, factor: Factor, term: Term) -> tuple[Blocks, ...]:
    """The entry templates of the parts a factor splits into (sigmoid + BCE: the loss factor
    as dl_k/dyhat_k * dyhat_k/dz_k), one per part, in the order of `factor.parts`."""
    if factor.kind != "loss" or not factor.parts or config.output != "sigmoid_bce":
        return ()
    y, yhat = f"[[y_{term.k}:j]]", f"[[yhat_{term.k}:j]]"
    return (
        one(rf"-\frac{{{y}}}{{{yhat}}} + \frac{{1 - {y}}}{{1 - {yhat}}}"),  # dl/dyhat
        one(f"{yhat} [[*]] (1 - {yhat})"),  # dyhat/dz = sigma'(z) = yhat(1 - yhat)
    )


def derivative(top: str, bottom: str, direct: bool = False) -> str:
    r"""\frac{\partial top}{\partial bottom} (\partial^{+} for a direct partial)."""
    plus = "^{+}" if direct else ""
    return rf"\frac{{\partial{plus} {top}}}{{\partial {bottom}}}"


def state_parts(states: tuple[str, ...], t: int) -> tuple[str, ...]:
    """The parts of the state s_t in LaTeX, as the cell declares them: (h_{3}, c_{3})."""
    return tuple(f"{state}_{{{t}}}" for state in states)


def block_labels(config: Config, factor: Factor, term: Term) -> Blocks:
    """The derivative each block of `factor` is, shaped as its entry templates: its rows run
    over the state parts where it differentiates s_t (ds_j/ds_{j-1}, d+s_t/dtheta), its
    columns where it is taken with respect to s (dz_k/ds_k, ds_j/ds_{j-1}); else one block."""
    cell = config.rnn
    now = state_parts(cell.states, factor.step)
    if factor.kind == "output":
        return (tuple(derivative(f"z_{{{factor.step}}}", part) for part in now),)
    if factor.kind == "recurrent":
        before = state_parts(cell.states, factor.step - 1)
        return tuple(tuple(derivative(part, prev) for prev in before) for part in now)
    cell_param = term.param not in config.output_params
    if factor.kind == "direct" and cell_param and cell.through(term.param) is None:
        return tuple((derivative(part, latex_name(term.param), direct=True),) for part in now)
    return one(factor.latex)


def _numbers(
    config: Config,
    params: dict[str, np.ndarray],
    steps: dict[int, StepView],
    term: Term,
    templates: list[str],
) -> tuple[Number, ...]:
    """Every value the term's templates name, each once, in the order first named."""
    k, t = term.k, term.t
    known: dict[str, Number] = {}
    candidates = [
        Number(f"yhat_{k}", rf"\hat y_{{{k}}}", steps[k].yhat),
        Number(f"y_{k}", f"y_{{{k}}}", steps[k].y),
        Number(f"h_{k}", f"h_{{{k}}}", steps[k].cache.state[0]),
        Number("W_y", "W_y", params["W_y"]),
    ]
    if term.param not in config.output_params:
        for j in range(k, t - 1, -1):
            candidates += config.rnn.entry_numbers(params, steps[j].cache, j)
    for number in candidates:
        known.setdefault(number.name, number)
    named = dict.fromkeys(
        name for template in templates for name in PLACEHOLDER.findall(template) if name != "*"
    )
    return tuple(known[name] for name in named)


def with_entries(
    config: Config, params: dict[str, np.ndarray], steps: dict[int, StepView], term: Term
) -> Term:
    """`term` with each factor's (and each factor part's) entry templates, its blocks' labels
    and the numbers they name."""
    factors = tuple(
        replace(
            f,
            entry=_entry(config, f, term),
            blocks=block_labels(config, f, term),
            parts=tuple(
                replace(part, entry=entry)
                for part, entry in zip(f.parts, part_entries(config, f, term), strict=True)
            ),
        )
        for f in term.factors
    )
    pieces = [piece for f in factors for piece in (f, *f.parts)]
    templates = [template for piece in pieces for row in piece.entry for template in row]
    numbers = _numbers(config, params, steps, term, templates)
    return replace(term, factors=factors, numbers=numbers)

"""A chain-rule term in full: its factors (multiplied left to right), value and running sums."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from app.api.wire.base import NULL, Array, Path, Wire, array
from app.core import Factor as CoreFactor
from app.core import Run
from app.core import Term as CoreTerm
from app.core.entries import Number as CoreNumber
from app.core.terms import FactorPart as CoreFactorPart
from app.core.trace import running_sums


class FactorPart(Wire):
    """A piece of a factor as the notes write it (dl/dyhat, dyhat/dz for sigmoid_bce)."""

    symbol: str = Field(description='Plain text, e.g. "∂ℓ_3/∂ŷ_3".')
    latex: str = Field(description="The derivative in LaTeX.")
    formula: str = Field(description="What it equals, in LaTeX.")
    value: Array = array("Its value; the parts' element-wise product is the factor's value;")
    shape: list[int] = Field(description="The shape of value.")
    entry: list[list[str]] = Field(
        description="Its entry (i, j) in LaTeX with the term's numbers as placeholders, as a "
        "factor's entry: for dl/dyhat "
        '[["-\\frac{[[y_3:j]]}{[[yhat_3:j]]} + \\frac{1 - [[y_3:j]]}{1 - [[yhat_3:j]]}"]].'
    )

    @classmethod
    def of(cls, part: CoreFactorPart) -> FactorPart:
        return cls.make(
            {
                "symbol": part.symbol,
                "latex": part.latex,
                "formula": part.formula,
                "value": part.value,
                "shape": list(part.value.shape),
                "entry": [list(row) for row in part.entry],
            }
        )


class Factor(Wire):
    """One matrix of a chain-rule term; a term's factors, multiplied left to right, give it."""

    symbol: str = Field(description='Plain text, e.g. "∂h_3/∂h_2".')
    latex: str = Field(description="The derivative in LaTeX, e.g. \\frac{\\partial h_{3}}{...}.")
    formula: str = Field(description="What it equals, in LaTeX, e.g. diag(1 - h_3^2) W_h.")
    kind: Literal["loss", "output", "recurrent", "gate", "direct"] = Field(
        description="loss: dl_k/dz_k, a row (1, K); output: dz_k/dh_k = W_y, (K, H); "
        "recurrent: dh_j/dh_{j-1}, (H, H); gate: dh_t/da (H, H), before the direct partial "
        "where the gate's unit i reaches every unit of h_t (the GRU's reset gate); direct: "
        "the direct partial (earlier steps held fixed), shaped like the parameter, last."
    )
    shape: list[int] = Field(description="The shape of value (given even when value is null).")
    value: Array | None = Field(
        description="The matrix. null for a recurrent factor of more than inline_factor_size "
        "numbers (use the jacobian of the backward record at `step`), or where it overflowed."
    )
    edge: str = Field(description='The graph edge it runs along, e.g. "h_2->h_3".')
    step: int = Field(description="The time step it belongs to (the t of the edge's target).")
    parts: list[FactorPart] = Field(
        description="Usually empty; for sigmoid_bce the loss factor as dl/dyhat · dyhat/dz "
        "(left out where yhat saturates to 0 or 1)."
    )
    entry: list[list[str]] = Field(
        description="Its entry (i, j) in LaTeX with the term's numbers as placeholders: "
        "[[h_3:i]] entry i of h_3, [[W_h:ij]] entry (i, j) of W_h, [[*]] a product; e.g. "
        '[["(1 - [[h_3:i]]^2) [[*]] [[W_h:ij]]"]]. By block: one template for most '
        "factors; where the rows (or columns) run over an LSTM's state, h then c, one per "
        "block (a list of rows of blocks), i and j counted within the block."
    )
    blocks: list[list[str]] = Field(
        description="The derivative each block is, in LaTeX, shaped as entry: the factor's "
        "own latex where it is one block; for an LSTM, the state parts its rows and columns "
        "run over, e.g. ds_3/ds_2 as [[dh_3/dh_2, dh_3/dc_2], [dc_3/dh_2, dc_3/dc_2]] and "
        "d+s_2/dW_xi as [[d+h_2/dW_xi], [d+c_2/dW_xi]], so that entry (i, j) of a block is "
        "named [block]_{i, j} with i and j counted within it."
    )

    @classmethod
    def of(cls, factor: CoreFactor, inline_factor_size: int) -> Factor:
        too_big = factor.kind == "recurrent" and factor.value.size > inline_factor_size
        return cls.make(
            {
                "symbol": factor.symbol,
                "latex": factor.latex,
                "formula": factor.formula,
                "kind": factor.kind,
                "shape": list(factor.shape),
                "value": None if too_big else factor.value,
                "edge": factor.edge,
                "step": factor.step,
                "parts": [FactorPart.of(part) for part in factor.parts],
                "entry": [list(row) for row in factor.entry],
                "blocks": [list(row) for row in factor.blocks],
            }
        )


class Number(Wire):
    """A value the factors' entry templates name, e.g. h_3 or W_h."""

    name: str = Field(description='As the templates name it, e.g. "h_3", "yhat_3", "W_h".')
    latex: str = Field(description='As the formulas write it, e.g. "h_{3}", "\\hat y_{3}".')
    value: Array = array("Its value;")

    @classmethod
    def of(cls, number: CoreNumber) -> Number:
        return cls.make({"name": number.name, "latex": number.latex, "value": number.value})


class Term(Wire):
    """One chain-rule path: how the loss at step k reaches a parameter used at step t."""

    id: str = Field(description='"param:k:t", e.g. "W_h:3:2".')
    param: str = Field(description="The parameter: one of the cell's, W_y or b_y.")
    k: int = Field(description="The loss step.")
    t: int = Field(description="The step where the parameter is used (t <= k).")
    distance: int = Field(description="k - t: how many recurrent factors the path crosses.")
    factors: list[Factor] = Field(description="The factors, in the order multiplied.")
    value: Array = array("The term, shaped like the parameter;")
    running: Array = array(
        "dL/dparam so far: this parameter's terms up to and including this one, in the "
        "order the backward pass completes them;"
    )
    path: Path = Field(description="The graph path from L to the parameter.")
    row: Array | None = Field(
        description="The factors before the last, multiplied: dl_k/ds_t (S,) for a cell "
        "parameter (dl_k/da (H,) after a gate factor), dl_k/dz_k (K,) for W_y and b_y. "
        "The term is diag(row) times the last factor (it scales that factor's rows; "
        "summed over the states for an LSTM)."
    )
    previous: Array = array(
        "dL/dparam so far before this term: running = previous + value (previous = running for "
        "a dropped term);"
    )
    dropped: bool = Field(
        description="The truncation window drops it (k - t >= tau): its value is shown, but "
        "running skips it (nothing is added)."
    )
    numbers: list[Number] = Field(description="The values the factors' entry templates name.")


class TermDetail(Term):
    """A term built on request, with every parameter's running sum at it."""

    epoch: int = Field(description="The epoch whose records it was built from.")
    running_all: dict[str, Array | None] = Field(
        description="dL/dtheta so far for every parameter at this term (null for one with "
        "no term yet)." + NULL
    )

    @classmethod
    def of(cls, run: Run, term: CoreTerm, inline_factor_size: int) -> TermDetail:
        return cls.make(
            {
                "id": f"{term.param}:{term.k}:{term.t}",
                "param": term.param,
                "k": term.k,
                "t": term.t,
                "distance": term.distance,
                "factors": [Factor.of(factor, inline_factor_size) for factor in term.factors],
                "value": term.value,
                "running": term.running,
                "path": Path.of(term.path),
                "row": term.row,
                "previous": term.previous,
                "dropped": term.dropped,
                "numbers": [Number.of(number) for number in term.numbers],
                "epoch": run.epoch,
                "running_all": running_sums(run, term),
            }
        )


def _one_number(value: np.ndarray) -> float | None:
    """The one number of a parameter's array; None where it overflowed."""
    number = float(value.reshape(-1)[0])
    return number if np.isfinite(number) else None


class SumFactor(Wire):
    """A factor of one number: which derivative it is, and its value."""

    symbol: str = Field(description='The derivative in plain text, e.g. "∂h_3/∂h_2".')
    value: float | None = Field(description="Its one number." + NULL)

    @classmethod
    def of(cls, factor: CoreFactor) -> SumFactor:
        return cls.make({"symbol": factor.symbol, "value": _one_number(factor.value)})


class SumTerm(Wire):
    """One term of a parameter's sum: before + value = running, as its term view adds them."""

    id: str = Field(description='"param:k:t", as GET .../terms/{id} names it.')
    previous: float | None = Field(description="dL/dparam so far before this term." + NULL)
    value: float | None = Field(description="The term." + NULL)
    running: float | None = Field(
        description="dL/dparam so far, this term included (previous for a dropped term)." + NULL
    )
    dropped: bool = Field(description="The truncation window drops it: running skips it.")
    factors: list[SumFactor] = Field(
        description="Its factors in order, when every one is one number (else empty): a page "
        "writes each factor with one count in all the epoch's term views."
    )

    @classmethod
    def of(cls, term: CoreTerm) -> SumTerm:
        single = all(factor.value.size == 1 for factor in term.factors)
        return cls.make(
            {
                "id": f"{term.param}:{term.k}:{term.t}",
                "previous": _one_number(term.previous),
                "value": _one_number(term.value),
                "running": _one_number(term.running),
                "dropped": term.dropped,
                "factors": [SumFactor.of(factor) for factor in term.factors] if single else [],
            }
        )


class EpochSums(Wire):
    """Every term of the epoch for each parameter of one number, the backward steps not yet
    taken included: a page writes each running sum with the digits every line that uses it
    needs (the "so far" of one view is the "before" of its parameter's next)."""

    epoch: int = Field(description="The session's epoch.")
    sums: dict[str, list[SumTerm]] = Field(
        description="Per parameter of one number (a larger one is left out; all of them for "
        "a run of more than 16 steps), its terms in the "
        "order the page walks them: t from T down to 1, at each t the kept terms by k, then "
        "the dropped ones."
    )

    @classmethod
    def of(cls, run: Run, terms: dict[str, tuple[CoreTerm, ...]]) -> EpochSums:
        sums = {param: [SumTerm.of(term) for term in chain] for param, chain in terms.items()}
        return cls.make({"epoch": run.epoch, "sums": sums})

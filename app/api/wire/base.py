"""What every response model shares: construction without validation, and the array types.

A response model is the one declaration of an answer: its fields (with their descriptions)
are what /docs and docs/json.md show, and `Model.of(core objects)` builds the answer.
Answers are made with `make`, which stores the values as given (NumPy arrays stay arrays,
nothing is validated or copied); StrictJSONResponse writes a model as the fields it was
given, so a field left out (c for a GRU, `params` of a large session) is absent.
"""

from __future__ import annotations

from typing import Any, Literal, Self

from pydantic import BaseModel, Field

from app.core import Divergence as CoreDivergence
from app.core import Path as CorePath

Vector = list[float | None]
Matrix = list[list[float | None]]
Array = Matrix | Vector
NULL = " null where the value overflowed."
JSON = dict[str, Any]
_new, _set = object.__new__, object.__setattr__
_set_fields = BaseModel.__pydantic_fields_set__.__set__  # type: ignore[attr-defined]
_set_extra = BaseModel.__pydantic_extra__.__set__  # type: ignore[attr-defined]
_set_private = BaseModel.__pydantic_private__.__set__  # type: ignore[attr-defined]


def array(text: str) -> Any:
    """A field holding an array (or a number) that overflow writes as null."""
    return Field(description=text + NULL)


def first_overflow() -> Any:
    return Field(description="null, or the first step whose numbers overflowed.")


class Wire(BaseModel):
    """An answer of the API, or a part of one."""

    @classmethod
    def make(cls, values: JSON) -> Self:
        """The model holding `values` as they are (no validation, no defaults filled in):
        model_construct without its cost, which a step pays a few times."""
        model = _new(cls)
        _set(model, "__dict__", values)
        _set_fields(model, set(values))
        _set_extra(model, None)
        _set_private(model, None)
        return model


class Path(Wire):
    """The graph ids to light: the nodes and edges a step or a term runs along."""

    nodes: list[str] = Field(description='Node ids, e.g. ["L", "loss_3", "yhat_3", "h_3"].')
    edges: list[str] = Field(description='Edge ids "source->target", e.g. ["loss_3->L"].')

    @classmethod
    def of(cls, path: CorePath) -> Path:
        return cls.make({"nodes": path.nodes, "edges": path.edges})


class Divergence(Wire):
    """The first quantity that stopped being a finite number, and the step that made it."""

    phase: Literal["forward", "backward", "update"] = Field(description="The pass it happened in.")
    t: int | None = Field(description="The time step; null in the update.")
    quantity: str = Field(description='What overflowed, e.g. "h_2".')
    message: str = Field(description="A sentence for a person: what happened and what to do.")
    epoch: int | None = Field(
        None, description="Only in the answer of train: the epoch it happened in. Absent elsewhere."
    )

    @classmethod
    def of(cls, divergence: CoreDivergence | None, epoch: int | None = None) -> Divergence | None:
        if divergence is None:
            return None
        values = {
            "phase": divergence.phase,
            "t": divergence.t,
            "quantity": divergence.quantity,
            "message": divergence.sentence(),
        }
        if epoch is not None:
            values["epoch"] = epoch
        return cls.make(values)

"""The weight update: clipping, then the optimiser's rule, which ends an epoch."""

from __future__ import annotations

from typing import Any, Literal, Self

from pydantic import Field

from app.api.wire.base import NULL, Array, Divergence, Wire, array, first_overflow
from app.api.wire.scenario import ParamArrays
from app.core import UpdateRecord as CoreUpdate
from app.core.optimizers import OptimizerState as CoreOptimizerState


class Quantity(Wire):
    """One named quantity of the optimiser's update, per parameter."""

    name: str = Field(description='An identifier: "g", "v", "m_hat", ...')
    latex: str = Field(description="How the formula writes it.")
    values: dict[str, Array] = Field(description="By parameter, shaped like it." + NULL)


class EntryLine(Wire):
    """One line of the optimiser's rule for one entry (i, j), to fill with its numbers."""

    name: str = Field(description='What the line computes: a quantity ("v", "m_hat") or "new".')
    template: str = Field(
        description="LaTeX with placeholders: [[q:ij]] this update's quantity q, [[prev_s:ij]] "
        "slot s before it (state_before; zeros when null), [[old:ij]] the old parameter, "
        "[[eta]], [[<hyper-parameter>]], [[n]] update_number, [[*]] a product."
    )


class OptimizerState(Wire):
    """What the optimiser carries from one update to the next; a link holds it."""

    n: int = Field(description="Updates done so far (Adam's bias correction counts them).")
    slots: dict[str, dict[str, Array]] = Field(
        description="Slot (momentum: v; adagrad: G; rmsprop: s; adam: m, v; sgd: none) -> "
        "trained parameter -> array shaped like it;" + NULL
    )

    @classmethod
    def of(cls, state: CoreOptimizerState | None) -> OptimizerState | None:
        """None (a fresh state: n = 0, zeros) stays None."""
        if state is None:
            return None
        slots = {slot: dict(arrays) for slot, arrays in state.slots.items()}
        return cls.make({"n": state.n, "slots": slots})


class UpdateRecord(Wire):
    """The weight update (clipping, then the optimiser's rule), which ends an epoch."""

    kind: Literal["update"] = Field(description='Always "update".')
    epoch: int = Field(description="The epoch this update ended.")
    learning_rate: float = Field(description="eta.")
    params_old: ParamArrays = Field(description="The parameters before the update.")  # type: ignore[valid-type]
    grads: ParamArrays = Field(description="dL/dtheta as the backward pass computed it.")  # type: ignore[valid-type]
    grads_applied: ParamArrays = Field(description="The gradients used: after clipping, if any.")  # type: ignore[valid-type]
    grad_norm: float | None = array("The global L2 norm of grads;")
    clip_norm: float | None = Field(description="The config's clip_norm; null without clipping.")
    clipped: bool = Field(description="Whether the gradients were scaled down.")
    params_new: ParamArrays = Field(description="The parameters after the update.")  # type: ignore[valid-type]
    loss_before: float | None = array("L with the old parameters;")
    loss_after: float | None = array("L with the new parameters;")
    diverged: Divergence | None = first_overflow()
    optimizer: str = Field(description="The optimiser's name (config.optimizer.name).")
    hyper: dict[str, float] = Field(description="Its hyper-parameters (sgd: none).")
    formula: list[str] = Field(description="Its rule in LaTeX, one line per assignment.")
    entry: list[EntryLine] = Field(
        description="Its rule for one entry of a parameter, line by line, the last one new."
    )
    quantities: list[Quantity] = Field(
        description="What the rule computed (g, then e.g. v, m, m_hat), per parameter."
    )
    update_number: int = Field(description="n: the optimiser's count of updates, this one too.")
    state_before: OptimizerState | None = Field(
        description="The optimiser's state at the start of the epoch this update ended (what "
        "a link to that epoch holds); null: a fresh one."
    )
    state_after: OptimizerState | None = Field(
        description="The state it leaves: what the next epoch starts from."
    )
    trained: bool = Field(
        description="Its gradient came from the training path (train), which equals the "
        "steps' to rounding (a link to it says so)."
    )

    @classmethod
    def of(cls, record: CoreUpdate | None, **more: Any) -> Self | None:
        """What the update did, the optimiser's state before and after it, and which path
        made its gradient; None before the first."""
        if record is None:
            return None
        values = {name: getattr(record, name) for name in UPDATE_FIELDS}
        values["diverged"] = Divergence.of(record.diverged)
        values["state_before"] = OptimizerState.of(record.state_before)
        values["state_after"] = OptimizerState.of(record.state_after)
        values["formula"] = list(record.formula)
        values["entry"] = [EntryLine.make({"name": n, "template": t}) for n, t in record.entry]
        values["quantities"] = [
            Quantity.make({"name": q.name, "latex": q.latex, "values": q.values})
            for q in record.quantities
        ]
        return cls.make(values | more if more else values)


UPDATE_FIELDS = tuple(UpdateRecord.model_fields)

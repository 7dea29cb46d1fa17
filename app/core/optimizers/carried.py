"""The state an optimiser carries into an epoch, given from outside (a link): checked.

A link to a later epoch holds the optimiser's state at that epoch's start (its count of
updates n and its slots, e.g. Adam's m and v) so the update it shows is the original's to
the last bit. This checks such a state against the optimiser and the parameters: the
optimiser's own slots, every trained parameter in each, shaped like it, finite.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from app.core.errors import ScenarioError
from app.core.model import frozen_array
from app.core.optimizers.base import Arrays, Optimizer, OptimizerState

FIELD = "optimizer_state.slots"


def carried_state(
    optimizer: Optimizer, params: Arrays, n: int, slots: Mapping[str, Mapping[str, object]]
) -> OptimizerState:
    """OptimizerState(n, slots) once every slot and array fits `optimizer` and `params` (the
    trained parameters); ScenarioError naming optimizer_state.slots.<slot>.<param> if not."""
    fresh = optimizer.init_state(params).slots
    own = ", ".join(fresh) or "none"
    for slot in slots:
        if slot not in fresh:
            rule = f"is not a slot of {optimizer.name} (its slots: {own})"
            raise ScenarioError(f"{FIELD}.{slot}", rule)
    checked: dict[str, dict[str, np.ndarray]] = {}
    for slot, zeros in fresh.items():
        if slot not in slots:
            raise ScenarioError(f"{FIELD}.{slot}", f"is missing ({optimizer.name} carries {own})")
        checked[slot] = _slot_arrays(f"{FIELD}.{slot}", slots[slot], zeros)
    return OptimizerState(n, checked)


def _slot_arrays(field: str, given: Mapping[str, object], zeros: Arrays) -> dict[str, np.ndarray]:
    """One slot: an array per trained parameter, shaped like it."""
    for name in given:
        if name not in zeros:
            rule = f"is not a trained parameter (they are: {', '.join(zeros)})"
            raise ScenarioError(f"{field}.{name}", rule)
    arrays = {}
    for name, zero in zeros.items():
        if name not in given:
            raise ScenarioError(f"{field}.{name}", f"is missing (shape {_shape(zero.shape)})")
        array = frozen_array(given[name], f"{field}.{name}")
        if array.shape != zero.shape:
            rule = f"must have shape {_shape(zero.shape)} (like {name}), not {_shape(array.shape)}"
            raise ScenarioError(f"{field}.{name}", rule)
        arrays[name] = array
    return arrays


def _shape(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(size) for size in shape) + ")"

"""Optimisers, one module each, behind the interface of base.py.

`make_optimizer({"name": "adam", "beta1": 0.9})` builds one from its API form;
`optimizer_dict(optimizer)` gives that form back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, fields

from app.core.errors import ScenarioError
from app.core.optimizers.adagrad import Adagrad
from app.core.optimizers.adam import Adam
from app.core.optimizers.base import Optimizer, OptimizerState, OptimizerStep, Quantity
from app.core.optimizers.momentum import Momentum
from app.core.optimizers.rmsprop import RMSProp
from app.core.optimizers.sgd import SGD

OPTIMIZERS: tuple[type, ...] = (SGD, Momentum, Adagrad, RMSProp, Adam)


def optimizer_names() -> tuple[str, ...]:
    return tuple(kind.name for kind in OPTIMIZERS)


def make_optimizer(spec: Mapping[str, object]) -> Optimizer:
    """The optimiser named by spec["name"], its hyper-parameters from the other keys.

    Raises ScenarioError naming `optimizer.<field>` for an unknown name or field, or a
    hyper-parameter the optimiser refuses.
    """
    name = spec.get("name", "sgd")
    kind = next((kind for kind in OPTIMIZERS if kind.name == name), None)
    if kind is None:
        raise ScenarioError("optimizer.name", f"must be one of {', '.join(optimizer_names())}")
    allowed = {f.name for f in fields(kind)}
    for key in spec:
        if key != "name" and key not in allowed:
            known = ", ".join(sorted(allowed)) or "none"
            raise ScenarioError(
                f"optimizer.{key}", f"is not a hyper-parameter of {name} (it has: {known})"
            )
    return kind(**{key: value for key, value in spec.items() if key != "name"})


def optimizer_dict(optimizer: Optimizer) -> dict[str, object]:
    """The API form: {"name": ..., hyper-parameter: value, ...}."""
    return {"name": optimizer.name, **asdict(optimizer)}


__all__ = [
    "OPTIMIZERS",
    "Optimizer",
    "OptimizerState",
    "OptimizerStep",
    "Quantity",
    "make_optimizer",
    "optimizer_dict",
    "optimizer_names",
]

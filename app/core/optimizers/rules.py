"""The rules an optimiser's hyper-parameters follow, each refusal naming `optimizer.<field>`."""

from __future__ import annotations

import math
from numbers import Real

from app.core.errors import ScenarioError


def finite_number(field_name: str, value: object) -> float:
    """value as a float; refuses booleans, strings, NaN and infinities."""
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise ScenarioError(f"optimizer.{field_name}", "must be a finite number")
    return float(value)


def fraction(field_name: str, value: object) -> float:
    """A decay rate: 0 <= value < 1 (1 would never forget, and Adam's 1 - beta^n would be 0)."""
    number = finite_number(field_name, value)
    if not 0.0 <= number < 1.0:
        raise ScenarioError(f"optimizer.{field_name}", "must be >= 0 and < 1")
    return number


def positive(field_name: str, value: object) -> float:
    """A denominator's guard: value > 0."""
    number = finite_number(field_name, value)
    if number <= 0.0:
        raise ScenarioError(f"optimizer.{field_name}", "must be > 0")
    return number

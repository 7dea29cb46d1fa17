"""Counts that keep a hostile body's work small: how many items a body may hold, and a
refusal of many non-numbers at once (app/api/bodies.py calls both).

pydantic builds its list of errors in Rust, holding the GIL: a megabyte of strings where
numbers go costs ~150 ms of it, the event loop waiting throughout. Counted here in
Python (which lets the loop run), more than MAX_ERRORS of them answer the usual 422
naming each, so pydantic never sees that body.
"""

from __future__ import annotations

from typing import Any

from fastapi.exceptions import RequestValidationError

from app.api.errors import MAX_ERRORS
from app.settings import Settings


def most_items(settings: Settings) -> tuple[int, int]:
    """The most commas and arrays a body the server takes may hold: twice what the largest
    scenario within the limits needs (an LSTM's four gates, 100 term ids), and some room."""
    T, H = settings.max_steps, settings.max_hidden_size
    d, K = settings.max_input_size, settings.max_output_size
    numbers = T * (d + K) + 4 * H * (d + H + 1) + K * (H + 1) + 2 * H + 100
    arrays = 2 * T + 4 * 3 * H + K + 20
    return 2 * numbers + 1000, 2 * arrays + 100


def check_numbers(value: dict[str, Any]) -> None:
    """Where numbers go, more than MAX_ERRORS entries that are not: a 422 naming the first."""
    found: list[tuple[tuple[str | int, ...], Any]] = []
    for name in ("inputs", "targets", "params"):
        if value.get(name) is not None:
            non_numbers(value[name], (name,), found)
    if len(found) <= MAX_ERRORS:
        return  # few enough for pydantic to name in its own words
    errors = [
        {"loc": ("body", *loc), "msg": "Input should be a valid number", "type": "float_type"}
        for loc, _ in found
    ]
    raise RequestValidationError(errors)


def non_numbers(value: Any, loc: tuple[str | int, ...], found: list) -> None:
    """Every leaf of nested lists (and, for params, dicts) that is not an int or a float."""
    if isinstance(value, dict):
        for key, item in value.items():
            if item is not None:
                non_numbers(item, (*loc, key), found)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            non_numbers(item, (*loc, index), found)
    elif isinstance(value, bool) or not isinstance(value, int | float):
        found.append((loc, value))

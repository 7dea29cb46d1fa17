"""Strict JSON out: non-finite numbers become null, so no response can carry NaN/Infinity.

orjson writes NumPy arrays directly and every NaN or infinity (Python or NumPy) as null,
about ten times faster than walking the value with finite_json and the json module, which
stays as the fallback for anything orjson will not take. A response model (app.api.wire)
is written as the fields it was given, its arrays still NumPy until here.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import orjson
from fastapi.responses import JSONResponse
from pydantic import BaseModel

ORJSON_OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS


def finite_json(value: Any) -> Any:
    """Plain JSON values from `value`: NumPy to lists and numbers, NaN and +-inf to None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(key): finite_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [finite_json(item) for item in value]
    if isinstance(value, np.ndarray):
        return finite_json(value.tolist())
    if isinstance(value, np.generic):
        return finite_json(value.item())
    if isinstance(value, BaseModel):
        return finite_json(value.__dict__)
    return value


class StrictJSONResponse(JSONResponse):
    """Serialises with allow_nan=False after turning non-finite floats into null."""

    def render(self, content: Any) -> bytes:
        try:
            return orjson.dumps(content, default=_plain, option=ORJSON_OPTIONS)
        except TypeError:
            return self.render_slowly(content)

    @staticmethod
    def render_slowly(content: Any) -> bytes:
        return json.dumps(
            finite_json(content), allow_nan=False, ensure_ascii=False, separators=(",", ":")
        ).encode("utf-8")


def _plain(value: Any) -> Any:
    """What orjson hands back: a response model as its fields, a non-contiguous array or a
    NumPy scalar as plain values."""
    if isinstance(value, BaseModel):  # its fields: those given to Wire.make, or all
        return value.__dict__
    if isinstance(value, np.ndarray | np.generic):
        return finite_json(value)
    raise TypeError(f"{type(value).__name__} is not JSON")

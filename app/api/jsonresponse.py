"""Strict JSON out: non-finite numbers become null, so no response can carry NaN/Infinity."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
from fastapi.responses import JSONResponse


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
    return value


class StrictJSONResponse(JSONResponse):
    """Serialises with allow_nan=False after turning non-finite floats into null."""

    def render(self, content: Any) -> bytes:
        return json.dumps(
            finite_json(content), allow_nan=False, ensure_ascii=False, separators=(",", ":")
        ).encode("utf-8")

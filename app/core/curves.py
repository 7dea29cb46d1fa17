"""Curves of long runs thinned, never cut: at most `points` buckets of consecutive epochs,
each with its first and last epoch and the min, max and mean of its values.

Shapes, for n values and b = ceil(n / points) epochs per bucket: every array (ceil(n / b),).
A non-finite value (an overflow) counts in no min, max or mean; a bucket of only such values
is NaN in all three.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

CURVE_POINTS = 1000


@dataclass(frozen=True, eq=False)
class Curve:
    first: np.ndarray  # the first epoch (from 1) of each bucket
    last: np.ndarray  # its last epoch
    low: np.ndarray  # the smallest finite value in it
    high: np.ndarray  # the largest
    mean: np.ndarray  # the mean of its finite values


def thin(values: np.ndarray, points: int = CURVE_POINTS) -> Curve:
    """`values` (n,) as at most `points` buckets of equal width (the last may be shorter)."""
    n = values.size
    width = max(1, -(-n // points))
    count = -(-n // width)
    padded = np.full(count * width, np.nan)
    padded[:n] = np.where(np.isfinite(values), values, np.nan)
    rows = padded.reshape(count, width)
    first = np.arange(count) * width + 1
    with warnings.catch_warnings():  # an all-NaN bucket is NaN by design
        warnings.simplefilter("ignore", RuntimeWarning)
        low, high, mean = np.nanmin(rows, 1), np.nanmax(rows, 1), np.nanmean(rows, 1)
    return Curve(first, np.minimum(first + width - 1, n), low, high, mean)

"""Thinned curves: every epoch in exactly one bucket, each bucket's min, max and mean."""

import numpy as np

from app.core.curves import thin


def test_a_short_curve_is_kept_point_for_point():
    values = np.array([3.0, 1.0, 2.0])
    curve = thin(values, 1000)
    np.testing.assert_array_equal(curve.first, [1, 2, 3])
    np.testing.assert_array_equal(curve.mean, values)
    np.testing.assert_array_equal(curve.low, curve.high)


def test_a_long_curve_is_thinned_into_buckets_never_cut():
    rng = np.random.default_rng(2)
    values = rng.normal(size=100_001)
    values[500] = np.inf  # an overflow counts in nothing
    curve = thin(values, 1000)
    assert curve.first.size <= 1000 and curve.first[0] == 1 and curve.last[-1] == values.size
    np.testing.assert_array_equal(curve.first[1:], curve.last[:-1] + 1)  # no epoch skipped
    for index in (0, 4, curve.first.size - 1):
        chunk = values[curve.first[index] - 1 : curve.last[index]]
        chunk = chunk[np.isfinite(chunk)]
        assert curve.low[index] == chunk.min() and curve.high[index] == chunk.max()
        assert np.isclose(curve.mean[index], chunk.mean())


def test_a_bucket_of_overflows_is_nan():
    curve = thin(np.array([np.nan, np.inf, 1.0, 2.0]), 2)
    assert np.isnan(curve.mean[0]) and curve.mean[1] == 1.5

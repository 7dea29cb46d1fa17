"""bench/insight.py runs, tiny: every insight route answers 200 for every cell at the seed
size. Its timings are printed, never asserted (bench/ ratios only)."""

from __future__ import annotations

from bench import insight


def test_the_insight_bench_runs_tiny_and_every_route_answers() -> None:
    rows = insight.main(["--tiny"])
    assert [label.split()[0] for label in rows] == list(insight.CELLS)
    for label, results in rows.items():
        assert list(results) == list(insight.ROUTES), label
        assert {status for _, status in results.values()} == {200}, label

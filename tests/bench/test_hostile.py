"""bench/hostile.py runs, tiny: every load is answered as the server's rules say (the
bombs 422, the flood 201 then 429, the heavy calls 200), health answers 200 throughout,
and nothing answers 5xx. Its timings are printed, never asserted (bench/ ratios only)."""

from __future__ import annotations

from bench import hostile


def test_the_hostile_bench_runs_tiny_and_every_answer_is_the_rules_own() -> None:
    phases = {phase.name: phase for phase in hostile.main(["--tiny"])}
    assert list(phases) == [
        "idle",
        "bombs-long",
        "bombs-wide",
        "train",
        "gradcheck",
        "bptt",
        "create-flood",
    ]
    for phase in phases.values():
        assert len(phase.health) >= 3, phase.name
        assert not any(str(status).startswith(("health", "5")) for status in phase.statuses)
    assert set(phases["bombs-long"].statuses) == {422}
    assert set(phases["bombs-wide"].statuses) == {422}
    assert set(phases["gradcheck"].statuses) == set(phases["bptt"].statuses) == {200}
    assert set(phases["create-flood"].statuses) <= {201, 429}
    assert all(str(status).startswith("200") for status in phases["train"].statuses)

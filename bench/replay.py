"""What rebuilding a session from its record costs: decode, replay the epoch, step once.

A worker that has a session's Run cached takes a step directly; one that has not (another
worker took the last step, or the cache dropped it) decodes the record and replays the
epoch's steps first. This prints both, and the record's size, at the cursor where a replay
costs most (the last backward step, and with `last_update` to rebuild), for a few sizes.

    .venv/bin/python bench/replay.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core import Config, Run, Scenario, init_params, step
from app.sessions import MemoryStore, RunCache, Sessions, decode_record, encode_record, replay

CASES = [
    (3, 1, "many_to_one"),
    (20, 8, "many_to_many"),
    (50, 32, "many_to_one"),
    (50, 32, "many_to_many"),
]


def best_of(work, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def case(T: int, H: int, mode: str) -> None:
    config = Config(1, H, 1, mode=mode, learning_rate=1e-3)
    targets = np.zeros((T, 1)) if mode == "many_to_many" else np.zeros(1)
    scenario = Scenario(config, init_params(config, 0), np.linspace(-1, 1, T)[:, None], targets)
    sessions = Sessions(MemoryStore(10, 3600), RunCache(0))
    created = sessions.create(scenario, 0, None)
    for _ in range(2 * T + 1):  # a whole epoch and its update: epoch 2 has a last_update
        sessions.step(created.record.id, created.token, sessions.read(created.record.id).run.phase)
    for _ in range(2 * T - 1):
        sessions.step(created.record.id, created.token, sessions.read(created.record.id).run.phase)
    record = sessions.store.load(created.record.id)
    text = encode_record(record)
    run = replay(record)
    repeats = max(3, int(2000 / (T * H + 1)))
    cached = best_of(lambda: step(run), repeats)
    rebuilt = best_of(lambda: step(replay(decode_record(text))), repeats)
    decode = best_of(lambda: decode_record(text), repeats)
    print(
        f"T={T:3d} H={H:3d} {mode:13s} record {len(text) / 1024:6.1f} KB  "
        f"cached step {cached * 1e3:8.3f} ms  decode {decode * 1e3:6.3f} ms  "
        f"decode+replay+step {rebuilt * 1e3:8.2f} ms  ratio {rebuilt / cached:7.1f}x"
    )
    assert isinstance(run, Run)


if __name__ == "__main__":
    for T, H, mode in CASES:
        case(T, H, mode)

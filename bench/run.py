"""How much the explorer's stepper costs over a plain NumPy BPTT, measured in the same run.

The stepper does more than the textbook loop: it keeps a record per step and builds
every chain-rule term with its factors. This prints its time as a ratio of the plain
loop's time (the baseline) at the sizes the API allows, so a slowdown shows up as a
larger ratio on any machine.

    make bench            (or: .venv/bin/python bench/run.py)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core.epochs import bptt
from app.core.model import Config, Scenario, init_params
from tests.core.reference import reference_bptt

CASES = [  # (T, H, mode)
    (3, 1, "many_to_one"),
    (20, 8, "many_to_one"),
    (50, 32, "many_to_one"),
    (20, 8, "many_to_many"),
    (50, 32, "many_to_many"),
]


def best_of(run, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def scenario(T: int, H: int, mode: str) -> Scenario:
    config = Config(4, H, 4, mode=mode)
    rng = np.random.default_rng(0)
    targets = rng.normal(size=(T, 4)) if mode == "many_to_many" else rng.normal(size=4)
    return Scenario(config, init_params(config, 0), rng.normal(size=(T, 4)), targets)


def main() -> None:
    header = ("T", "H", "mode", "terms", "plain ms", "stepper ms", "ratio")
    print("{:>3} {:>3} {:<13} {:>6} {:>9} {:>11} {:>7}".format(*header))
    for T, H, mode in CASES:
        case = scenario(T, H, mode)
        repeats = 20 if T * H < 500 else 3
        plain = best_of(lambda case=case: reference_bptt(case), repeats)
        stepper = best_of(lambda case=case: bptt(case), repeats)
        terms = sum(len(record.terms) for record in bptt(case).backward)
        print(
            f"{T:>3} {H:>3} {mode:<13} {terms:>6} {plain * 1e3:>9.2f} "
            f"{stepper * 1e3:>11.2f} {stepper / plain:>6.1f}x"
        )


if __name__ == "__main__":
    main()

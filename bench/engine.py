"""The engine benchmark of issue 7: the core's cost as ratios against a hoisted NumPy loop.

For every cell the core knows, both modes and (d, H, T) from (1, 1, 3) to (32, 128, 200),
one run times side by side (interleaved, medians):

    base   the hoisted NumPy epoch of bench/baselines.py (forward, backward, SGD update)
    train  the core's training path, train(run, 1)
    step   the core's stepping path, step(run) for every record of the epoch
    torch  PyTorch autograd on the same model, float64, one thread (when torch imports)

and prints train/base (target <= 1.3), step/base (<= 3) and torch/train (>= 4), marking
each miss with ✗. Before timing a size it checks that the baseline's gradients (and
torch's) equal the core's to 1e-10 relative error, so that no ratio flatters the core.

    make bench      (or: .venv/bin/python -m bench.engine --help)

BLAS runs on one thread (as torch does) so the ratios do not depend on the other core.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse  # noqa: E402
import time  # noqa: E402

from bench.cases import Case, Result, Settings, measure_case  # noqa: E402
from bench.core_adapter import known_cells  # noqa: E402
from bench.report import machine_lines, table  # noqa: E402

SIZES = ((1, 1, 3), (4, 8, 10), (8, 32, 50), (16, 64, 100), (32, 128, 200))
MODES = ("many_to_one", "many_to_many")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cells", help="comma-separated (default: every cell the core knows)")
    parser.add_argument("--modes", default=",".join(MODES), help="comma-separated")
    parser.add_argument("--sizes", type=int, default=len(SIZES), help="the first N sizes only")
    parser.add_argument("--budget", type=float, default=0.4, help="seconds of repeats per timing")
    parser.add_argument("--cap", type=float, default=20.0, help="longest single core epoch, s")
    parser.add_argument("--no-torch", action="store_true", help="leave torch out")
    parser.add_argument("--wall", action="store_true", help="wall-clock time, not CPU time")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cells = args.cells.split(",") if args.cells else known_cells()
    unknown = [cell for cell in cells if cell not in known_cells()]
    if unknown:
        print(f"the core does not know {', '.join(unknown)}: it knows {', '.join(known_cells())}")
        return 2
    use_torch = not args.no_torch and _torch_available()
    clock = time.perf_counter if args.wall else time.process_time
    settings = Settings(args.budget, args.cap, use_torch, clock)
    started = time.perf_counter()
    results: list[Result] = []
    for line in machine_lines(use_torch):
        print(line)
    print(f"clock: {'wall-clock time' if args.wall else 'CPU time of this process'}")
    print(f"cells: {', '.join(cells)} (the core knows: {', '.join(known_cells())})\n", flush=True)
    for cell in cells:
        for mode in args.modes.split(","):
            previous: Result | None = None
            for d, H, T in SIZES[: args.sizes]:
                case = Case(cell, mode, d, H, T)
                previous = measure_case(case, previous, settings)
                results.append(previous)
                print(f"  measured {case.label}", file=sys.stderr, flush=True)
    print("\n".join(table(results, use_torch)))
    print(f"\nwhole run: {time.perf_counter() - started:.0f} s")
    return 0


def _torch_available() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    raise SystemExit(main())

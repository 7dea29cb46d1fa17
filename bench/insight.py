"""The insight routes' wall time against the session's own backward pass, per cell and size.

For each cell (Elman, GRU, LSTM) at the seed preset's size (d = H = K = 1, T = 3) and at the
largest the default settings take (d = K = 16, H = 64, T = 200, many-to-many), one session is
stepped through its epoch over the API (in process, httpx's TestClient), then each route is
timed (wall clock, median of `--repeats`):

    flow        GET  /flow            the flow and the regime gauge of the steps taken
    what-if     GET  /flow?scale=1.5  the whole epoch at 1.5 x the recurrent weights
    truncate    POST /truncation      tau = 10: the epoch's 2T steps replayed
    flow tau    GET  /flow            truncated: the gaps need a full pass too
    gradcheck   GET  /gradcheck       (422 past the gradient check's budget: shown as such)

beside the baseline, the core's bptt(scenario) of the same scenario (forward and backward
in one loop), measured in the same run, and each route's ratio to it.

    .venv/bin/python bench/insight.py                   # BLAS on one thread, as the server
    .venv/bin/python bench/insight.py --blas-threads 2  # as before app/__init__.py set it
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# Read by NumPy's BLAS when it loads, so set before any import: 1 as app/__init__.py sets
# it for the server (numpy is imported here before app is), or --blas-threads N.
_threads = "1"
if "--blas-threads" in sys.argv:
    _threads = sys.argv[sys.argv.index("--blas-threads") + 1]
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = _threads
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from app.core import Config, Scenario, bptt, init_params  # noqa: E402
from app.main import create_app  # noqa: E402
from bench.report import machine_lines  # noqa: E402

CELLS = ("elman", "gru", "lstm")
SIZES = (("seed", 1, 1, 3), ("largest", 16, 64, 200))  # (name, d = K, H, T)
TAU, SCALE = 10, 1.5
ROUTES = ("flow", "what-if", "truncate", "flow tau", "gradcheck")


def scenario_body(cell: str, d: int, H: int, T: int) -> dict[str, Any]:
    rng = np.random.default_rng(0)
    config = {"input_size": d, "hidden_size": H, "output_size": d, "cell": cell}
    config["mode"] = "many_to_many"
    inputs, targets = rng.normal(size=(T, d)), rng.normal(size=(T, d))
    return {"config": config, "inputs": inputs.tolist(), "targets": targets.tolist(), "seed": 0}


def core_scenario(cell: str, d: int, H: int, T: int) -> Scenario:
    body = scenario_body(cell, d, H, T)
    config = Config(d, H, d, mode="many_to_many", cell=cell)
    params = init_params(config, body["seed"])
    return Scenario(config, params, np.array(body["inputs"]), np.array(body["targets"]))


def timed(call: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """(median wall seconds, the last answer)."""
    seconds, answer = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        answer = call()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), answer


def measure(client: TestClient, cell: str, size: tuple[str, int, int, int], repeats: int):
    """{route: (seconds, status)} and the baseline's seconds for one cell and size."""
    _, d, H, T = size
    answer = client.post("/api/sessions", json=scenario_body(cell, d, H, T))
    state = answer.json()
    url, headers = f"/api/sessions/{state['id']}", {"Authorization": f"Bearer {state['token']}"}
    for step in ["forward"] * T + ["backward"] * T:
        client.post(f"{url}/{step}", headers=headers).raise_for_status()
    scenario = core_scenario(cell, d, H, T)
    base, _ = timed(lambda: bptt(scenario), repeats)
    calls = {
        "flow": lambda: client.get(f"{url}/flow"),
        "what-if": lambda: client.get(f"{url}/flow", params={"scale": SCALE}),
        "truncate": lambda: client.post(
            f"{url}/truncation", json={"truncation": TAU}, headers=headers
        ),
        "flow tau": lambda: client.get(f"{url}/flow"),
        "gradcheck": lambda: client.get(f"{url}/gradcheck"),
    }
    results = {}
    for route in ROUTES:
        seconds, response = timed(calls[route], repeats)
        results[route] = (seconds, response.status_code)
    return base, results


def row(label: str, base: float, results: dict[str, tuple[float, int]]) -> str:
    cells = [label, f"{base * 1e3:,.1f}"]
    for route in ROUTES:
        seconds, code = results[route]
        note = "" if code == 200 else f" ({code})"
        cells.append(f"{seconds * 1e3:,.1f}{note} / {seconds / base:,.1f}x")
    return "| " + " | ".join(cells) + " |"


def main(argv: list[str] | None = None) -> dict[str, dict[str, tuple[float, int]]]:
    """Print the table; {row label: {route: (seconds, status)}}."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="timings per route (median)")
    parser.add_argument("--blas-threads", default=None, help="BLAS threads (set before NumPy)")
    parser.add_argument("--cells", nargs="+", default=list(CELLS), choices=CELLS)
    parser.add_argument("--budget", type=float, default=300.0, help="stop after this many s")
    parser.add_argument("--tiny", action="store_true", help="the seed size only, once")
    args = parser.parse_args(argv)
    sizes, repeats = (SIZES[:1], 1) if args.tiny else (SIZES, args.repeats)
    print(*machine_lines(False), sep="\n")
    print(f"uptime: {os.popen('uptime').read().strip()}")
    client, started = TestClient(create_app()), time.perf_counter()
    rows: dict[str, dict[str, tuple[float, int]]] = {}
    header = ["cell, size", "bptt ms"] + [f"{route} ms / x bptt" for route in ROUTES]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for cell in args.cells:
        for size in sizes:
            if time.perf_counter() - started > args.budget:
                print(f"(stopped: over the bench's budget of {args.budget:g} s)")
                return rows
            base, results = measure(client, cell, size, repeats)
            label = f"{cell} {size[0]} (H = {size[2]}, T = {size[3]})"
            print(row(label, base, results), flush=True)
            rows[label] = results
    return rows


if __name__ == "__main__":
    main()
    raise SystemExit(0)

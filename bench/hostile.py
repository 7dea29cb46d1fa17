"""Holding up: /api/health's latency on an idle server, and while the heaviest allowed
requests run.

One uvicorn worker on a free 127.0.0.1 port, default settings. A prober asks GET
/api/health every 20 ms on its own keep-alive connection; beside it, for --seconds, each
load in turn keeps --clients connections busy:

    bombs-long    1 MB bodies: one array of 333,000 invalid numbers (refused at its length)
    bombs-wide    1 MB bodies within the limits, every one of ~13,000 entries invalid
    train         the largest train call the server accepts, at max T, H, d, K
    gradcheck     the largest gradient check the server accepts
    bptt          POST /api/bptt at max T, H, d, K (an LSTM: the most numbers)
    create-flood  POST /api/sessions as fast as the server answers (429 once over the burst)

Reported per load: the load's answers by status, health's p50 and p99, and p99 against the
idle p99. Between loads the bench waits (at most 60 s) for the server's CPU to go quiet.
Bounded: loopback only, each load --seconds long, the server stopped at the end.

    .venv/bin/python bench/hostile.py               # 5 s per load
    .venv/bin/python bench/hostile.py --tiny        # small sizes and 1 s: a smoke run
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.classroom import Connection
from tests.servers import Uvicorn

TICKS = os.sysconf("SC_CLK_TCK")
PROBE_EVERY = 0.02


@dataclass(frozen=True)
class Sizes:
    T: int
    H: int
    d: int
    K: int
    bomb_bytes: int
    epochs: int  # the most a train call asks for (the server may allow fewer)


FULL = Sizes(T=200, H=64, d=16, K=16, bomb_bytes=999_000, epochs=1000)  # bombs under 1 MB
TINY = Sizes(T=20, H=8, d=2, K=2, bomb_bytes=100_000, epochs=20)


@dataclass
class Phase:
    name: str
    statuses: Counter = field(default_factory=Counter)
    health: list[float] = field(default_factory=list)


def scenario(sizes: Sizes, cell: str = "elman", T: int = 0, H: int = 0, d: int = 0, K: int = 0):
    """A scenario body at `sizes` (T, H, d, K given here override them)."""
    T, H, d, K = T or sizes.T, H or sizes.H, d or sizes.d, K or sizes.K
    config = {"cell": cell, "input_size": d, "hidden_size": H, "output_size": K}
    return {
        "config": config,
        "inputs": [[0.1 * ((t + i) % 7) for i in range(d)] for t in range(T)],
        "targets": [[0.05 * ((t + i) % 5) for i in range(K)] for t in range(T)],
        "seed": 3,
    }


def long_bomb(sizes: Sizes) -> bytes:
    """One array of invalid numbers ("x" strings), about bomb_bytes long."""
    count = (sizes.bomb_bytes - 40) // 4
    return b'{"preset": null, "inputs": [' + b",".join([b'"x"'] * count) + b"]}"


def wide_bomb(sizes: Sizes) -> bytes:
    """Every array at its longest, every entry an invalid string, padded to bomb_bytes."""
    H, d, K, T = sizes.H, sizes.d, sizes.K, sizes.T
    entries = T * d + T * K + H * d + H * H + K * H
    word = "n" * max(1, (sizes.bomb_bytes - 400) // entries - 4)

    def matrix(rows: int, columns: int) -> list[list[str]]:
        return [[word] * columns for _ in range(rows)]

    body = {
        "config": {"input_size": d, "hidden_size": H, "output_size": K},
        "inputs": matrix(T, d),
        "targets": matrix(T, K),
        "params": {"W_x": matrix(H, d), "W_h": matrix(H, H), "W_y": matrix(K, H)},
    }
    return json.dumps(body).encode()


async def probe(port: int, phase: Phase, stop: asyncio.Event) -> None:
    connection = await Connection.open(port)
    try:
        while not stop.is_set():
            started = time.perf_counter()
            status, _ = await connection.request("GET", "/api/health")
            phase.health.append(time.perf_counter() - started)
            if status != 200:
                phase.statuses[f"health {status}"] += 1
            await asyncio.sleep(PROBE_EVERY)
    finally:
        connection.close()


Load = Callable[[Connection, Phase, asyncio.Event], Awaitable[None]]


def repeat(method: str, path: str, body: bytes, token: str = "") -> Load:
    async def load(connection: Connection, phase: Phase, stop: asyncio.Event) -> None:
        while not stop.is_set():
            status, _ = await connection.request(method, path, body, token)
            phase.statuses[status] += 1

    return load


async def largest_accepted(port: int, path: str, bodies: list[bytes], token: str = "") -> bytes:
    """The first of `bodies` (largest first) the server does not refuse as too big (422)."""
    connection = await Connection.open(port)
    try:
        for body in bodies[:-1]:
            status, _ = await connection.request("POST", path, body, token)
            if status != 422:
                return body
        return bodies[-1]
    finally:
        connection.close()


async def new_session(port: int, body: dict) -> tuple[str, str]:
    connection = await Connection.open(port)
    try:
        status, answer = await connection.request(
            "POST", "/api/sessions", json.dumps(body).encode()
        )
        assert status == 201, answer[:300]
        state = json.loads(answer)
        return state["id"], state["token"]
    finally:
        connection.close()


async def train_load(port: int, sizes: Sizes, clients: int) -> Load:
    """Each connection trains its own largest session by the most epochs the server takes
    (sizes.epochs, or the most its 422 names)."""
    sessions = iter([await new_session(port, scenario(sizes, "lstm")) for _ in range(clients)])

    async def load(connection: Connection, phase: Phase, stop: asyncio.Event) -> None:
        session_id, token = next(sessions)
        epochs, path = sizes.epochs, f"/api/sessions/{session_id}/train"
        while not stop.is_set():
            body = json.dumps({"epochs": epochs}).encode()
            status, answer = await connection.request("POST", path, body, token)
            allowed = re.search(rb"must be <= ([\d,]+) per call", answer)
            if status == 422 and allowed and int(allowed[1].replace(b",", b"")) < epochs:
                epochs = int(allowed[1].replace(b",", b""))
                continue
            phase.statuses[f"{status} ({epochs} epochs)"] += 1

    return load


def gradcheck_bodies(sizes: Sizes) -> list[bytes]:
    """Largest first: an LSTM at T with a few units (one input and output: a gradient
    check's cost is 4 x its entries x T forward steps), then an Elman, then a tiny one."""
    candidates = [
        scenario(sizes, "lstm", H=max(1, sizes.H // 9), d=1, K=1),
        scenario(sizes, "elman", H=max(1, sizes.H // 4), d=1, K=1),
        scenario(sizes, "elman", T=3, H=2, d=1, K=1),
    ]
    return [json.dumps(body).encode() for body in candidates]


async def run_phase(port: int, name: str, load: Load | None, clients: int, seconds: float) -> Phase:
    phase, stop = Phase(name), asyncio.Event()
    connections = [await Connection.open(port) for _ in range(clients if load else 0)]
    tasks = [asyncio.create_task(probe(port, phase, stop))]
    tasks += [asyncio.create_task(load(c, phase, stop)) for c in connections] if load else []
    await asyncio.sleep(seconds)
    stop.set()
    await asyncio.wait_for(tasks[0], timeout=30)
    for task in tasks[1:]:
        task.cancel()
    await asyncio.gather(*tasks[1:], return_exceptions=True)
    for connection in connections:
        connection.close()
    return phase


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


async def quiet(pid: int, limit: float = 60.0) -> None:
    """Wait until the server spends under 5% of a core for half a second (at most `limit`)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before = cpu_seconds(pid)
        await asyncio.sleep(0.5)
        if cpu_seconds(pid) - before < 0.025:
            return


def percentile(values: list[float], q: float) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


async def loads(port: int, sizes: Sizes, clients: int) -> list[tuple[str, Load]]:
    bptt = json.dumps(scenario(sizes, "lstm")).encode()
    gradcheck = await largest_accepted(port, "/api/gradcheck", gradcheck_bodies(sizes))
    flood = json.dumps({"preset": "seed-3-step"}).encode()
    return [
        ("bombs-long", repeat("POST", "/api/bptt", long_bomb(sizes))),
        ("bombs-wide", repeat("POST", "/api/bptt", wide_bomb(sizes))),
        ("train", await train_load(port, sizes, clients)),
        ("gradcheck", repeat("POST", "/api/gradcheck", gradcheck)),
        ("bptt", repeat("POST", "/api/bptt", bptt)),
        ("create-flood", repeat("POST", "/api/sessions", flood)),
    ]


async def measure(port: int, pid: int, sizes: Sizes, clients: int, seconds: float) -> list[Phase]:
    phases = [await run_phase(port, "idle", None, clients, seconds)]
    for name, load in await loads(port, sizes, clients):
        await quiet(pid)
        phases.append(await run_phase(port, name, load, clients, seconds))
    return phases


def report(phases: list[Phase]) -> str:
    idle = percentile(phases[0].health, 99)
    lines = [f"{'load':<14}{'answers':<40}{'n':>5}{'p50 ms':>9}{'p99 ms':>9}{'x idle':>8}"]
    for phase in phases:
        answers = ", ".join(f"{k}: {v}" for k, v in sorted(phase.statuses.items(), key=str))
        p50, p99 = percentile(phase.health, 50) * 1e3, percentile(phase.health, 99) * 1e3
        ratio = p99 / (idle * 1e3)
        row = f"{phase.name:<14}{answers or '-':<40}{len(phase.health):>5}{p50:>9.1f}{p99:>9.1f}"
        lines.append(f"{row}{ratio:>8.1f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> list[Phase]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="each load's duration")
    parser.add_argument("--clients", type=int, default=4, help="connections per load")
    parser.add_argument("--tiny", action="store_true", help="small sizes, 1 s per load")
    args = parser.parse_args(argv)
    sizes, seconds = (TINY, 1.0) if args.tiny else (FULL, args.seconds)
    with Uvicorn({}, args=("--no-access-log",)) as server:
        assert server.process is not None
        phases = asyncio.run(measure(server.port, server.process.pid, sizes, args.clients, seconds))
    print(report(phases))
    return phases


if __name__ == "__main__":
    main()

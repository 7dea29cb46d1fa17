"""A classroom on loopback: N students, each creating a session and stepping once a second.

Each student is one keep-alive HTTP/1.1 connection driven by a raw asyncio client (a few
tens of microseconds a request, where httpx costs milliseconds): it creates a session from
a preset, then sends forward x T, backward x T, update, over and over, one request a
second at its own offset. Beside it, the same N connections ask a trivial async route of
the same app (GET /api/health) once a second. Reported per run: requests, errors, p50 and
p99 latency, and the server's CPU per request (user + system time of every server
process, from /proc), and the ratio of a step's CPU to the trivial route's.

Bounded: each run lasts --seconds (default 20), only on 127.0.0.1, and the servers and
the redis-server it starts are stopped at the end.

    .venv/bin/python bench/classroom.py                       # N = 150, 300, 1000; 1 and 2 workers
    .venv/bin/python bench/classroom.py --students 300 --seconds 10 --setups one
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.sessions.redis_server import RedisServer, free_port

ROOT = Path(__file__).resolve().parents[1]
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


class Connection:
    """One keep-alive HTTP/1.1 connection: request() -> (status, body)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> Connection:
        return cls(*await asyncio.open_connection("127.0.0.1", port))

    async def request(
        self, method: str, path: str, body: bytes = b"", token: str = ""
    ) -> tuple[int, bytes]:
        lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}"]
        if body:
            lines.append("Content-Type: application/json")
        if token:
            lines.append(f"Authorization: Bearer {token}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        return status, await self.reader.readexactly(length) if length else b""

    def close(self) -> None:
        self.writer.close()


async def join(port: int, trivial: bool, tally: Tally) -> Student | None:
    """A student's connection, and (unless trivial) its new session."""
    try:
        connection = await Connection.open(port)
    except OSError:
        tally.error("connect")
        return None
    if trivial:
        return Student(connection)
    body = json.dumps({"preset": PRESET}).encode()
    status, answer = await connection.request("POST", "/api/sessions", body)
    if status != 201:
        tally.error(str(status))
        return None
    state = json.loads(answer)
    return Student(connection, state["id"], state["token"], state["phase"])


SUMMARY = b'"session":{"phase":"'


def next_phase(answer: bytes) -> str:
    """The step answer's session.phase, found without parsing the whole answer (client CPU)."""
    start = answer.rindex(SUMMARY) + len(SUMMARY)
    return answer[start : answer.index(b'"', start)].decode()


@dataclass
class Student:
    connection: Connection
    session: str = ""
    token: str = ""
    phase: str = ""


async def attend(who: Student, trivial: bool, until: float, tally: Tally) -> None:
    """A request a second, at a random offset, until `until`."""
    next_at = time.monotonic() + random.random()
    await asyncio.sleep(max(0.0, next_at - time.monotonic()))
    while next_at < until:
        started = time.monotonic()
        try:
            if trivial:
                status, answer = await who.connection.request("GET", "/api/health")
            else:
                path = f"/api/sessions/{who.session}/{who.phase}"
                status, answer = await who.connection.request("POST", path, token=who.token)
        except (OSError, asyncio.IncompleteReadError):
            tally.error("connection")
            return
        tally.latencies.append(time.monotonic() - started)
        if status != 200:
            tally.error(str(status))
        elif not trivial:
            who.phase = next_phase(answer)
        next_at += 1.0
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
    who.connection.close()


def server_cpu(pid: int) -> float:
    """CPU seconds of `pid` and its child processes (uvicorn's workers)."""
    total = 0.0
    for candidate in [pid, *children(pid)]:
        try:
            fields = Path(f"/proc/{candidate}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int(entry.joinpath("stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (FileNotFoundError, IndexError, ValueError):
                continue
    return found


async def classroom(port: int, pid: int, students: int, seconds: float, trivial: bool) -> dict:
    """Everyone joins (sessions created, not counted), then a request each a second."""
    tally = Tally()
    joined = []
    for start in range(0, students, 50):  # join in groups, as a room does
        group = [join(port, trivial, tally) for _ in range(start, min(students, start + 50))]
        joined += [who for who in await asyncio.gather(*group) if who is not None]
    cpu_before, started = server_cpu(pid), time.monotonic()
    until = started + seconds
    await asyncio.gather(*(attend(who, trivial, until, tally) for who in joined))
    cpu, elapsed = server_cpu(pid) - cpu_before, time.monotonic() - started
    latencies = sorted(tally.latencies) or [float("nan")]
    count = len(tally.latencies)
    return {
        "requests": count,
        "errors": sum(tally.errors.values()),
        "error_kinds": tally.errors,
        "p50_ms": 1e3 * latencies[len(latencies) // 2],
        "p99_ms": 1e3 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
        "cpu_ms_per_request": 1e3 * cpu / max(1, count),
        "cpu_share": cpu / elapsed,
    }


async def start_server(
    workers: int, redis_url: str | None
) -> tuple[asyncio.subprocess.Process, int]:
    port = free_port()
    env = {  # every student on one loopback address: room for all of them
        **os.environ,
        "BPTT_REDIS_URL": redis_url or "",
        "BPTT_MAX_SESSIONS": "5000",
        "BPTT_MAX_SESSIONS_PER_CLIENT": "5000",
        "BPTT_CREATE_BURST": "5000",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1",
        "--port", str(port), "--workers", str(workers), "--no-access-log", "--backlog", "4096",
        cwd=ROOT, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(200):
        try:
            connection = await Connection.open(port)
            await connection.request("GET", "/api/health")
            connection.close()
            await asyncio.sleep(1.0 if workers > 1 else 0.2)  # every worker up
            return process, port
        except OSError:
            await asyncio.sleep(0.1)
    raise RuntimeError("uvicorn did not start")


PRESET = "seed-3-step"  # the page's default scenario; --preset for another


async def main(arguments: argparse.Namespace) -> None:
    setups = {"one": (1, False), "two-redis": (2, True)}
    print(f"# {time.strftime('%Y-%m-%d %H:%M')} {os.cpu_count()} CPUs, preset {PRESET}")
    with tempfile.TemporaryDirectory() as directory, RedisServer(Path(directory)) as redis:
        for name in arguments.setups.split(","):
            workers, with_redis = setups[name]
            for students in arguments.students:
                process, port = await start_server(workers, redis.url if with_redis else None)
                try:
                    step = await classroom(port, process.pid, students, arguments.seconds, False)
                    trivial = await classroom(port, process.pid, students, arguments.seconds, True)
                finally:
                    process.terminate()
                    await process.wait()
                ratio = step["cpu_ms_per_request"] / max(trivial["cpu_ms_per_request"], 1e-9)
                print(
                    f"{name:9s} N={students:5d}  step: {step['requests']:6d} req "
                    f"{step['errors']:4d} err p50 {step['p50_ms']:7.1f} ms p99 "
                    f"{step['p99_ms']:7.1f} ms cpu {step['cpu_ms_per_request']:.2f} ms/req "
                    f"({step['cpu_share']:.0%} of a core) | trivial: p50 {trivial['p50_ms']:6.1f} "
                    f"p99 {trivial['p99_ms']:6.1f} ms cpu {trivial['cpu_ms_per_request']:.2f} "
                    f"ms/req | ratio {ratio:.2f}x {step['error_kinds'] or ''}",
                    flush=True,
                )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, nargs="+", default=[150, 300, 1000])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--setups", default="one,two-redis")
    parser.add_argument("--preset", default=PRESET, help="the scenario every student steps")
    options = parser.parse_args()
    PRESET = options.preset
    asyncio.run(main(options))

"""Real servers on loopback for the tests: a free port, and uvicorn serving the app."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Uvicorn:
    """`uvicorn app.main:app` on 127.0.0.1:port with BPTT_* settings from `env`."""

    def __init__(
        self,
        env: dict[str, str],
        port: int | None = None,
        args: tuple[str, ...] = (),
        root: Path = ROOT,
    ) -> None:
        """root: the checkout whose app is served (another one: a baseline to compare with)."""
        self.env, self.port, self.args, self.root = env, port or free_port(), args, root
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Uvicorn:
        self.launch()
        return self.wait_until_up()

    def launch(self) -> None:
        """Start the process without waiting for it to answer."""
        command = [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1"]
        self.process = subprocess.Popen(
            [*command, "--port", str(self.port), *self.args],
            cwd=self.root,
            env={**os.environ, **self.env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def wait_until_up(self) -> Uvicorn:
        """Poll /api/health until it answers: the app's imports alone take seconds on a busy
        machine (2 cores shared), hence a deadline well past a quiet start's ~2 s."""
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/api/health", timeout=1):
                    return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):  # not up, or slow
                if self.process.poll() is not None or time.monotonic() > deadline:
                    error = self.process.stderr.read().decode()[-2000:] if self.process else ""
                    self.stop()
                    raise RuntimeError(f"uvicorn did not start: {error}") from None
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def __enter__(self) -> Uvicorn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextmanager
def serving(*servers: Uvicorn) -> Iterator[list[Uvicorn]]:
    """Start every server at once (their start-ups overlap), wait for each, stop all after."""
    try:
        for server in servers:
            server.launch()
        yield [server.wait_until_up() for server in servers]
    finally:
        for server in servers:
            server.stop()

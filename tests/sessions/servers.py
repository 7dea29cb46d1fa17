"""Real uvicorn processes on loopback for the multi-worker tests, and a raw SSE reader."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from tests.sessions.redis_server import free_port

ROOT = Path(__file__).resolve().parents[2]


class Uvicorn:
    """`uvicorn app.main:app` on 127.0.0.1:port with BPTT_* settings from `env`."""

    def __init__(
        self, env: dict[str, str], port: int | None = None, args: tuple[str, ...] = ()
    ) -> None:
        self.env, self.port, self.args = env, port or free_port(), args
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Uvicorn:
        command = [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1"]
        self.process = subprocess.Popen(
            [*command, "--port", str(self.port), *self.args],
            cwd=ROOT,
            env={**os.environ, **self.env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/api/health", timeout=1):
                    return self
            except (urllib.error.URLError, ConnectionError):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("uvicorn did not start") from None
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


def request(
    base_url: str, method: str, path: str, body: Any = None, token: str | None = None
) -> tuple[int, Any]:
    """One request on a fresh connection; (status, parsed JSON or None)."""
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    call = urllib.request.Request(base_url + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(call, timeout=10) as response:
            text = response.read()
            return response.status, json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


class EventReader:
    """A raw text/event-stream reader over one HTTP/1.1 connection."""

    def __init__(self, base_url: str, session_id: str, last_event_id: str | None = None) -> None:
        host, port = base_url.removeprefix("http://").split(":")
        self.connection = http.client.HTTPConnection(host, int(port), timeout=10)
        headers = {"Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = last_event_id
        self.connection.request("GET", f"/api/sessions/{session_id}/events", headers=headers)
        self.response = self.connection.getresponse()
        self.raw = b""  # every byte received, to check what the stream never carries

    def next_event(self) -> dict[str, str]:
        """The next event's fields (id, event, data); comments (keep-alives) skipped."""
        fields: dict[str, str] = {}
        while True:
            line = self.response.readline()
            if not line:
                raise EOFError("the event stream ended")
            self.raw += line
            text = line.decode().rstrip("\r\n")
            if not text:
                if fields:
                    return fields
                continue
            if text.startswith(":"):
                continue
            name, _, value = text.partition(":")
            fields[name] = value.removeprefix(" ")

    def close(self) -> None:
        sock = self.connection.sock
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)
        self.connection.close()

"""Connections that stall: a body that stops short, an idle keep-alive. A real uvicorn on
127.0.0.1 with one-second timeouts, talked to over raw sockets (bounded: a few seconds)."""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import Uvicorn

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def server() -> Iterator[Uvicorn]:
    env = {"BPTT_BODY_TIMEOUT_SECONDS": "1"}
    uvicorn = Uvicorn(env, args=("--timeout-keep-alive", "1")).start()
    yield uvicorn
    uvicorn.stop()


def read_until_closed(connection: socket.socket, limit: float) -> tuple[bytes, float]:
    """Everything the server sends until it closes the connection, and how long that took."""
    start, received = time.monotonic(), b""
    connection.settimeout(limit)
    while chunk := connection.recv(65536):
        received += chunk
    return received, time.monotonic() - start


def test_a_body_shorter_than_its_content_length_is_a_408_and_dropped(server: Uvicorn) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        head = (
            "POST /api/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
        )
        connection.sendall(head.encode() + b'{"preset": ')
        answer, waited = read_until_closed(connection, limit=10)
    status, _, body = answer.partition(b"\r\n\r\n")
    assert status.startswith(b"HTTP/1.1 408"), answer
    assert "BPTT_BODY_TIMEOUT_SECONDS" in json.loads(body)["detail"]
    assert waited < 5  # closed by the server about a second on, not by our socket's timeout


def test_an_idle_keep_alive_connection_is_closed(server: Uvicorn) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        answer, waited = read_until_closed(connection, limit=10)
    assert answer.startswith(b"HTTP/1.1 200"), answer
    assert waited < 5


def test_make_run_sets_the_keep_alive_timeout() -> None:
    makefile = (ROOT / "Makefile").read_text().replace("\\\n", " ")
    assert re.search(r"uvicorn app\.main:app .*--timeout-keep-alive \$\(KEEP_ALIVE\)", makefile)
    assert re.search(r"^KEEP_ALIVE \?= \d+$", makefile, re.MULTILINE)

"""Fixtures for the session floor: the API's app clients, and helpers on records."""

from __future__ import annotations

import math
import struct
import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
import redis
from pydantic import BaseModel

from app.sessions import MemoryStore, SessionStore
from app.sessions.redis import RedisStore
from tests.api.conftest import client, make_client
from tests.sessions.redis_server import RedisServer

__all__ = ["client", "make_client", "same_bits"]
STORE_KINDS = ("memory", "redis")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One redis-server for the test run, on a free loopback port."""
    with RedisServer(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The test Redis, emptied first."""
    redis.Redis.from_url(redis_server.url).flushdb()
    return redis_server.url


@pytest.fixture(params=STORE_KINDS)
def make_store(request: pytest.FixtureRequest) -> Iterator[Callable[..., SessionStore]]:
    """Make a store of each kind: max_sessions, ttl (seconds), event_log_size and
    max_per_client as keywords."""
    made: list[SessionStore] = []
    url = request.getfixturevalue("redis_url") if request.param == "redis" else None

    def make(
        max_sessions: int = 100,
        ttl: float = 3600,
        event_log_size: int = 100,
        max_per_client: int | None = None,
    ):
        if url is None:
            store = MemoryStore(
                max_sessions, ttl, FakeClock(), event_log_size, max_per_client=max_per_client
            )
        else:
            store = RedisStore(url, max_sessions, ttl, event_log_size, 0.5, max_per_client)
        made.append(store)
        return store

    yield make
    for store in made:
        store.close()


@pytest.fixture
def idle() -> Callable[[SessionStore, float], None]:
    """Let `seconds` pass since the test began, for a store (a fake clock, or real time)."""
    started: dict[int, float] = {}

    def wait(store: SessionStore, seconds: float) -> None:
        if isinstance(store, MemoryStore):
            start = started.setdefault(id(store), store.clock.now)
            store.clock.now = start + seconds
            return
        start = started.setdefault(id(store), time.monotonic())
        time.sleep(max(0.0, start + seconds - time.monotonic()))

    return wait


def same_bits(left: Any, right: Any, where: str = "") -> None:
    """Assert two JSON-shaped values (with NumPy arrays; a response model as its fields)
    hold the same numbers, bit for bit."""
    if isinstance(left, BaseModel) and isinstance(right, BaseModel):
        left, right = left.__dict__, right.__dict__
    if isinstance(left, np.ndarray) or isinstance(right, np.ndarray):
        left_array, right_array = np.asarray(left), np.asarray(right)
        assert left_array.shape == right_array.shape, where
        assert left_array.astype(np.float64).tobytes() == right_array.astype(np.float64).tobytes()
    elif isinstance(left, dict):
        assert isinstance(right, dict) and left.keys() == right.keys(), where
        for key in left:
            same_bits(left[key], right[key], f"{where}.{key}")
    elif isinstance(left, list | tuple):
        assert isinstance(right, list | tuple) and len(left) == len(right), where
        for index, (a, b) in enumerate(zip(left, right, strict=True)):
            same_bits(a, b, f"{where}[{index}]")
    elif isinstance(left, float) and not isinstance(left, bool):
        assert isinstance(right, float), where
        assert struct.pack("<d", left) == struct.pack("<d", right) or (
            math.isnan(left) and math.isnan(right)
        ), where
    else:
        assert left == right, where

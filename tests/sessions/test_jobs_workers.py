"""A training job with two real uvicorn workers behind one Redis: started on one worker, its
progress reaches a follower on the other, a stop sent to the other stops it, and the other
reads how it ended."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from tests.servers import Uvicorn, serving
from tests.sessions.redis_server import RedisServer
from tests.sessions.servers import EventReader, request


@pytest.fixture(scope="module")
def workers(redis_server: RedisServer) -> Iterator[list[Uvicorn]]:
    env = {"BPTT_REDIS_URL": redis_server.url}
    with serving(Uvicorn(env), Uvicorn(env)) as both:
        yield both


def test_a_job_is_followed_and_stopped_from_another_worker(workers: list[Uvicorn]) -> None:
    one, other = workers
    status, state = request(one.url, "POST", "/api/sessions", {"preset": "sine-next-value"})
    assert status == 201
    sid, token = state["id"], state["token"]
    follower = EventReader(other.url, sid)
    try:
        status, job = request(
            one.url, "POST", f"/api/sessions/{sid}/jobs/train", {"epochs": 100_000}, token
        )
        assert status == 202 and job["state"] == "running"
        event = follower.next_event()
        while event["event"] != "progress":
            event = follower.next_event()
        assert "id" not in event and json.loads(event["data"])["epochs"] == 100_000
        status, seen = request(other.url, "GET", f"/api/sessions/{sid}/job")
        assert status == 200 and seen["state"] == "running"
        status, _ = request(other.url, "POST", f"/api/sessions/{sid}/jobs/stop", None, token)
        assert status == 200
        until, report = time.monotonic() + 20, seen
        while report["state"] == "running" and time.monotonic() < until:
            time.sleep(0.05)
            report = request(other.url, "GET", f"/api/sessions/{sid}/job")[1]
        assert report["state"] == "stopped" and 0 < report["done"] < 100_000
        event = follower.next_event()
        while event["event"] != "train":
            event = follower.next_event()
        status, state = request(other.url, "GET", f"/api/sessions/{sid}")
        assert state["epoch"] == 1 + report["done"]
    finally:
        follower.close()

"""A classroom on loopback: 100 followers of one session (SSE clients, not browsers) each see
every step of the teacher, and the teacher's views, within one second; on Redis a follower on
another worker sees the views too, and one that reconnects misses no step."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.servers import Uvicorn
from tests.sessions.redis_server import RedisServer
from tests.sessions.servers import EventReader, request

FOLLOWERS = 100
STEPS = ["forward"] * 3 + ["backward"] * 3 + ["update"]  # seed-3-step: T = 3
VIEWS = ["e1-backward-3-2", "e1-backward-3-1"]

# "within a second" is wall time: `make test` runs these alone, after the parallel part.
pytestmark = pytest.mark.wall_clock


@pytest.fixture(scope="module")
def server() -> Iterator[Uvicorn]:
    with Uvicorn(env={}) as running:
        yield running


async def follow(client: httpx.AsyncClient, session_id: str, seen: dict[str, float]) -> None:
    """Read the stream until the update's event; note when each step's id and view arrived."""
    url = f"/api/sessions/{session_id}/events"
    async with client.stream("GET", url, headers={"Accept": "text/event-stream"}) as stream:
        assert stream.status_code == 200
        seen["connected"] = time.monotonic()
        fields: dict[str, str] = {}
        async for line in stream.aiter_lines():
            if line:
                name, _, value = line.partition(":")
                fields[name] = value.removeprefix(" ")
                continue
            if fields.get("event") == "view":
                seen[json.loads(fields["data"])["view"]] = time.monotonic()
            elif "id" in fields:
                seen[fields["id"]] = time.monotonic()
                if fields["event"] == "update":
                    return
            fields = {}


async def classroom(base_url: str) -> tuple[dict[str, float], list[dict[str, float]]]:
    """The teacher steps an epoch (and shows two views) while 100 followers read."""
    limits = httpx.Limits(max_connections=FOLLOWERS + 10, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=10) as client:
        created = (await client.post("/api/sessions", json={"preset": "seed-3-step"})).json()
        session_id, auth = created["id"], {"Authorization": f"Bearer {created['token']}"}
        seen: list[dict[str, float]] = [{} for _ in range(FOLLOWERS)]
        readers = [asyncio.create_task(follow(client, session_id, s)) for s in seen]
        while not all("connected" in s for s in seen):
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.2)  # every stream subscribed (a step before would be replayed)
        sent: dict[str, float] = {}
        for seq, command in enumerate(STEPS, start=1):
            if seq == 5:
                for view in VIEWS:
                    sent[view] = time.monotonic()
                    path, body = f"/api/sessions/{session_id}/view", {"view": view}
                    answer = await client.put(path, json=body, headers=auth)
                    assert answer.status_code == 200, answer.text
            sent[str(seq)] = time.monotonic()
            answer = await client.post(f"/api/sessions/{session_id}/{command}", headers=auth)
            assert answer.status_code == 200, answer.text
        await asyncio.wait_for(asyncio.gather(*readers), timeout=20)
        return sent, seen


def test_100_followers_each_see_every_step_within_a_second(server: Uvicorn) -> None:
    # In a thread of its own: the browser tests' Playwright holds an event loop on this one.
    with ThreadPoolExecutor(1) as thread:
        sent, seen = thread.submit(asyncio.run, classroom(server.url)).result(timeout=60)
    assert len(seen) == FOLLOWERS
    for follower in seen:
        assert set(sent) <= set(follower)  # every step and every view, none missed
        lags = {name: follower[name] - sent[name] for name in sent}
        assert max(lags.values()) < 1.0, lags


def test_views_reach_followers_on_another_worker_and_a_reconnect_misses_no_step(
    redis_server: RedisServer,
) -> None:
    env = {"BPTT_REDIS_URL": redis_server.url}
    with Uvicorn(env) as first, Uvicorn(env) as second:
        status, created = request(first.url, "POST", "/api/sessions", {"preset": "seed-3-step"})
        session_id, token = created["id"], created["token"]
        status, code = request(first.url, "POST", f"/api/sessions/{session_id}/code", token=token)
        assert status == 200
        follower = EventReader(second.url, session_id)
        request(first.url, "POST", f"/api/sessions/{session_id}/forward", token=token)
        assert follower.next_event()["id"] == "1"
        status, _ = request(
            first.url, "PUT", f"/api/sessions/{session_id}/view", {"view": "e1-forward-1"}, token
        )
        event = follower.next_event()
        assert (event["event"], "id" in event) == ("view", False)
        assert json.loads(event["data"]) == {"seq": 1, "command": "view", "view": "e1-forward-1"}
        follower.close()
        # Dropped: two steps and a view meanwhile; back with Last-Event-ID, on the other worker.
        for _ in range(2):
            request(second.url, "POST", f"/api/sessions/{session_id}/forward", token=token)
        view = {"view": "e1-forward-3"}
        request(first.url, "PUT", f"/api/sessions/{session_id}/view", view, token)
        again = EventReader(first.url, session_id, last_event_id="1")
        assert [again.next_event()["id"] for _ in range(2)] == ["2", "3"]
        assert request(second.url, "GET", f"/api/codes/{code['code']}")[1] == {
            "session": session_id,
            "view": "e1-forward-3",
        }
        again.close()

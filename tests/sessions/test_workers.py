"""Two real uvicorn workers behind one Redis: any worker serves any session, a restart keeps
it, followers see every step, and Redis trouble answers a sentence, never a hang."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from fastapi.testclient import TestClient

from app.core import Run, get_preset, step
from app.main import create_app
from app.sessions import RunCache, Sessions, encode_record
from app.sessions.redis import RedisStore
from app.settings import Settings
from tests.servers import Uvicorn, serving
from tests.sessions.redis_server import RedisServer
from tests.sessions.servers import EventReader, request


@pytest.fixture(scope="module")
def workers(redis_server: RedisServer) -> Iterator[list[Uvicorn]]:
    env = {"BPTT_REDIS_URL": redis_server.url}
    with serving(Uvicorn(env), Uvicorn(env)) as both:
        yield both


def create(server: Uvicorn, preset: str = "sine-next-value") -> tuple[str, str]:
    status, state = request(server.url, "POST", "/api/sessions", {"preset": preset})
    assert status == 201, state
    return state["id"], state["token"]


def test_two_workers_take_turns_on_one_session_with_no_404_and_no_skipped_step(
    workers: list[Uvicorn],
) -> None:
    session_id, token = create(workers[0])
    live = Run(get_preset("sine-next-value").scenario)
    for turn in range(2 * (2 * live.T + 1)):  # two whole epochs, alternately
        server = workers[turn % 2]
        status, answer = request(
            server.url, "POST", f"/api/sessions/{session_id}/{live.phase}", token=token
        )
        live, record = step(live)
        assert status == 200, answer
        assert answer.get("t") == getattr(record, "t", None)
        assert answer["session"]["status"] == live.status()
        if record.kind == "forward":
            assert answer["h"] == record.h.tolist()  # the same numbers, to the last bit
    status, state = request(workers[1].url, "GET", f"/api/sessions/{session_id}")
    assert (
        status == 200 and state["epoch"] == 3 and state["loss_history"] == list(live.loss_history)
    )


def test_racing_requests_on_two_workers_each_take_the_next_step_or_answer_409(
    workers: list[Uvicorn],
) -> None:
    session_id, token = create(workers[0])  # T = 12: twelve forward steps

    def forward(turn: int) -> tuple[int, int | None]:
        path = f"/api/sessions/{session_id}/forward"
        status, answer = request(workers[turn % 2].url, "POST", path, token=token)
        return status, answer.get("t") if status == 200 else None

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(forward, range(16)))
    assert {status for status, _ in answers} <= {200, 409}
    taken = sorted(t for status, t in answers if status == 200)
    assert taken == list(range(1, len(taken) + 1))
    _, state = request(workers[1].url, "GET", f"/api/sessions/{session_id}")
    assert [record["t"] for record in state["forward"]] == taken


def test_a_restarted_server_still_has_the_session(redis_server: RedisServer) -> None:
    env = {"BPTT_REDIS_URL": redis_server.url}
    with Uvicorn(env) as server:
        session_id, token = create(server)
        for _ in range(3):
            assert (
                request(server.url, "POST", f"/api/sessions/{session_id}/forward", token=token)[0]
                == 200
            )
        port = server.port
    with Uvicorn(env, port=port) as restarted:
        status, state = request(restarted.url, "GET", f"/api/sessions/{session_id}")
        assert status == 200 and (state["phase"], state["t"]) == ("forward", 4)
        status, answer = request(
            restarted.url, "POST", f"/api/sessions/{session_id}/forward", token=token
        )
        assert status == 200 and answer["t"] == 4


def test_a_follower_on_one_worker_sees_every_step_taken_through_the_other(
    workers: list[Uvicorn],
) -> None:
    session_id, token = create(workers[0])
    path = f"/api/sessions/{session_id}"
    follower = EventReader(workers[1].url, session_id)
    assert follower.response.status == 200
    assert follower.response.getheader("content-type").startswith("text/event-stream")
    for _ in range(5):
        assert request(workers[0].url, "POST", f"{path}/forward", token=token)[0] == 200
    events = [follower.next_event() for _ in range(5)]
    assert [event["id"] for event in events] == ["1", "2", "3", "4", "5"]
    assert [json.loads(event["data"]) for event in events][-1] == {
        "seq": 5,
        "command": "forward",
        "cursor": {"phase": "forward", "t": 6, "epoch": 1},
    }
    follower.close()
    # Dropped: three steps happen meanwhile; reconnecting with Last-Event-ID misses none.
    assert request(workers[0].url, "POST", f"{path}/forward", token=token)[0] == 200
    assert request(workers[1].url, "POST", f"{path}/reset", {"to": "epoch"}, token=token)[0] == 200
    assert request(workers[0].url, "POST", f"{path}/train", {"epochs": 1}, token=token)[0] == 200
    again = EventReader(workers[0].url, session_id, last_event_id="5")
    resumed = [again.next_event() for _ in range(3)]
    assert [(event["id"], event["event"]) for event in resumed] == [
        ("6", "forward"),
        ("7", "reset"),
        ("8", "train"),
    ]
    request(workers[1].url, "DELETE", path, token=token)
    assert again.next_event()["event"] == "delete"
    with pytest.raises(EOFError):
        again.next_event()  # the stream ends with the session
    assert token.encode() not in follower.raw + again.raw


def test_a_stream_for_an_unknown_session_is_404(workers: list[Uvicorn]) -> None:
    status, answer = request(workers[0].url, "GET", "/api/sessions/nope/events")
    assert status == 404 and "no session" in answer["detail"]


def test_redis_not_answering_is_503_with_a_sentence_never_a_hang() -> None:
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        url = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        client = TestClient(create_app(Settings(redis_url=url, redis_timeout_seconds=0.3)))
        started = time.monotonic()
        for method, path in (("post", "/api/sessions"), ("get", "/api/sessions/x")):
            response = client.request(method, path, json={"preset": "hello"})
            assert response.status_code == 503
            assert "Redis" in response.json()["detail"]
        assert time.monotonic() - started < 10  # two short timeouts, not a hang


def test_a_damaged_record_tells_the_user_to_start_again(redis_url: str) -> None:
    client = TestClient(create_app(Settings(), RedisStore(redis_url, 100, 3600)))
    created = client.post("/api/sessions", json={"preset": "seed-3-step"}).json()
    session_id, headers = created["id"], {"Authorization": f"Bearer {created['token']}"}
    redis.Redis.from_url(redis_url).hset(f"bptt:s:{session_id}", "record", '{"version": 0}')
    for response in (
        client.get(f"/api/sessions/{session_id}"),
        client.post(f"/api/sessions/{session_id}/forward", headers=headers),
    ):
        assert response.status_code == 410
        assert "start a new session" in response.json()["detail"]


def test_a_step_writes_the_cursor_and_an_update_the_record(redis_url: str) -> None:
    writer, reader = RedisStore(redis_url, 100, 3600), RedisStore(redis_url, 100, 3600)
    sessions = Sessions(writer, RunCache(8))
    outcome = sessions.create(get_preset("seed-3-step").scenario, seed=0, preset=None)
    session_id, token = outcome.record.id, outcome.token
    raw = redis.Redis.from_url(redis_url)
    written = raw.hget(f"bptt:s:{session_id}", "record")
    live = Run(get_preset("seed-3-step").scenario)
    for turn in range(2 * live.T + 2):
        sessions.step(session_id, token, live.phase)
        live, _ = step(live)
        in_redis = raw.hmget(f"bptt:s:{session_id}", "record", "base", "revision")
        assert in_redis[1:] == (
            [b"0", str(turn + 1).encode()]
            if turn < 2 * live.T
            else [str(2 * live.T + 1).encode(), str(turn + 1).encode()]
        )
        assert (in_redis[0] == written) == (turn < 2 * live.T)
        # A worker that never saw this session reads the same record.
        fresh = RedisStore(redis_url, 100, 3600).load(session_id)
        assert encode_record(fresh) == encode_record(writer.load(session_id))
        assert encode_record(reader.load(session_id)) == encode_record(fresh)

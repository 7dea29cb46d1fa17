"""The in-memory store behind the routes: LRU, idle expiry, one step at a time when racing."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient

from app.main import create_app
from app.sessions import MemoryStore, SessionRecord
from app.sessions.events import Event
from app.settings import Settings
from tests.api.conftest import create_session


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class SlowStore(MemoryStore):
    """Widens the read-step-write window, so a missing lock would show."""

    def save(self, record: SessionRecord, event: Event) -> bool:
        time.sleep(0.005)
        return super().save(record, event)


def test_the_least_recently_used_session_goes_first(make_client) -> None:
    client: TestClient = make_client(max_sessions=2)
    first, _ = create_session(client, {"preset": "hello"})
    second, _ = create_session(client, {"preset": "hello"})
    assert client.get(f"/api/sessions/{first}").status_code == 200  # first is now the newest
    third, _ = create_session(client, {"preset": "hello"})
    assert client.get(f"/api/sessions/{second}").status_code == 404
    assert client.get(f"/api/sessions/{first}").status_code == 200
    assert client.get(f"/api/sessions/{third}").status_code == 200


def test_memory_stays_bounded_by_max_sessions(make_client) -> None:
    store = MemoryStore(max_sessions=3, ttl=3600)
    client = TestClient(create_app(Settings(), store))
    for _ in range(10):
        create_session(client, {"preset": "seed-3-step"})
    assert len(store) == 3


def test_a_session_idle_past_its_lifetime_is_evicted(make_client) -> None:
    clock = FakeClock()
    client = make_client(store=MemoryStore(max_sessions=10, ttl=60, clock=clock))
    session_id, headers = create_session(client, {"preset": "seed-3-step"})
    clock.now += 59
    assert client.post(f"/api/sessions/{session_id}/forward", headers=headers).status_code == 200
    clock.now += 59  # idle time counts from the last use
    assert client.get(f"/api/sessions/{session_id}").status_code == 200
    clock.now += 61
    assert client.get(f"/api/sessions/{session_id}").status_code == 404
    response = client.post(f"/api/sessions/{session_id}/forward", headers=headers)
    assert response.status_code == 404


def test_racing_steps_never_skip_or_repeat_a_time_step(make_client) -> None:
    client = make_client(store=SlowStore(max_sessions=10, ttl=60))
    body = {
        "config": {"input_size": 1, "hidden_size": 2, "output_size": 1},
        "inputs": [[float(t)] for t in range(8)],
        "targets": [[0.0]] * 8,
    }
    session_id, headers = create_session(client, body)
    url = f"/api/sessions/{session_id}/forward"
    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(lambda _: client.post(url, headers=headers), range(8)))
    assert [response.status_code for response in responses] == [200] * 8
    assert sorted(response.json()["t"] for response in responses) == list(range(1, 9))
    assert client.post(url, headers=headers).status_code == 409
    state = client.get(f"/api/sessions/{session_id}").json()
    assert [record["t"] for record in state["forward"]] == list(range(1, 9))
    assert [record["x"] for record in state["forward"]] == [[float(t)] for t in range(8)]

"""Training jobs: they run off the request, report progress, stop when asked, and become the
session's as one train event; one per session, a bounded number per worker."""

from __future__ import annotations

import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import create_session


def wait_for(client: TestClient, sid: str, done: Any, seconds: float = 20.0) -> dict[str, Any]:
    """Poll GET .../job until done(report), for at most `seconds` (bounded, not timed)."""
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        report = client.get(f"/api/sessions/{sid}/job").json()
        if done(report):
            return report
        time.sleep(0.02)
    raise AssertionError(f"the job did not get there: {report}")


def events(client: TestClient, sid: str) -> list[str]:
    return [event["command"] for event in client.app.state.store.events_since(sid, 0)]


def test_a_job_trains_in_the_background_and_becomes_the_sessions(client: TestClient) -> None:
    sid, headers = create_session(client, {"preset": "seed-3-step"})
    started = client.post(f"/api/sessions/{sid}/jobs/train", json={"epochs": 300}, headers=headers)
    assert started.status_code == 202 and started.json()["state"] == "running"
    report = wait_for(client, sid, lambda r: r["state"] != "running")
    assert report["state"] == "done" and report["done"] == 300
    state = client.get(f"/api/sessions/{sid}").json()
    assert state["epoch"] == 301 and len(state["loss_history"]) == 300
    assert report["loss"]["mean"] == state["loss_history"]  # one bucket per epoch below 1,000
    assert events(client, sid) == ["train"]
    # the same 300 epochs through POST .../train give the same loss history
    other, other_headers = create_session(client, {"preset": "seed-3-step"})
    trained = client.post(
        f"/api/sessions/{other}/train", json={"epochs": 300}, headers=other_headers
    )
    assert trained.json()["loss_history"] == pytest.approx(state["loss_history"], rel=1e-12)


def test_a_long_job_stops_when_asked_and_keeps_what_it_trained(client: TestClient) -> None:
    sid, headers = create_session(client, {"preset": "sine-next-value"})
    client.post(f"/api/sessions/{sid}/jobs/train", json={"epochs": 100_000}, headers=headers)
    running = wait_for(client, sid, lambda r: r["done"] > 50)
    assert running["state"] == "running"
    again = client.post(f"/api/sessions/{sid}/jobs/train", json={"epochs": 5}, headers=headers)
    assert again.status_code == 409  # one job per session
    assert client.post(f"/api/sessions/{sid}/jobs/stop", headers=headers).status_code == 200
    stopped = wait_for(client, sid, lambda r: r["state"] != "running")
    assert stopped["state"] == "stopped" and 50 < stopped["done"] < 100_000
    state = client.get(f"/api/sessions/{sid}").json()
    assert state["epoch"] == 1 + stopped["done"]
    assert len(state["loss_history"]) == min(1000, stopped["done"])
    curve = stopped["loss"]
    assert len(curve["first"]) <= 1000 and curve["last"][-1] == stopped["done"]
    assert client.post(f"/api/sessions/{sid}/jobs/stop", headers=headers).status_code == 409


def test_a_session_changed_during_the_job_is_left_as_it_is(client: TestClient) -> None:
    sid, headers = create_session(client, {"preset": "sine-next-value"})
    client.post(f"/api/sessions/{sid}/jobs/train", json={"epochs": 100_000}, headers=headers)
    wait_for(client, sid, lambda r: r["done"] > 10)
    assert client.post(f"/api/sessions/{sid}/forward", headers=headers).status_code == 200
    client.post(f"/api/sessions/{sid}/jobs/stop", headers=headers)
    report = wait_for(client, sid, lambda r: r["state"] != "running")
    assert report["state"] == "not applied" and "changed" in report["message"]
    state = client.get(f"/api/sessions/{sid}").json()
    assert state["epoch"] == 1 and len(state["forward"]) == 1


def test_jobs_are_bounded_per_worker_and_by_epochs(make_client) -> None:
    client = make_client(max_jobs=1, max_job_epochs=1000)
    first, first_headers = create_session(client, {"preset": "sine-next-value"})
    second, second_headers = create_session(client, {"preset": "seed-3-step"})
    too_many = client.post(
        f"/api/sessions/{second}/jobs/train", json={"epochs": 1001}, headers=second_headers
    )
    assert too_many.status_code == 422 and too_many.json()["detail"][0]["loc"] == ["body", "epochs"]
    client.post(f"/api/sessions/{first}/jobs/train", json={"epochs": 1000}, headers=first_headers)
    full = client.post(
        f"/api/sessions/{second}/jobs/train", json={"epochs": 5}, headers=second_headers
    )
    assert full.status_code == 409 and "limit" in full.json()["detail"]
    client.post(f"/api/sessions/{first}/jobs/stop", headers=first_headers)
    wait_for(client, first, lambda r: r["state"] != "running")
    assert client.get(f"/api/sessions/{second}/job").status_code == 404
    assert client.post(f"/api/sessions/{second}/jobs/train", json={"epochs": 1}).status_code == 401

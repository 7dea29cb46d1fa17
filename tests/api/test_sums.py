"""GET .../sums: every term of the epoch's running sums, ahead of the backward steps."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import create_session
from tests.api.test_preview import forward_pass


def one(value: object) -> object:
    """The number inside [x] or [[x]]."""
    while isinstance(value, list):
        (value,) = value
    return value


def test_the_sums_are_the_terms_the_backward_steps_then_give(client: TestClient) -> None:
    session_id, headers = create_session(client, {"preset": "seed-3-step"})
    forward_pass(client, session_id, headers)
    response = client.get(f"/api/sessions/{session_id}/sums?epoch=1")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["epoch"] == 1
    assert set(body["sums"]) == {"W_x", "W_h", "b", "W_y"}  # every parameter is one number
    assert [entry["id"] for entry in body["sums"]["W_x"]] == ["W_x:3:3", "W_x:3:2", "W_x:3:1"]
    for _ in range(3):
        step = client.post(f"/api/sessions/{session_id}/backward", headers=headers)
        assert step.status_code == 200, step.text
    grads = client.get(f"/api/sessions/{session_id}").json()["backward"][-1]["grads"]
    for param, chain in body["sums"].items():
        for entry in chain:
            term = client.get(f"/api/sessions/{session_id}/terms/{entry['id']}").json()
            for name in ("previous", "value", "running", "dropped"):
                assert entry[name] == one(term[name]), (entry["id"], name)
        assert abs(chain[-1]["running"] - one(grads[param])) < 1e-12


def test_the_sums_change_nothing_and_read_alike_midway(client: TestClient) -> None:
    session_id, headers = create_session(client, {"preset": "seed-3-step"})
    forward_pass(client, session_id, headers)
    first = client.get(f"/api/sessions/{session_id}/sums").json()
    assert client.get(f"/api/sessions/{session_id}").json()["backward"] == []
    step = client.post(f"/api/sessions/{session_id}/backward", headers=headers)
    assert step.status_code == 200, step.text
    assert client.get(f"/api/sessions/{session_id}/sums").json() == first


def test_the_sums_of_a_larger_parameter_are_left_out(client: TestClient) -> None:
    session_id, headers = create_session(client, {"preset": "hello"})  # H = 6: no one number
    state = client.get(f"/api/sessions/{session_id}").json()
    for _ in range(state["T"]):
        assert (
            client.post(f"/api/sessions/{session_id}/forward", headers=headers).status_code == 200
        )
    response = client.get(f"/api/sessions/{session_id}/sums")
    assert response.status_code == 200, response.text
    assert response.json() == {"epoch": 1, "sums": {}}
    assert all(len(value) > 1 or len(value[0]) > 1 for value in state["params"].values())


def test_the_sums_are_refused_before_the_forward_pass_ends_and_for_another_epoch(
    client: TestClient,
) -> None:
    session_id, headers = create_session(client, {"preset": "seed-3-step"})
    early = client.get(f"/api/sessions/{session_id}/sums")
    assert early.status_code == 409
    assert "forward pass is at t=0 of 3" in early.json()["detail"]
    forward_pass(client, session_id, headers)
    gone = client.get(f"/api/sessions/{session_id}/sums?epoch=2")
    assert gone.status_code == 404
    assert "epoch 1" in gone.json()["detail"]
    bad = client.get(f"/api/sessions/{session_id}/sums?epoch=two")
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"][-1] == "epoch"
    missing = client.get("/api/sessions/no-such-session/sums")
    assert missing.status_code == 404
    assert "no-such-session" in missing.json()["detail"]


def test_a_run_of_more_than_16_steps_answers_no_sums(client: TestClient) -> None:
    session_id, headers = create_session(client, {"preset": "exploding"})  # T = 30, b_y one number
    state = client.get(f"/api/sessions/{session_id}").json()
    assert state["T"] > 16 and len(state["params"]["b_y"]) == 1
    for _ in range(state["T"]):
        assert (
            client.post(f"/api/sessions/{session_id}/forward", headers=headers).status_code == 200
        )
    assert client.get(f"/api/sessions/{session_id}/sums").json() == {"epoch": 1, "sums": {}}

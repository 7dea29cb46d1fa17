"""The classroom routes: a join code for the owner only, views named as the page names them,
a code that opens the session (never its token), and explore from here (a private copy)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import auth, create_session


def test_only_the_owner_gets_the_code_and_it_opens_the_session_read_only(
    client: TestClient,
) -> None:
    session_id, headers = create_session(client, {"preset": "seed-3-step"})
    path = f"/api/sessions/{session_id}/code"
    assert client.post(path).status_code == 401
    assert client.post(path, headers=auth("not-the-token")).status_code == 403
    assert client.post("/api/sessions/nobody/code", headers=headers).status_code == 404
    made = client.post(path, headers=headers).json()
    assert made == client.post(path, headers=headers).json()  # the same code every time
    assert made["path"] == f"/follow/{made['code']}" and made["session"] == session_id
    typed = f"{made['code'][:3].lower()} {made['code'][3:]}"
    opened = client.get(f"/api/codes/{typed}")
    assert opened.json() == {"session": session_id, "view": None}
    assert headers["Authorization"].split()[1] not in opened.text


def test_a_code_that_opens_nothing_is_a_404_saying_why(client: TestClient) -> None:
    malformed = client.get("/api/codes/0O1IL")
    assert malformed.status_code == 404 and "6 characters from" in malformed.json()["detail"]
    unknown = client.get("/api/codes/ZZZZZZ")
    assert unknown.status_code == 404 and "ZZZZZZ" in unknown.json()["detail"]
    session_id, headers = create_session(client, {"preset": "seed-3-step"})
    code = client.post(f"/api/sessions/{session_id}/code", headers=headers).json()["code"]
    assert client.delete(f"/api/sessions/{session_id}", headers=headers).status_code == 204
    assert client.get(f"/api/codes/{code}").status_code == 404  # gone with its session


def test_the_owner_publishes_a_view_and_anyone_reads_it(client: TestClient) -> None:
    session_id, headers = create_session(client, {"preset": "seed-3-step"})
    path = f"/api/sessions/{session_id}/view"
    assert client.get(path).json() == {"session": session_id, "view": None}
    assert client.put(path, json={"view": "e1-forward-1"}).status_code == 401
    wrong = client.put(path, json={"view": "e1-forward-1"}, headers=auth("x"))
    assert wrong.status_code == 403
    bad = client.put(path, json={"view": "<script>"}, headers=headers)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "view"]
    assert client.get(path).json()["view"] is None  # a refusal changes nothing
    shown = client.put(path, json={"view": "e1-backward-3-2"}, headers=headers)
    assert shown.json() == {"session": session_id, "view": "e1-backward-3-2"}
    assert client.get(path).json()["view"] == "e1-backward-3-2"
    state = client.get(f"/api/sessions/{session_id}").json()
    assert (state["phase"], state["t"]) == ("forward", 1)  # a view is not a step


def test_explore_copies_the_session_at_a_step_and_leaves_it_alone(client: TestClient) -> None:
    session_id, headers = create_session(client, {"preset": "seed-3-step"})
    for action in ("forward",) * 3 + ("backward",) * 2:
        client.post(f"/api/sessions/{session_id}/{action}", headers=headers)
    before = client.get(f"/api/sessions/{session_id}").json()
    too_far = client.post(f"/api/sessions/{session_id}/explore", json={"steps": 6})
    assert too_far.status_code == 422 and too_far.json()["detail"][0]["loc"] == ["body", "steps"]
    copy = client.post(f"/api/sessions/{session_id}/explore", json={"steps": 4})
    assert copy.status_code == 201
    made = copy.json()
    assert made["id"] != session_id and made["token"]
    assert made["forward"] == before["forward"] and made["backward"] == before["backward"][:1]
    assert made["params"] == before["params"] and (made["phase"], made["t"]) == ("backward", 2)
    step = client.post(f"/api/sessions/{made['id']}/backward", headers=auth(made["token"]))
    assert step.status_code == 200
    assert client.post(f"/api/sessions/{made['id']}/backward", headers=headers).status_code == 403
    assert client.get(f"/api/sessions/{session_id}").json() == before
    assert client.post("/api/sessions/nobody/explore", json={"steps": 0}).status_code == 404

"""Who may change a session: the token is the key, the id only reads."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import auth, create_session

CHANGES = [
    ("post", "forward", None),
    ("post", "backward", None),
    ("post", "update", None),
    ("post", "reset", None),
    ("post", "train", {"epochs": 1}),
    ("delete", "", None),
]


def call(client: TestClient, method: str, url: str, body: dict | None, headers: dict) -> object:
    if method == "delete":
        return client.delete(url, headers=headers)
    return client.post(url, json=body, headers=headers)


@pytest.mark.parametrize(("method", "action", "body"), CHANGES)
def test_changing_without_a_token_is_401_and_changes_nothing(
    client: TestClient, method: str, action: str, body: dict | None
) -> None:
    session_id, _ = create_session(client, {"preset": "seed-3-step"})
    before = client.get(f"/api/sessions/{session_id}").json()
    url = f"/api/sessions/{session_id}/{action}".rstrip("/")
    for headers in ({}, {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer"}):
        response = call(client, method, url, body, headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert "Authorization: Bearer" in response.json()["detail"]
    assert client.get(f"/api/sessions/{session_id}").json() == before


@pytest.mark.parametrize(("method", "action", "body"), CHANGES)
def test_changing_with_a_wrong_token_is_403_and_changes_nothing(
    client: TestClient, method: str, action: str, body: dict | None
) -> None:
    session_id, _ = create_session(client, {"preset": "seed-3-step"})
    _, other_headers = create_session(client, {"preset": "seed-3-step"})
    before = client.get(f"/api/sessions/{session_id}").json()
    url = f"/api/sessions/{session_id}/{action}".rstrip("/")
    for headers in (other_headers, auth("not-the-token"), {"Authorization": b"Bearer caf\xe9"}):
        response = call(client, method, url, body, headers)
        assert response.status_code == 403
    assert client.get(f"/api/sessions/{session_id}").json() == before


def test_the_right_token_changes_only_its_own_session(client: TestClient) -> None:
    first_id, first_headers = create_session(client, {"preset": "seed-3-step"})
    second_id, _ = create_session(client, {"preset": "seed-3-step"})
    response = client.post(f"/api/sessions/{first_id}/forward", headers=first_headers)
    assert response.status_code == 200
    assert client.get(f"/api/sessions/{first_id}").json()["t"] == 2
    assert client.get(f"/api/sessions/{second_id}").json()["t"] == 1


def test_ids_and_tokens_are_long_random_and_distinct(client: TestClient) -> None:
    states = [client.post("/api/sessions", json={"preset": "hello"}).json() for _ in range(5)]
    secrets_seen = {state["id"] for state in states} | {state["token"] for state in states}
    assert len(secrets_seen) == 10
    assert all(len(state["token"]) >= 40 and len(state["id"]) >= 20 for state in states)

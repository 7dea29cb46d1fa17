"""OPTIONS and a method a path does not take answer every method the path takes in Allow."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import create_session


@pytest.mark.parametrize(
    ("path", "allow"),
    [
        ("/api/sessions", "OPTIONS, POST"),
        ("/api/sessions/any-id", "DELETE, GET, OPTIONS"),
        ("/api/sessions/any-id/forward", "OPTIONS, POST"),
        ("/api/health", "GET, OPTIONS"),
        ("/", "GET, HEAD, OPTIONS"),
    ],
)
def test_options_answers_204_with_every_method_of_the_path(
    client: TestClient, path: str, allow: str
) -> None:
    response = client.options(path)
    assert response.status_code == 204 and response.content == b""
    assert response.headers["allow"] == allow
    assert "content-security-policy" in response.headers


def test_a_method_the_path_does_not_take_is_405_naming_them_all(client: TestClient) -> None:
    session_id, headers = create_session(client, {"preset": "seed-3-step"})
    response = client.put(f"/api/sessions/{session_id}", headers=headers)
    assert response.status_code == 405
    assert response.headers["allow"] == "DELETE, GET, OPTIONS"
    assert response.json() == {
        "detail": "PUT is not allowed here: this path takes DELETE, GET, OPTIONS"
    }
    assert client.get(f"/api/sessions/{session_id}").status_code == 200  # nothing changed
    assert client.options("/api/no-such-path").status_code == 404


def test_the_term_route_documents_the_422_of_its_query(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "422" in paths["/api/sessions/{session_id}/terms/{term_id}"]["get"]["responses"]
    response = client.get("/api/sessions/x/terms/W_h:1:1?epoch=AAA")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "epoch"]

"""Security headers on every answer: pages, API, /docs, static files and refusals alike."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.api.headers import CONTENT_SECURITY_POLICY
from tests.api.conftest import MakeClient


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/", 200),
        ("GET", "/docs", 200),
        ("GET", "/openapi.json", 200),
        ("GET", "/static/js/main.js", 200),
        ("GET", "/static/nope.js", 404),
        ("GET", "/api/health", 200),
        ("GET", "/api/sessions/nope", 404),
        ("POST", "/api/bptt", 422),
    ],
)
def test_every_answer_has_the_headers(
    client: TestClient, method: str, path: str, status: int
) -> None:
    response = client.request(
        method, path, content=b"{", headers={"content-type": "application/json"}
    )
    assert response.status_code == status
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_a_refusal_of_the_guard_has_them_too(make_client: MakeClient) -> None:
    client = make_client(max_body_bytes=10)
    response = client.post("/api/sessions", json={"preset": "seed-3-step"})
    assert response.status_code == 413
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_the_policy_allows_nothing_inline_and_no_eval() -> None:
    directives = dict(part.split(" ", 1) for part in CONTENT_SECURITY_POLICY.split("; "))
    for name in ("script-src", "style-src", "default-src"):
        assert directives[name] == "'self'", name
    assert "unsafe" not in CONTENT_SECURITY_POLICY

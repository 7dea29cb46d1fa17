"""Shared helpers for the API tests: a fresh app per test, strict JSON, sessions."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.sessions import SessionStore
from app.settings import Settings

SMALL_SCENARIO: dict[str, Any] = {
    "config": {"input_size": 1, "hidden_size": 2, "output_size": 1},
    "inputs": [[1.0], [0.5], [-0.5]],
    "targets": [[0.2], [0.1], [0.0]],
    "seed": 5,
}


def strict_json(text: str) -> Any:
    """Parse as strict JSON: NaN, Infinity and -Infinity are refused."""

    def refuse(token: str) -> None:
        raise ValueError(f"non-standard JSON token {token}")

    return json.loads(text, parse_constant=refuse)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


MakeClient = Callable[..., TestClient]


@pytest.fixture
def make_client() -> MakeClient:
    """A client for an app with its own settings (keyword overrides) and optional store."""

    def make(store: SessionStore | None = None, **settings: Any) -> TestClient:
        return TestClient(create_app(Settings(**settings), store))

    return make


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:
    return make_client()


def create_session(client: TestClient, body: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """POST /api/sessions; the id and the Authorization header for it."""
    response = client.post("/api/sessions", json=body)
    assert response.status_code == 201, response.text
    state = response.json()
    return state["id"], auth(state["token"])


def post_raw(client: TestClient, url: str, text: str, **kwargs: Any) -> Any:
    """POST a body exactly as written (e.g. with NaN, which httpx will not encode)."""
    headers = {"content-type": "application/json", **kwargs.pop("headers", {})}
    return client.post(url, content=text.encode(), headers=headers, **kwargs)

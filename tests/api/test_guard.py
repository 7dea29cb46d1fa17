"""Bodies that are too big or not JSON are refused before they are parsed."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from tests.api.conftest import SMALL_SCENARIO, MakeClient, strict_json


def test_a_body_over_the_limit_is_413_naming_the_setting(make_client: MakeClient) -> None:
    client = make_client(max_body_bytes=1000)
    body = {**SMALL_SCENARIO, "inputs": [[0.5]] * 300}
    response = client.post("/api/bptt", json=body)
    assert response.status_code == 413
    detail = strict_json(response.text)["detail"]
    assert "limit is 1,000 bytes" in detail and "BPTT_MAX_BODY_BYTES" in detail


def test_a_streamed_body_over_the_limit_is_413(make_client: MakeClient) -> None:
    client = make_client(max_body_bytes=1000)
    chunks = iter([b'{"inputs": [', b"[0.5]," * 400, b"[0.5]]}"])
    headers = {"content-type": "application/json"}
    response = client.post("/api/bptt", content=chunks, headers=headers)
    assert response.status_code == 413


def test_json_sent_as_a_form_is_415_saying_which_header(client: TestClient) -> None:
    response = client.post(
        "/api/sessions",
        content=json.dumps({"preset": "seed-3-step"}),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 415
    assert "Content-Type: application/json" in response.json()["detail"]


def test_a_step_with_no_body_needs_no_content_type(client: TestClient) -> None:
    state = client.post("/api/sessions", json={"preset": "seed-3-step"}).json()
    headers = {"Authorization": f"Bearer {state['token']}"}
    response = client.post(f"/api/sessions/{state['id']}/forward", headers=headers)
    assert response.status_code == 200

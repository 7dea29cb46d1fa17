"""GET .../forward/preview and .../backward/preview: the answer the next step would give,
changing nothing."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import create_session


def forward_pass(client: TestClient, session_id: str, headers: dict) -> None:
    for _ in range(3):  # the seed preset: T = 3
        response = client.post(f"/api/sessions/{session_id}/forward", headers=headers)
        assert response.status_code == 200, response.text


def test_the_preview_is_the_answer_the_backward_step_then_gives(client: TestClient) -> None:
    session_id, headers = create_session(client, {"preset": "seed-3-step"})
    forward_pass(client, session_id, headers)
    url = f"/api/sessions/{session_id}/backward"
    preview = client.get(f"{url}/preview?first_term=true")
    assert preview.status_code == 200, preview.text
    step = client.post(f"{url}?first_term=true", headers=headers)
    assert step.status_code == 200, step.text
    assert preview.json() == step.json()
    assert preview.json()["first_term"]["id"] == step.json()["terms"][0]["param"] + ":3:3"


def test_a_preview_changes_nothing_in_the_session(client: TestClient) -> None:
    session_id, headers = create_session(client, {"preset": "seed-3-step"})
    forward_pass(client, session_id, headers)
    before = client.get(f"/api/sessions/{session_id}").json()
    for _ in range(2):
        preview = client.get(f"/api/sessions/{session_id}/backward/preview")
        assert preview.status_code == 200, preview.text
        assert preview.json()["t"] == 3 and "first_term" not in preview.json()
    after = client.get(f"/api/sessions/{session_id}").json()
    assert after == before
    assert (after["phase"], after["backward"]) == ("backward", [])


def test_a_preview_before_the_forward_pass_is_complete_is_refused(client: TestClient) -> None:
    session_id, _ = create_session(client, {"preset": "seed-3-step"})
    response = client.get(f"/api/sessions/{session_id}/backward/preview")
    assert response.status_code == 409
    assert "forward" in response.json()["detail"]


@pytest.mark.parametrize("step", ["forward", "backward"])
def test_a_preview_of_an_unknown_session_is_404(client: TestClient, step: str) -> None:
    response = client.get(f"/api/sessions/no-such-session/{step}/preview")
    assert response.status_code == 404
    assert "no-such-session" in response.json()["detail"]


def test_the_forward_preview_is_the_answer_each_forward_step_then_gives(
    client: TestClient,
) -> None:
    session_id, headers = create_session(client, {"preset": "seed-3-step"})
    url = f"/api/sessions/{session_id}/forward"
    for t in (1, 2, 3):
        preview = client.get(f"{url}/preview")
        assert preview.status_code == 200, preview.text
        assert client.get(f"{url}/preview").json() == preview.json()  # it took no step
        step = client.post(url, headers=headers)
        assert step.status_code == 200, step.text
        assert preview.json() == step.json()
        assert step.json()["t"] == t
    # the forward pass complete: the next step is a backward one, and the answer says so
    response = client.get(f"{url}/preview")
    assert response.status_code == 409
    assert "step backward" in response.json()["detail"]

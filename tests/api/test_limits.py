"""The server's limits: sizes and train budgets refused before any work, nothing changed;
within them no scenario is refused for the size of its trace, and each step answers little."""

from __future__ import annotations

import numpy as np
import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import create_session

LARGEST = {"input_size": 16, "hidden_size": 64, "output_size": 16, "mode": "many_to_many"}
STEP_BYTES = 200_000


@pytest.mark.parametrize("cell", ["elman", "gru", "lstm"])
def test_every_step_at_the_largest_size_answers_under_200_kB(client: TestClient, cell) -> None:
    rng = np.random.default_rng(0)
    body = {
        "config": {**LARGEST, "cell": cell},
        "inputs": rng.normal(size=(200, 16)).round(3).tolist(),
        "targets": rng.normal(size=(200, 16)).round(3).tolist(),
    }
    session_id, headers = create_session(client, body)
    url = f"/api/sessions/{session_id}"
    largest = {}
    for action in ("forward", "backward"):
        for _ in range(200):
            response = client.post(f"{url}/{action}", headers=headers)
            assert response.status_code == 200
            largest[action] = max(largest.get(action, 0), len(response.content))
    last = response.json()
    assert len(last["terms"][0]["ks"]) == 200  # t = 1 completes a term from every loss
    assert largest["forward"] < STEP_BYTES and largest["backward"] < STEP_BYTES, largest
    term = client.get(f"{url}/terms/{last['terms'][0]['param']}:200:1")
    assert term.status_code == 200 and len(term.json()["factors"]) == 2 + 199 + 1


def test_train_beyond_the_epoch_limit_is_422_and_changes_nothing(make_client) -> None:
    client: TestClient = make_client(max_epochs_per_train=10)
    session_id, headers = create_session(client, {"preset": "sine-next-value"})
    before = client.get(f"/api/sessions/{session_id}").json()
    url = f"/api/sessions/{session_id}/train"
    for epochs, rule in ((0, "greater than or equal to 1"), (11, "<= 10")):
        response = client.post(url, headers=headers, json={"epochs": epochs})
        assert response.status_code == 422
        detail = response.json()["detail"][0]
        assert detail["loc"] == ["body", "epochs"] and rule in detail["msg"], detail
    assert client.get(f"/api/sessions/{session_id}").json() == before
    assert client.post(url, headers=headers, json={"epochs": 10}).status_code == 200

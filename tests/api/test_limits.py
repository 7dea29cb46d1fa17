"""The server's limits: sizes and train budgets refused before any work, nothing changed;
within them no scenario is refused for the size of its trace, and each step answers little."""

from __future__ import annotations

import re

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.api.limits import check_gradcheck, check_train
from app.core import Config, Scenario, ScenarioError, init_params
from app.settings import Settings
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


def largest(cell: str, T: int = 200, H: int = 64, d: int = 16, K: int = 16) -> Scenario:
    config = Config(cell=cell, input_size=d, hidden_size=H, output_size=K)
    rng = np.random.default_rng(1)
    inputs, targets = rng.normal(size=(T, d)), rng.normal(size=(T, K))
    return Scenario(config, init_params(config, 1), inputs, targets)


def test_the_default_train_budget_takes_1000_elman_epochs_at_the_largest_size() -> None:
    check_train(largest("elman"), 1000, Settings())  # no refusal
    with pytest.raises(ScenarioError, match=r"must be <= 98 per call for this scenario"):
        check_train(largest("lstm"), 99, Settings())
    check_train(largest("lstm"), 98, Settings())
    check_train(largest("gru", T=10, H=4, d=1, K=1), 1000, Settings())  # a preset's size


def test_train_over_its_budget_is_422_naming_the_most_epochs_allowed(make_client) -> None:
    client: TestClient = make_client(train_budget_seconds=0.01)
    session_id, headers = create_session(client, {"preset": "sine-next-value"})
    url = f"/api/sessions/{session_id}/train"
    refused = client.post(url, headers=headers, json={"epochs": 1000})
    assert refused.status_code == 422
    detail = refused.json()["detail"][0]
    assert detail["loc"] == ["body", "epochs"] and "BPTT_TRAIN_BUDGET_SECONDS" in detail["msg"]
    allowed = int(re.search(r"must be <= ([\d,]+) per call", detail["msg"])[1].replace(",", ""))
    assert 1 <= allowed < 1000
    assert client.get(f"/api/sessions/{session_id}").json()["epoch"] == 1  # nothing done
    trained = client.post(url, headers=headers, json={"epochs": allowed})
    assert trained.status_code == 200 and len(trained.json()["losses"]) == allowed
    assert client.post(url, headers=headers, json={"epochs": allowed + 1}).status_code == 422


def test_a_gradient_check_over_its_budget_is_refused_before_any_work(make_client) -> None:
    check_gradcheck(largest("elman", H=16, d=1, K=1), Settings())  # 244,000 steps: fits
    lstm = largest("lstm", H=7, d=1, K=1)  # 208,000 forward steps, but an LSTM's
    with pytest.raises(ScenarioError, match="BPTT_GRADCHECK_BUDGET_SECONDS"):
        check_gradcheck(lstm, Settings())
    client: TestClient = make_client(gradcheck_budget_seconds=0.001)
    response = client.post("/api/gradcheck", json={"preset": "sine-next-value"})
    assert response.status_code == 422
    assert "s of work" in response.json()["detail"][0]["msg"]

"""The server's limits: term sizes and train budgets, refused before any work, nothing changed."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.api.limits import epoch_json_bytes, terms_per_epoch
from app.core import Config, bptt, get_preset
from tests.api.conftest import create_session


def test_terms_per_epoch_counts_what_the_core_computes() -> None:
    for preset_id in ("seed-3-step", "sine-next-value", "hello", "vanishing"):
        scenario = get_preset(preset_id).scenario
        computed = sum(len(record.terms) for record in bptt(scenario).backward)
        assert terms_per_epoch(scenario.config, scenario.T) == computed, preset_id


@pytest.mark.parametrize(
    ("T", "H", "mode"),
    [
        (3, 1, "many_to_one"),
        (12, 4, "many_to_many"),
        (30, 2, "many_to_many"),
        (20, 12, "many_to_one"),
    ],
)
def test_the_epoch_size_estimate_is_within_a_third_of_the_real_json(client, T, H, mode) -> None:
    body = {
        "config": {"input_size": 1, "hidden_size": H, "output_size": 1, "mode": mode},
        "inputs": [[0.1]] * T,
        "targets": [[0.2]] * T if mode == "many_to_many" else [0.2],
    }
    response = client.post("/api/bptt", json=body)
    assert response.status_code == 200
    estimate = epoch_json_bytes(Config(1, H, 1, mode=mode), T, 64)
    assert 0.67 < estimate / len(response.content) < 1.5


def test_a_scenario_too_big_for_the_limit_is_422_saying_what_to_change(make_client) -> None:
    client = make_client(max_epoch_bytes=100_000)
    response = client.post("/api/sessions", json={"preset": "sine-next-value"})
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["loc"] == ["body", "inputs"] and "limit of 0.1 MB" in detail["msg"]
    assert "truncation window" in detail["msg"]


def test_train_beyond_the_limits_is_422_and_changes_nothing(make_client) -> None:
    client: TestClient = make_client(max_epochs_per_train=10, max_train_terms=1000)
    session_id, headers = create_session(client, {"preset": "sine-next-value"})
    before = client.get(f"/api/sessions/{session_id}").json()
    url = f"/api/sessions/{session_id}/train"
    for epochs, rule in ((0, "greater than or equal to 1"), (11, "<= 10"), (4, "1,032")):
        response = client.post(url, headers=headers, json={"epochs": epochs})
        assert response.status_code == 422
        detail = response.json()["detail"][0]
        assert detail["loc"] == ["body", "epochs"] and rule in detail["msg"], detail
    assert client.get(f"/api/sessions/{session_id}").json() == before
    assert client.post(url, headers=headers, json={"epochs": 3}).status_code == 200

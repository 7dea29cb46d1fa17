"""The server's limits: term sizes and train budgets, refused before any work, nothing changed."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.api.limits import term_numbers, terms_per_epoch
from app.core import Config, bptt, get_preset
from tests.api.conftest import create_session


def test_terms_per_epoch_counts_what_the_core_computes() -> None:
    for preset_id in ("seed-3-step", "sine-next-value", "hello", "vanishing"):
        scenario = get_preset(preset_id).scenario
        computed = sum(len(record.terms) for record in bptt(scenario).backward)
        assert terms_per_epoch(scenario.config, scenario.T) == computed, preset_id


def test_term_numbers_grow_with_T_and_shrink_with_truncation() -> None:
    config = Config(1, 4, 1, mode="many_to_many")
    assert term_numbers(config, 50, 64) > 1_000_000
    assert term_numbers(Config(1, 4, 1, truncation=5), 50, 64) < 100_000


def test_a_scenario_whose_terms_are_too_big_is_422(make_client) -> None:
    client = make_client(max_term_numbers=500)
    response = client.post("/api/sessions", json={"preset": "sine-next-value"})
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["loc"] == ["body", "inputs"] and "limit of 500" in detail["msg"]


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

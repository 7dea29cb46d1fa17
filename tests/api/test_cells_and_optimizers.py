"""GRU and LSTM sessions, stepped like Elman's, and every optimiser, through the API."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.core import Config, init_params
from app.core.optimizers import make_optimizer
from tests.api.conftest import SMALL_SCENARIO, create_session


def with_config(**changes: object) -> dict:
    return {**SMALL_SCENARIO, "config": {**SMALL_SCENARIO["config"], **changes}}


@pytest.mark.parametrize(
    ("cell", "optimizer"),
    [
        ("gru", {"name": "adam", "beta1": 0.8}),
        ("lstm", {"name": "momentum"}),
        ("lstm", {"name": "rmsprop", "rho": 0.9}),
        ("gru", {"name": "adagrad"}),
        ("elman", {"name": "sgd"}),
    ],
)
def test_a_session_of_each_cell_steps_term_by_term_and_updates(client, cell, optimizer) -> None:
    session_id, headers = create_session(client, with_config(cell=cell, optimizer=optimizer))
    url = f"/api/sessions/{session_id}"
    state = client.get(url).json()
    assert state["cell"]["name"] == cell
    assert state["config"]["optimizer"]["name"] == optimizer["name"]
    assert {node["id"] for node in state["graph"]["nodes"]} >= {"h_3"} | (
        {"c_0", "c_3"} if cell == "lstm" else set()
    )
    for _ in range(3):
        forward = client.post(f"{url}/forward", headers=headers).json()
    assert ("c" in forward) == (cell == "lstm") and forward["values"]
    for _ in range(3):
        backward = client.post(f"{url}/backward", headers=headers).json()
    first = backward["terms"][0]
    term = client.get(f"{url}/terms/{first['param']}:3:1").json()
    assert term["value"] == first["values"][first["ks"].index(3)]
    S = 2 * 2 if cell == "lstm" else 2
    assert [f["shape"] for f in term["factors"] if f["kind"] == "recurrent"] == [[S, S]] * 2
    update = client.post(f"{url}/update", headers=headers).json()
    assert update["optimizer"] == optimizer["name"] and update["formula"]
    assert {q["name"] for q in update["quantities"]} >= {"g"}
    trained = client.post(f"{url}/train", headers=headers, json={"epochs": 3})
    assert trained.status_code == 200 and trained.json()["last_update"]["update_number"] == 4


def test_the_api_form_of_every_optimiser_builds_the_cores() -> None:
    for spec in ({"name": "adam", "beta2": 0.99}, {"name": "rmsprop"}, {"name": "sgd"}):
        assert make_optimizer(spec).name == spec["name"]


BAD = [
    (with_config(cell="gru", activation="relu"), ["body", "config", "activation"], "tanh"),
    (with_config(cell="rnn"), ["body", "config", "cell"], "Input should be"),
    (
        with_config(optimizer={"name": "adam", "momentum": 0.9}),
        ["body", "config", "optimizer", "momentum"],
        "is not a hyper-parameter of adam",
    ),
    (
        with_config(optimizer={"name": "adam", "beta0": 0.9}),
        ["body", "config", "optimizer", "beta0"],
        "Extra inputs",
    ),
    (
        with_config(optimizer={"name": "adam", "beta1": 1.5}),
        ["body", "config", "optimizer", "beta1"],
        "",
    ),
]


@pytest.mark.parametrize(("body", "loc", "says"), BAD)
def test_bad_cells_and_optimisers_are_422_naming_the_field(client: TestClient, body, loc, says):
    response = client.post("/api/sessions", json=body)
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["loc"] == loc and says in detail["msg"], detail


def test_params_are_the_cells_names_checked_against_its_specs(client: TestClient) -> None:
    config = Config(1, 2, 1, cell="gru")
    params = {name: value.tolist() for name, value in init_params(config, 0).trained().items()}
    body = with_config(cell="gru") | {"params": params}
    assert client.post("/api/sessions", json=body).status_code == 201
    elman_name = body | {"params": {**params, "W_h": [[0.0, 0.0], [0.0, 0.0]]}}
    missing = body | {"params": {k: v for k, v in params.items() if k != "W_hr"}}
    cases = ((elman_name, "W_h", "is not a parameter"), (missing, "W_hr", "missing"))
    for bad, name, says in cases:
        response = client.post("/api/sessions", json=bad)
        assert response.status_code == 422
        detail = response.json()["detail"][0]
        assert detail["loc"] == ["body", "params", name] and says in detail["msg"], detail


def test_train_of_a_thousand_epochs_answers_when_done(client: TestClient) -> None:
    session_id, headers = create_session(client, {"preset": "sine-next-value"})
    url = f"/api/sessions/{session_id}/train"
    response = client.post(url, headers=headers, json={"epochs": 1000})
    assert response.status_code == 200
    trained = response.json()
    assert len(trained["losses"]) == 1000 and trained["epoch"] == 1001
    assert trained["losses"][-1] < 0.1 * trained["losses"][0]

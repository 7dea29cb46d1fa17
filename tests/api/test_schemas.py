"""Every bad input is a 422 whose detail names the field and the rule, in FastAPI's shape."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import SMALL_SCENARIO, post_raw, strict_json


def changed(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    """SMALL_SCENARIO with the value at `path` replaced (or added)."""
    body = copy.deepcopy(SMALL_SCENARIO)
    target = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return body


GOOD_PARAMS = {"W_x": [[1.0], [0.5]], "W_h": [[0.1, 0.0], [0.0, 0.1]], "b": [0, 0], "W_y": [[1, 1]]}
SOFTMAX = {"input_size": 1, "hidden_size": 2, "output_size": 2, "output": "softmax_ce"}
BCE = {"input_size": 1, "hidden_size": 2, "output_size": 1, "output": "sigmoid_bce"}

BAD_BODIES = {
    "wrong shape": (
        changed(("params",), {**GOOD_PARAMS, "W_x": [[1.0, 2.0], [0.5, 1.0]]}),
        ["body", "params", "W_x"],
        "must have shape (2, 1), not (2, 2)",
    ),
    "missing parameter": (
        changed(("params",), {"W_x": [[1.0], [0.5]], "W_h": [[0, 0], [0, 0]], "b": [0, 0]}),
        ["body", "params", "W_y"],
        "is missing (shape (1, 2))",
    ),
    "b_y without output bias": (
        changed(("config",), {**SMALL_SCENARIO["config"], "output_bias": False})
        | {"params": {**GOOD_PARAMS, "b_y": [0.0]}},
        ["body", "params", "b_y"],
        "must be left out when config.output_bias is false",
    ),
    "hidden size beyond limit": (
        changed(("config", "hidden_size"), 65),
        ["body", "config", "hidden_size"],
        "must be <= 64",
    ),
    "input size beyond limit": (
        changed(("config", "input_size"), 17),
        ["body", "config", "input_size"],
        "must be <= 16",
    ),
    "T beyond limit": (
        changed(("inputs",), [[0.0]] * 201) | {"targets": [[0.0]] * 201},
        ["body", "inputs"],
        "at most 200 time steps",
    ),
    "zero hidden size": (
        changed(("config", "hidden_size"), 0),
        ["body", "config", "hidden_size"],
        "greater than or equal to 1",
    ),
    "unknown top-level field": (changed(("epochs",), 3), ["body", "epochs"], "Extra inputs"),
    "unknown config field": (
        changed(("config", "dropout"), 0.5),
        ["body", "config", "dropout"],
        "Extra inputs",
    ),
    "unknown parameter": (
        changed(("params",), {**GOOD_PARAMS, "W_z": [[1.0]]}),
        ["body", "params", "W_z"],
        "Extra inputs",
    ),
    "unknown activation": (
        changed(("config", "activation"), "gelu"),
        ["body", "config", "activation"],
        "'tanh'",
    ),
    "unknown mode": (
        changed(("config", "mode"), "one_to_many"),
        ["body", "config", "mode"],
        "many_to_one",
    ),
    "learning rate zero": (
        changed(("config", "learning_rate"), 0),
        ["body", "config", "learning_rate"],
        "greater than 0",
    ),
    "truncation zero": (
        changed(("config", "truncation"), 0),
        ["body", "config", "truncation"],
        "greater than or equal to 1",
    ),
    "huge number": (  # refused while parsing (app.api.bodies)
        changed(("config", "clip_norm"), 10**400),
        ["body", "config", "clip_norm"],
        "at most 100 digits",
    ),
    "negative seed": (changed(("seed",), -1), ["body", "seed"], "greater than or equal to 0"),
    "T = 0": (changed(("inputs",), []) | {"targets": []}, ["body", "inputs"], "T >= 1"),
    "ragged inputs": (
        changed(("inputs",), [[1.0], [1.0, 2.0], [0.0]]),
        ["body", "inputs"],
        "numbers",
    ),
    "input row too long": (
        changed(("inputs",), [[1.0, 2.0]] * 3),
        ["body", "inputs"],
        "input_size = 1",
    ),
    "targets wrong shape": (
        changed(("targets",), [[0.0]] * 2),
        ["body", "targets"],
        "must have shape (3, 1)",
    ),
    "BCE target outside [0, 1]": (
        changed(("config",), BCE) | {"targets": [[0.0], [1.5], [1.0]]},
        ["body", "targets"],
        "must lie in [0, 1] for sigmoid_bce",
    ),
    "softmax target not a distribution": (
        changed(("config",), SOFTMAX) | {"targets": [[0.5, 0.4], [1, 0], [0, 1]]},
        ["body", "targets"],
        "probability distributions",
    ),
    "softmax target negative": (
        changed(("config",), SOFTMAX) | {"targets": [[1.5, -0.5], [1, 0], [0, 1]]},
        ["body", "targets"],
        "probability distributions",
    ),
    "number as text": (
        changed(("inputs",), [["one"], [1.0], [0.0]]),
        ["body", "inputs", 0, 0],
        "valid number",
    ),
}


@pytest.mark.parametrize("endpoint", ["/api/bptt", "/api/gradcheck", "/api/sessions"])
@pytest.mark.parametrize(("body", "loc", "rule"), BAD_BODIES.values(), ids=list(BAD_BODIES))
def test_bad_scenarios_are_422_naming_field_and_rule(
    client: TestClient, endpoint: str, body: dict, loc: list, rule: str
) -> None:
    response = client.post(endpoint, json=body)
    assert response.status_code == 422
    details = strict_json(response.text)["detail"]
    assert any(d["loc"][: len(loc)] == loc and rule in d["msg"] for d in details), details


NON_FINITE = {
    "NaN in inputs": ('"inputs": [[NaN], [1], [0]]', ["body", "inputs", 0, 0]),
    "Infinity in a parameter": (
        '"params": {"W_x": [[1], [Infinity]], "W_h": [[0, 0], [0, 0]], "b": [0, 0], '
        '"W_y": [[1, 1]]}',
        ["body", "params", "W_x", 1, 0],
    ),
    "-Infinity in learning rate": (None, ["body", "config", "learning_rate"]),
    "1e999 in targets": ('"targets": [[1e999], [0], [0]]', ["body", "targets"]),
}


@pytest.mark.parametrize(("fragment", "loc"), NON_FINITE.values(), ids=list(NON_FINITE))
def test_nan_and_infinity_in_the_body_are_422_in_strict_json(
    client: TestClient, fragment: str | None, loc: list
) -> None:
    config = '{"input_size": 1, "hidden_size": 2, "output_size": 1}'
    if fragment is None:
        config = config[:-1] + ', "learning_rate": -Infinity}'
        fragment = '"inputs": [[1], [1], [0]]'
    parts = {"inputs": '"inputs": [[1], [1], [0]]', "targets": '"targets": [[0], [0], [0]]'}
    key = fragment.split('"')[1]
    parts[key] = fragment
    text = "{" + f'"config": {config}, ' + ", ".join(parts.values()) + "}"
    response = post_raw(client, "/api/bptt", text)
    assert response.status_code == 422
    details = strict_json(response.text)["detail"]
    assert any(d["loc"][: len(loc)] == loc and "finite" in d["msg"] for d in details), details


@pytest.mark.parametrize("text", ['{"config": ', "not json", '{"inputs": [1,]}', ""])
def test_malformed_json_is_422(client: TestClient, text: str) -> None:
    response = post_raw(client, "/api/bptt", text)
    assert response.status_code == 422
    assert strict_json(response.text)["detail"]


SESSION_BODIES = {
    "no config": ({"inputs": [[1.0]], "targets": [[0.0]]}, ["body", "config"], "is required"),
    "preset and config": (
        {"preset": "hello", "config": SMALL_SCENARIO["config"]},
        ["body", "config"],
        "must be left out when a preset is given",
    ),
    "unknown preset": ({"preset": "nope"}, ["body", "preset"], "must be one of seed-3-step"),
    "unknown field": ({"preset": "hello", "colour": 1}, ["body", "colour"], "Extra inputs"),
}


@pytest.mark.parametrize(("body", "loc", "rule"), SESSION_BODIES.values(), ids=list(SESSION_BODIES))
def test_bad_session_bodies_are_422(client: TestClient, body: dict, loc: list, rule: str) -> None:
    response = client.post("/api/sessions", json=body)
    assert response.status_code == 422
    details = response.json()["detail"]
    assert any(d["loc"] == loc and rule in d["msg"] for d in details), details


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"config": {**SMALL_SCENARIO["config"], "hidden_size": True}}, ["config", "hidden_size"]),
        (
            {"config": {**SMALL_SCENARIO["config"], "learning_rate": "0.1"}},
            ["config", "learning_rate"],
        ),
        ({"config": {**SMALL_SCENARIO["config"], "input_size": 1.0}}, ["config", "input_size"]),
        ({"inputs": [[True], [0.5], [-0.5]]}, ["inputs", 0, 0]),
    ],
)
def test_values_of_the_wrong_type_are_refused_not_coerced(client, change, loc) -> None:
    response = client.post("/api/bptt", json={**SMALL_SCENARIO, **change})
    assert response.status_code == 422
    assert [["body", *loc]] == [item["loc"] for item in response.json()["detail"]]


def test_error_locations_name_fields_and_indices_not_type_tags(client) -> None:
    response = client.post("/api/bptt", json={**SMALL_SCENARIO, "targets": [["x"]]})
    assert response.status_code == 422
    for item in response.json()["detail"]:
        assert item["loc"][:2] == ["body", "targets"]
        assert all(isinstance(part, int) or "[" not in part for part in item["loc"])


def test_a_step_refuses_a_body_and_changes_nothing(client) -> None:
    state = client.post("/api/sessions", json={"preset": "seed-3-step"}).json()
    headers = {"Authorization": f"Bearer {state['token']}"}
    url = f"/api/sessions/{state['id']}/forward"
    response = client.post(url, headers=headers, json={"foo": 1})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body"]
    assert "takes no body" in response.json()["detail"][0]["msg"]
    assert client.get(f"/api/sessions/{state['id']}").json()["forward"] == []
    assert client.post(url, headers=headers, json={}).status_code == 200

"""The rules the page embeds for the scenario editor are the server's own: each cell's
weights and shapes are those a session of that cell has, and each bound is where the
server starts refusing."""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.core.cells import CELL_NAMES
from tests.api.conftest import SMALL_SCENARIO


def page_choices(client: TestClient) -> Any:
    html = client.get("/").text
    found = re.search(r'<script type="application/json" id="choices">(.*?)</script>', html, re.S)
    assert found is not None
    return json.loads(found.group(1))


@pytest.mark.parametrize("cell", CELL_NAMES)
@pytest.mark.parametrize("output_bias", [True, False])
def test_each_cells_weights_are_a_sessions_parameters(
    client: TestClient, cell: str, output_bias: bool
) -> None:
    sizes = {"d": 2, "H": 3, "K": 4}
    config = {"cell": cell, "input_size": 2, "hidden_size": 3, "output_size": 4}
    body = {
        "config": {**config, "output_bias": output_bias},
        "inputs": [[0.1, 0.2], [0.3, 0.4]],
        "targets": [[0.0] * 4, [0.5] * 4],
    }
    answer = client.post("/api/sessions", json=body)
    assert answer.status_code == 201, answer.text
    params = answer.json()["params"]
    shapes = {name: list(np.shape(value)) for name, value in params.items() if value is not None}
    listed = page_choices(client)["weights"][cell]
    embedded = {
        item["name"]: [sizes[letter] for letter in item["shape"]]
        for item in listed
        if output_bias or item["name"] != "b_y"
    }
    assert embedded == shapes
    assert list(embedded)[-1] == ("c0" if cell == "lstm" else "h0")  # the core's order


def body_with(name: str, value: float) -> dict[str, Any]:
    """SMALL_SCENARIO with the field `name` (the seed, or a config field) set to `value`."""
    if name == "seed":
        return {**SMALL_SCENARIO, "seed": value}
    return {**SMALL_SCENARIO, "config": {**SMALL_SCENARIO["config"], name: value}}


def test_every_embedded_bound_is_where_the_server_starts_refusing(client: TestClient) -> None:
    bounds = page_choices(client)["bounds"]
    assert {"learning_rate", "truncation", "hidden_size", "seed"} <= bounds.keys()
    whole = {"input_size", "hidden_size", "output_size", "truncation", "seed"}
    for name, rules in bounds.items():
        for kind, limit in rules.items():
            step = 1 if name in whole else 1e-9
            inside = {"gt": limit + step, "ge": limit, "lt": limit - step, "le": limit}[kind]
            outside = {"gt": limit, "ge": limit - step, "lt": limit, "le": limit + step}[kind]
            if name in whole:
                inside, outside = int(inside), int(outside)
            refused = client.post("/api/sessions", json=body_with(name, outside))
            kept = client.post("/api/sessions", json=body_with(name, inside))
            assert refused.status_code == 422, (name, kind)
            assert refused.json()["detail"][0]["loc"][-1] == name
            assert kept.status_code == 201, (name, kind, kept.text)

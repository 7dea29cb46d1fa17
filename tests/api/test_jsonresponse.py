"""Strict JSON out: overflow answers 200 with null for non-finite numbers and says where."""

from __future__ import annotations

import math

import numpy as np
from fastapi.testclient import TestClient

from app.api.jsonresponse import StrictJSONResponse, finite_json
from app.api.wire import BackwardRecord, Path
from tests.api.conftest import create_session, strict_json


def test_non_finite_numbers_become_null() -> None:
    content = {"a": np.array([1.0, np.inf, -np.inf, np.nan]), "b": math.nan, "c": (np.float64(2),)}
    assert finite_json(content) == {"a": [1.0, None, None, None], "b": None, "c": [2.0]}
    body = StrictJSONResponse(content).body.decode()
    assert strict_json(body) == {"a": [1.0, None, None, None], "b": None, "c": [2.0]}


def test_a_response_model_is_written_as_the_fields_it_was_given() -> None:
    """Wire.make keeps the values as given: arrays NumPy until written (a transposed one,
    not contiguous, too), NaN as null, a field left out (dc, past an Elman cell) absent."""
    path = Path.make({"nodes": ("h_1",), "edges": ()})
    jacobian = np.array([[1.0, np.nan], [2.0, 3.0]]).T
    record = BackwardRecord.make({"t": 1, "jacobian": jacobian, "path": path, "dz": None})
    expected = {
        "t": 1,
        "jacobian": [[1.0, 2.0], [None, 3.0]],
        "path": {"nodes": ["h_1"], "edges": []},
        "dz": None,
    }
    assert record.jacobian is jacobian
    assert strict_json(StrictJSONResponse(record).body.decode()) == expected
    assert strict_json(StrictJSONResponse.render_slowly(record).decode()) == expected


def test_exploding_trained_three_epochs_is_strict_json_naming_the_divergence(
    client: TestClient,
) -> None:
    session_id, headers = create_session(client, {"preset": "exploding"})
    url = f"/api/sessions/{session_id}/train"
    response = client.post(url, headers=headers, json={"epochs": 3})
    assert response.status_code == 200
    result = strict_json(response.text)
    # a finite first loss (h_0 is the fixed point), then the first update overflows: NaN weights
    assert result["losses"][0] > 1 and result["losses"][1:] == [None]
    diverged = result["diverged"]
    assert (diverged["epoch"], diverged["phase"], diverged["t"]) == (1, "update", None)
    assert diverged["quantity"] == "the loss with the new weights"
    assert diverged["message"].startswith(
        "At the update, the loss with the new weights stopped being a finite number"
    )
    state = strict_json(client.get(f"/api/sessions/{session_id}").text)
    assert state["loss_history"][1:] == [None]
    assert state["last_update"]["params_new"]["W_h"] == [[None, None], [None, None]]
    response = client.post(f"/api/sessions/{session_id}/forward", headers=headers)
    assert response.status_code == 409
    assert "start over" in response.json()["detail"]


# A linear RNN from h_0 = 0 (the exploding preset before its fixed point): its first update
# leaves huge but finite weights, with which the next forward pass overflows step by step.
HUGE_AFTER_ONE_UPDATE = {
    "config": {
        "input_size": 1,
        "hidden_size": 2,
        "output_size": 1,
        "activation": "identity",
        "mode": "many_to_one",
        "learning_rate": 0.01,
    },
    "params": {
        "W_x": [[1.0], [1.0]],
        "W_h": [[2.5, 0.0], [0.0, 2.0]],
        "b": [0.0, 0.0],
        "W_y": [[1.0, 1.0]],
        "b_y": [0.0],
        "h0": [0.0, 0.0],
    },
    "inputs": [[1.0]] * 30,
    "targets": [0.0],
}


def test_a_30_step_forward_after_the_blow_up_is_strict_json(client: TestClient) -> None:
    session_id, headers = create_session(client, HUGE_AFTER_ONE_UPDATE)
    client.post(f"/api/sessions/{session_id}/train", headers=headers, json={"epochs": 1})
    records = []
    for _ in range(30):
        response = client.post(f"/api/sessions/{session_id}/forward", headers=headers)
        assert response.status_code == 200
        records.append(strict_json(response.text))
    first = next(record for record in records if record["diverged"])
    assert first["diverged"]["phase"] == "forward"
    assert first["diverged"]["quantity"].endswith(f"_{first['t']}")
    assert records[-1]["h"] == [None, None]
    state = strict_json(client.get(f"/api/sessions/{session_id}").text)
    assert state["diverged"] == first["diverged"]
    assert state["loss"] is None


def test_the_fast_and_the_fallback_encoders_agree() -> None:
    content = {
        "a": np.arange(6.0).reshape(2, 3)[:, ::2],  # not contiguous: the fallback's path
        "b": [0.1 + 0.2, 1e-5, -0.0, np.float64(np.nan)],
        7: {"c": np.array([np.inf, 2.5])},
    }
    fast = strict_json(StrictJSONResponse(content).body.decode())
    slow = strict_json(StrictJSONResponse.render_slowly(content).decode())
    assert (
        fast
        == slow
        == {
            "a": [[0.0, 2.0], [3.0, 5.0]],
            "b": [0.30000000000000004, 1e-5, -0.0, None],
            "7": {"c": [None, 2.5]},
        }
    )

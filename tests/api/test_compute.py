"""POST /api/bptt and /api/gradcheck: stateless, whole runs at once."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.core import bptt, get_preset
from tests.api.conftest import SMALL_SCENARIO, strict_json


def test_bptt_answers_loss_grads_records_terms_and_graph(client: TestClient) -> None:
    response = client.post("/api/bptt", json=SMALL_SCENARIO)
    assert response.status_code == 200
    result = response.json()
    assert [record["t"] for record in result["forward"]] == [1, 2, 3]
    assert [record["t"] for record in result["backward"]] == [3, 2, 1]
    assert result["grads"] == result["backward"][-1]["grads"]
    assert result["loss"] == result["forward"][-1]["loss_so_far"]
    assert (result["phase"], result["t"], result["diverged"]) == ("update", None, None)
    summaries = [summary for record in result["backward"] for summary in record["terms"]]
    assert {summary["param"] for summary in summaries} == {"W_x", "W_h", "b", "W_y", "b_y"}
    graph_ids = {node["id"] for node in result["graph"]["nodes"]}
    graph_ids |= {edge["id"] for edge in result["graph"]["edges"]}
    records = result["backward"]
    assert all(set(record["path"]["nodes"]) <= graph_ids for record in records)
    assert all(set(record["path"]["edges"]) <= graph_ids for record in records)


def test_bptt_answers_the_terms_it_is_asked_for_in_full(client: TestClient) -> None:
    body = {**SMALL_SCENARIO, "terms": ["W_h:3:1", "b_y:2:2"]}
    result = client.post("/api/bptt", json=body).json()
    first, second = result["term_details"]
    assert (first["id"], first["distance"], len(first["factors"])) == ("W_h:3:1", 2, 5)
    graph_ids = {edge["id"] for edge in result["graph"]["edges"]}
    assert set(first["path"]["edges"]) <= graph_ids
    summary = next(s for s in result["backward"][2]["terms"] if s["param"] == "W_h")
    assert summary["values"][summary["ks"].index(3)] == first["value"]
    assert second["factors"][-1]["formula"] == "1"
    refused = client.post("/api/bptt", json={**SMALL_SCENARIO, "terms": ["W_h:1:3"]})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "terms", "0"]


def test_bptt_of_the_seed_example_equals_the_core(client: TestClient) -> None:
    preset = next(p for p in client.get("/api/presets").json() if p["id"] == "seed-3-step")
    body = {key: preset[key] for key in ("config", "params", "inputs", "targets")}
    result = client.post("/api/bptt", json=body).json()
    run = bptt(get_preset("seed-3-step").scenario)
    assert result["loss"] == run.loss
    assert result["grads"] == {k: v.tolist() for k, v in run.backward[-1].grads.items()}


def test_large_recurrent_factors_are_sent_as_null(make_client) -> None:
    client = make_client(inline_factor_size=3)
    body = {**SMALL_SCENARIO, "terms": ["W_h:3:1", "W_x:2:1", "W_y:3:3"]}
    result = client.post("/api/bptt", json=body).json()  # H = 2: 4 numbers
    assert all(len(record["jacobian"]) == 2 for record in result["backward"])  # 4 <= 1,024
    factors = [factor for term in result["term_details"] for factor in term["factors"]]
    recurrent = [f for f in factors if f["kind"] == "recurrent"]
    assert recurrent and all(f["value"] is None and f["shape"] == [2, 2] for f in recurrent)
    assert all(f["value"] is not None for f in factors if f["kind"] != "recurrent")


def test_gradcheck_passes_for_a_small_scenario(client: TestClient) -> None:
    response = client.post("/api/gradcheck", json=SMALL_SCENARIO)
    assert response.status_code == 200
    result = response.json()
    assert result["passed"] is True
    assert result["max_relative_error"] < result["tolerance"]
    assert set(result["params"]) == {"W_x", "W_h", "b", "W_y", "b_y"}
    check = result["params"]["W_h"]
    assert len(check["analytic"]) == len(check["numeric"]) == 2


def test_gradcheck_past_the_step_limit_is_422_naming_the_rule(make_client) -> None:
    # 4 x 11 entries x T = 3 steps = 132 forward steps untruncated; x T = 396 with tau = 1 < T
    client = make_client(max_gradcheck_steps=200)
    assert client.post("/api/gradcheck", json=SMALL_SCENARIO).status_code == 200
    truncated = {**SMALL_SCENARIO, "config": {**SMALL_SCENARIO["config"], "truncation": 1}}
    response = client.post("/api/gradcheck", json=truncated)
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["loc"] == ["body", "inputs"]
    assert "396 forward steps" in detail["msg"] and "limit of 200" in detail["msg"]


def test_bptt_and_gradcheck_take_a_preset_by_id(client: TestClient) -> None:
    response = client.post("/api/bptt", json={"preset": "seed-3-step"})
    assert response.status_code == 200
    assert response.json()["loss"] == bptt(get_preset("seed-3-step").scenario).loss

    response = client.post("/api/gradcheck", json={"preset": "hello"})
    assert response.status_code == 200
    assert response.json()["passed"] is True

    response = client.post("/api/bptt", json={"preset": "no-such-preset"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "preset"]


def test_gradcheck_of_an_overflowing_run_says_where_it_overflowed(client: TestClient) -> None:
    preset = next(p for p in client.get("/api/presets").json() if p["id"] == "exploding")
    body = {key: preset[key] for key in ("config", "params", "inputs", "targets")}
    body["params"] = {**body["params"], "W_h": [[1e12, 0.0], [0.0, 1e12]]}
    response = client.post("/api/gradcheck", json=body)
    assert response.status_code == 200
    result = strict_json(response.text)
    assert result["passed"] is False
    assert result["diverged"]["phase"] == "forward"
    assert "stopped being a finite number" in result["diverged"]["message"]

"""Sessions: stepping, update, reset, train, delete; the same numbers as /api/bptt and the core."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.core import (
    Config,
    backward_step,
    bptt,
    forward_step,
    get_preset,
    init_params,
    start,
    train,
    update,
)
from tests.api.conftest import SMALL_SCENARIO, create_session


def step_n(client: TestClient, session_id: str, headers: dict, kind: str, n: int) -> list[dict]:
    records = []
    for _ in range(n):
        response = client.post(f"/api/sessions/{session_id}/{kind}", headers=headers)
        assert response.status_code == 200, response.text
        records.append(response.json())
    return records


def test_create_answers_201_with_id_token_and_the_starting_state(client: TestClient) -> None:
    response = client.post("/api/sessions", json={"preset": "seed-3-step"})
    assert response.status_code == 201
    state = response.json()
    assert state["id"] and state["token"] and state["id"] != state["token"]
    assert (state["phase"], state["t"], state["epoch"], state["T"]) == ("forward", 1, 1, 3)
    assert state["preset"] == "seed-3-step"
    assert state["forward"] == [] and state["backward"] == [] and state["loss_history"] == []
    assert state["status"] == start(get_preset("seed-3-step").scenario).status()
    assert {node["id"] for node in state["graph"]["nodes"]} >= {"x_1", "h_0", "h_3", "L", "W_h"}


def test_get_needs_no_token_and_never_shows_it(client: TestClient) -> None:
    session_id, headers = create_session(client, {"preset": "seed-3-step"})
    step_n(client, session_id, headers, "forward", 2)
    response = client.get(f"/api/sessions/{session_id}")
    assert response.status_code == 200
    state = response.json()
    assert "token" not in state
    assert (state["phase"], state["t"]) == ("forward", 3)
    assert [record["t"] for record in state["forward"]] == [1, 2]


def test_seed_example_stepped_matches_bptt_endpoint_and_core(client: TestClient) -> None:
    scenario = get_preset("seed-3-step").scenario
    session_id, headers = create_session(client, {"preset": "seed-3-step"})
    forward = step_n(client, session_id, headers, "forward", 3)
    backward = step_n(client, session_id, headers, "backward", 3)
    updated = step_n(client, session_id, headers, "update", 1)[0]

    preset = next(p for p in client.get("/api/presets").json() if p["id"] == "seed-3-step")
    body = {key: preset[key] for key in ("config", "params", "inputs", "targets")}
    whole = client.post("/api/bptt", json=body)
    assert whole.status_code == 200
    whole = whole.json()

    run = bptt(scenario)
    core_grads = {name: grad.tolist() for name, grad in run.backward[-1].grads.items()}
    _, core_update = update(run)
    assert forward[-1]["loss_so_far"] == whole["loss"] == run.loss
    assert [record["t"] for record in backward] == [3, 2, 1]
    assert backward[-1]["grads"] == whole["grads"] == core_grads
    assert updated["grads"] == core_grads
    assert updated["params_new"] == {k: v.tolist() for k, v in core_update.params_new.items()}
    assert updated["params_old"] == {"W_x": [[0.5]], "W_h": [[0.8]], "b": [0.1], "W_y": [[1.2]]}
    assert updated["loss_before"] == run.loss
    assert updated["loss_after"] == core_update.loss_after


def test_backward_records_carry_the_seed_terms_that_sum_to_the_gradient(client: TestClient) -> None:
    session_id, headers = create_session(client, {"preset": "seed-3-step"})
    step_n(client, session_id, headers, "forward", 3)
    backward = step_n(client, session_id, headers, "backward", 3)
    summaries = [s for record in backward for s in record["terms"] if s["param"] == "W_h"]
    ids = [f"W_h:{k}:{s['t']}" for s in summaries for k in s["ks"]]
    assert ids == ["W_h:3:3", "W_h:3:2", "W_h:3:1"]
    w_h_terms = [client.get(f"/api/sessions/{session_id}/terms/{i}").json() for i in ids]
    assert w_h_terms[-1]["value"] == [[0.0]] == summaries[-1]["values"][0]  # h_0 = 0
    assert w_h_terms[-1]["running"] == backward[-1]["grads"]["W_h"]
    last = client.get(f"/api/sessions/{session_id}/terms/b:3:1").json()  # the step's last
    assert last["running_all"] == backward[-1]["grads"]
    assert w_h_terms[-1]["running_all"]["b"] == backward[-2]["grads"]["b"]  # b's t=1 term next
    kinds = [factor["kind"] for factor in w_h_terms[1]["factors"]]
    assert kinds == ["loss", "output", "recurrent", "direct"]
    assert [factor["step"] for factor in w_h_terms[1]["factors"]] == [3, 3, 3, 2]


def test_a_term_is_404_until_its_step_and_outside_its_epoch(client: TestClient) -> None:
    session_id, headers = create_session(client, {"preset": "seed-3-step"})
    url = f"/api/sessions/{session_id}/terms"
    step_n(client, session_id, headers, "forward", 3)
    step_n(client, session_id, headers, "backward", 2)
    assert client.get(f"{url}/W_h:3:2").status_code == 200
    for term_id, says in (
        ("W_h:3:1", "backward step t = 1 has not been taken"),
        ("W_h:2:2", "there is no term W_h:2:2"),
        ("W_q:3:2", "W_q is not a parameter"),
        ("W_h-3-2", "a term id is param:k:t"),
    ):
        response = client.get(f"{url}/{term_id}")
        assert response.status_code == 404 and says in response.json()["detail"], term_id
    assert client.get(f"{url}/W_h:3:2?epoch=2").status_code == 404
    assert client.get(f"{url}/W_h:3:2?epoch=1").status_code == 200


def test_after_update_the_state_is_the_next_epoch_with_the_new_params(client: TestClient) -> None:
    session_id, headers = create_session(client, {"preset": "seed-3-step"})
    step_n(client, session_id, headers, "forward", 3)
    step_n(client, session_id, headers, "backward", 3)
    updated = step_n(client, session_id, headers, "update", 1)[0]
    summary = updated.pop("session")
    state = client.get(f"/api/sessions/{session_id}").json()
    assert (state["phase"], state["t"], state["epoch"]) == ("forward", 1, 2)
    assert state["loss_history"] == [updated["loss_before"]]
    assert state["last_update"] == updated
    assert summary == {key: state[key] for key in summary}
    assert {name: state["params"][name] for name in updated["params_new"]} == updated["params_new"]


def test_every_step_answers_where_the_session_stands_after_it(client: TestClient) -> None:
    session_id, headers = create_session(client, {"preset": "seed-3-step"})
    for kind in ("forward",) * 3 + ("backward",) * 3:
        [record] = step_n(client, session_id, headers, kind, 1)
        state = client.get(f"/api/sessions/{session_id}").json()
        assert record["session"] == {key: state[key] for key in record["session"]}
        assert set(record["session"]) == {
            *("phase", "t", "epoch", "T", "status", "loss", "loss_history"),
            *("diverged", "params"),
        }
    assert record["session"]["status"] == "backward pass complete, epoch 1: update the weights next"


def test_reset_goes_back_to_the_start_of_the_epoch(client: TestClient) -> None:
    session_id, headers = create_session(client, {"preset": "sine-next-value"})
    first = step_n(client, session_id, headers, "forward", 4)
    response = client.post(f"/api/sessions/{session_id}/reset", headers=headers)
    assert response.status_code == 200
    state = response.json()
    assert (state["phase"], state["t"], state["epoch"], state["forward"]) == ("forward", 1, 1, [])
    assert step_n(client, session_id, headers, "forward", 4) == first


def test_reset_to_start_is_the_way_back_after_an_overflow(client: TestClient) -> None:
    session_id, headers = create_session(client, {"preset": "exploding"})
    created = client.get(f"/api/sessions/{session_id}").json()
    client.post(f"/api/sessions/{session_id}/train", headers=headers, json={"epochs": 2})
    reset_epoch = client.post(f"/api/sessions/{session_id}/reset", headers=headers, json={})
    assert reset_epoch.status_code == 200
    assert reset_epoch.json()["params"]["W_h"] == [[None, None], [None, None]]

    url = f"/api/sessions/{session_id}/reset"
    response = client.post(url, headers=headers, json={"to": "start"})
    assert response.status_code == 200
    state = response.json()
    assert (state["epoch"], state["loss_history"], state["diverged"]) == (1, [], None)
    assert state["params"] == created["params"]

    response = client.post(url, headers=headers, json={"to": "yesterday"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "to"]


def test_train_runs_whole_epochs_like_the_core(client: TestClient) -> None:
    session_id, headers = create_session(client, {"preset": "sine-next-value"})
    step_n(client, session_id, headers, "forward", 2)
    response = client.post(f"/api/sessions/{session_id}/train", headers=headers, json={"epochs": 3})
    assert response.status_code == 200
    result = response.json()
    _, core_losses, _ = train(start(get_preset("sine-next-value").scenario), 3)
    assert result["losses"] == core_losses
    assert (result["epoch"], result["phase"], result["t"]) == (4, "forward", 1)
    assert result["loss_history"] == core_losses
    assert result["losses"][-1] < result["losses"][0]
    assert result["diverged"] is None


def test_delete_forgets_the_session(client: TestClient) -> None:
    session_id, headers = create_session(client, {"preset": "seed-3-step"})
    response = client.delete(f"/api/sessions/{session_id}", headers=headers)
    assert response.status_code == 204
    assert client.get(f"/api/sessions/{session_id}").status_code == 404
    assert client.delete(f"/api/sessions/{session_id}", headers=headers).status_code == 404


def test_a_spelt_out_scenario_without_params_draws_them_from_the_seed(client: TestClient) -> None:
    response = client.post("/api/sessions", json=SMALL_SCENARIO)
    assert response.status_code == 201
    state = response.json()
    assert state["preset"] is None and state["seed"] == 5
    expected = init_params(Config(1, 2, 1), 5).as_dict()
    assert state["params"] == {name: value.tolist() for name, value in expected.items()}


def test_unknown_session_is_404(client: TestClient) -> None:
    _, headers = create_session(client, {"preset": "seed-3-step"})
    assert client.get("/api/sessions/no-such-id").status_code == 404
    response = client.post("/api/sessions/no-such-id/forward", headers=headers)
    assert response.status_code == 404
    assert "no-such-id" in response.json()["detail"]


def test_steps_out_of_order_are_409_with_the_cores_sentence(client: TestClient) -> None:
    session_id, headers = create_session(client, {"preset": "seed-3-step"})
    step_n(client, session_id, headers, "forward", 2)
    before = client.get(f"/api/sessions/{session_id}").json()
    for kind in ("backward", "update"):
        response = client.post(f"/api/sessions/{session_id}/{kind}", headers=headers)
        assert response.status_code == 409
        assert response.json()["detail"] == ("the forward pass is at t=2 of 3: step forward first")
    assert client.get(f"/api/sessions/{session_id}").json() == before
    step_n(client, session_id, headers, "forward", 1)
    response = client.post(f"/api/sessions/{session_id}/forward", headers=headers)
    assert response.status_code == 409
    assert "step backward first" in response.json()["detail"]


def test_a_session_steps_like_the_core_one_step_at_a_time(client: TestClient) -> None:
    session_id, headers = create_session(client, {"preset": "hello"})
    run = start(get_preset("hello").scenario)
    for _ in range(4):
        run, record = forward_step(run)
        answer = step_n(client, session_id, headers, "forward", 1)[0]
        assert answer["h"] == record.h.tolist()
    for _ in range(4):
        run, record = backward_step(run)
        answer = step_n(client, session_id, headers, "backward", 1)[0]
        assert answer["delta"] == record.delta.tolist()
        assert len(answer["terms"]) == len(record.terms)

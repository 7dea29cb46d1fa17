"""POST /api/links rebuilds a link's view with the same numbers as the session it came from;
POST /api/saved keeps a scenario too large for an address under a name made from it."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from tests.api.conftest import SMALL_SCENARIO, MakeClient, create_session


def stepped(client: TestClient, epochs: int, steps: int) -> dict:
    """A session trained `epochs` epochs, then `steps` steps into the next; its state."""
    session_id, headers = create_session(client, SMALL_SCENARIO)
    url = f"/api/sessions/{session_id}"
    if epochs:
        client.post(f"{url}/train", json={"epochs": epochs}, headers=headers)
    for _ in range(steps):
        client.post(f"{url}/{client.get(url).json()['phase']}", headers=headers)
    return client.get(url).json()


def test_a_link_rebuilds_the_same_numbers_anywhere_in_an_epoch(client: TestClient) -> None:
    scenario = {k: SMALL_SCENARIO[k] for k in ("config", "inputs", "targets", "seed")}
    for steps in (0, 2, 3, 5, 6):
        state = stepped(client, 2, steps)
        body = {**scenario, "weights": state["params"], "epoch": 3, "steps": steps}
        answer = client.post("/api/links", json=body)
        assert answer.status_code == 201, answer.text
        rebuilt = answer.json()
        assert "token" not in rebuilt
        for field in ("phase", "t", "epoch", "status", "params", "forward", "backward", "loss"):
            assert rebuilt[field] == state[field], (steps, field)


def test_a_link_to_an_update_takes_the_update_and_nobody_can_step_it(client: TestClient) -> None:
    session_id, headers = create_session(client, SMALL_SCENARIO)
    url = f"/api/sessions/{session_id}"
    client.post(f"{url}/train", json={"epochs": 1}, headers=headers)
    for _ in range(6):
        client.post(f"{url}/{client.get(url).json()['phase']}", headers=headers)
    before = client.get(url).json()  # epoch 2, its backward pass done
    client.post(f"{url}/update", headers=headers)
    after = client.get(url).json()
    body = {k: SMALL_SCENARIO[k] for k in ("config", "inputs", "targets")}
    body |= {"weights": before["params"], "optimizer_state": before["optimizer_state"]}
    body |= {"epoch": 2, "steps": 7}
    rebuilt = client.post("/api/links", json=body).json()
    assert rebuilt["last_update"] == after["last_update"] and rebuilt["epoch"] == 3
    assert rebuilt["params"] == after["params"]
    step = f"/api/sessions/{rebuilt['id']}/forward"
    assert client.post(step, headers={"Authorization": "Bearer x"}).status_code == 403
    too_far = client.post("/api/links", json={**body, "steps": 8})
    assert too_far.status_code == 422 and too_far.json()["detail"][0]["loc"] == ["body", "steps"]


def test_a_saved_scenario_comes_back_as_it_was_saved(client: TestClient) -> None:
    body = {"preset": "hello", "weights": client.get("/api/presets").json()[0]["params"]}
    wrong = client.post("/api/saved", json=body)
    assert wrong.status_code == 422  # the seed example's weights are not hello's shapes
    body = dict(SMALL_SCENARIO)
    first = client.post("/api/saved", json=body)
    assert first.status_code == 201
    name = first.json()["name"]
    assert client.post("/api/saved", json=body).json()["name"] == name  # the same name
    assert first.json()["path"] == f"/?saved={name}"
    saved = client.get(f"/api/saved/{name}").json()  # the scenario, its defaults filled in
    made, again = (client.post("/api/sessions", json=b).json() for b in (body, saved))
    for field in ("config", "params", "inputs", "targets", "seed"):
        assert made[field] == again[field]
    assert client.get("/api/saved/nothing-here").status_code == 404


OPTIMIZERS = (
    {"name": "sgd"},
    {"name": "momentum", "momentum": 0.9},
    {"name": "adagrad"},
    {"name": "rmsprop"},
    {"name": "adam"},
)


def with_optimizer(optimizer: dict) -> dict:
    config = {**SMALL_SCENARIO["config"], "optimizer": optimizer, "learning_rate": 0.3}
    return {**SMALL_SCENARIO, "config": config}


def test_a_link_to_a_later_update_is_the_original_bit_for_bit_under_every_optimizer(
    client: TestClient,
) -> None:
    for optimizer in OPTIMIZERS:
        scenario = with_optimizer(optimizer)
        session_id, headers = create_session(client, scenario)
        url = f"/api/sessions/{session_id}"
        client.post(f"{url}/train", json={"epochs": 2}, headers=headers)
        for _ in range(7 + 6):  # epoch 3 stepped and updated, then epoch 4's six steps
            client.post(f"{url}/{client.get(url).json()['phase']}", headers=headers)
        before = client.get(url).json()  # epoch 4, its backward pass done
        assert client.post(f"{url}/update", headers=headers).status_code == 200
        original = client.get(url).json()["last_update"]
        start = before["optimizer_state"]
        assert start["n"] == 3 and original["state_before"] == start, optimizer
        body = {**scenario, "weights": before["params"], "epoch": 4, "steps": 7}
        rebuilt = client.post("/api/links", json={**body, "optimizer_state": start})
        assert rebuilt.status_code == 201, rebuilt.text
        assert rebuilt.json()["last_update"] == original, optimizer  # every number, every bit
        if optimizer["name"] != "sgd":  # a fresh optimiser: other numbers (what links did)
            fresh = client.post("/api/links", json=body).json()["last_update"]
            assert fresh["params_new"] != original["params_new"], optimizer


def test_a_link_to_a_trained_update_makes_it_on_the_training_path(client: TestClient) -> None:
    scenario = with_optimizer({"name": "adam"})
    session_id, headers = create_session(client, scenario)
    url = f"/api/sessions/{session_id}"
    client.post(f"{url}/train", json={"epochs": 2}, headers=headers)
    middle = client.get(url).json()  # epoch 3's start
    client.post(f"{url}/train", json={"epochs": 1}, headers=headers)
    original = client.get(url).json()["last_update"]
    assert original["trained"] is True
    body = {**scenario, "weights": middle["params"], "epoch": 3, "steps": 7}
    body |= {"optimizer_state": middle["optimizer_state"], "trained": True}
    rebuilt = client.post("/api/links", json=body)
    assert rebuilt.status_code == 201, rebuilt.text
    assert rebuilt.json()["last_update"] == original
    not_an_update = client.post("/api/links", json={**body, "steps": 3})
    assert not_an_update.status_code == 422
    assert not_an_update.json()["detail"][0]["loc"] == ["body", "trained"]


def test_an_optimizer_state_that_does_not_fit_is_refused_naming_the_field(
    client: TestClient,
) -> None:
    scenario = with_optimizer({"name": "adam"})
    session_id, headers = create_session(client, scenario)
    url = f"/api/sessions/{session_id}"
    client.post(f"{url}/train", json={"epochs": 1}, headers=headers)
    state = client.get(url).json()
    good = state["optimizer_state"]
    base = {**scenario, "weights": state["params"], "epoch": 2, "steps": 0}
    m_without_W_h = {k: v for k, v in good["slots"]["m"].items() if k != "W_h"}
    broken = {
        ("slots", "m", "W_h"): {**good["slots"]["m"], "W_h": [[0.0]]},  # (1, 1), not (2, 2)
        ("slots", "m", "W_h", "missing"): m_without_W_h,
        ("slots", "G"): None,  # an Adagrad slot, not Adam's
    }
    for where, slot in broken.items():
        slots = dict(good["slots"])
        if where[1] == "G":
            slots["G"] = good["slots"]["m"]
        else:
            slots["m"] = slot
        state = {"n": 1, "slots": slots}
        answer = client.post("/api/links", json={**base, "optimizer_state": state})
        assert answer.status_code == 422, where
        loc = answer.json()["detail"][0]["loc"]
        assert loc == ["body", "optimizer_state", *where[:3]], (where, answer.text)
    no_v = {"n": 1, "slots": {"m": good["slots"]["m"]}}
    answer = client.post("/api/links", json={**base, "optimizer_state": no_v})
    assert answer.json()["detail"][0]["loc"] == ["body", "optimizer_state", "slots", "v"]
    negative = client.post("/api/links", json={**base, "optimizer_state": {**good, "n": -1}})
    assert negative.status_code == 422
    assert negative.json()["detail"][0]["loc"] == ["body", "optimizer_state", "n"]


def test_a_saved_scenario_outlives_a_restart_of_the_server(
    make_client: MakeClient, tmp_path: Path
) -> None:
    body = dict(SMALL_SCENARIO)
    first = make_client(saved_dir=tmp_path).post("/api/saved", json=body)
    assert first.status_code == 201
    name = first.json()["name"]
    restarted = make_client(saved_dir=tmp_path)  # a new process: nothing in memory
    answer = restarted.get(f"/api/saved/{name}")
    assert answer.status_code == 200
    assert answer.json()["inputs"] == SMALL_SCENARIO["inputs"]
    # in memory only (BPTT_SAVED_DIR empty), a restart forgets it
    memory = make_client(saved_dir=None)
    name = memory.post("/api/saved", json=body).json()["name"]
    assert make_client(saved_dir=None).get(f"/api/saved/{name}").status_code == 404
    assert restarted.get("/api/saved/..%2F..%2Fetc%2Fpasswd").status_code == 404
    for strange in ("A" * 16, "x" * 17, "a" * 15 + "."):  # no name saved_name gives: no file read
        answer = restarted.get(f"/api/saved/{strange}")
        assert answer.status_code == 404
        assert "no saved scenario" in answer.json()["detail"]

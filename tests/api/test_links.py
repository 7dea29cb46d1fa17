"""POST /api/links rebuilds a link's view with the same numbers as the session it came from;
POST /api/saved keeps a scenario too large for an address under a name made from it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import SMALL_SCENARIO, create_session


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
    body = {**body, "weights": before["params"], "epoch": 2, "steps": 7}
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

"""GET .../flow, POST .../scale and POST .../truncation: the numbers are the session's own,
a what-if changes nothing, the commands change the session and are events."""

from __future__ import annotations

import math

import numpy as np
import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import create_session, strict_json


def step_all(client: TestClient, sid: str, headers: dict[str, str], T: int, backward: int) -> None:
    for _ in range(T):
        assert client.post(f"/api/sessions/{sid}/forward", headers=headers).status_code == 200
    for _ in range(backward):
        assert client.post(f"/api/sessions/{sid}/backward", headers=headers).status_code == 200


def events(client: TestClient, sid: str) -> list[str]:
    return [event["command"] for event in client.app.state.store.events_since(sid, 0)]


def test_flow_reads_the_backward_records_the_session_holds(client: TestClient) -> None:
    sid, headers = create_session(client, {"preset": "vanishing"})
    step_all(client, sid, headers, 20, 5)
    answer = client.get(f"/api/sessions/{sid}/flow")
    assert answer.status_code == 200
    flow = strict_json(answer.text)
    state = client.get(f"/api/sessions/{sid}").json()
    assert flow["param"] == "W_h" and flow["ks"] == [20] and not flow["complete"]
    by_t = {record["t"]: record for record in state["backward"]}
    for t, norm in enumerate(flow["state_grad_norms"], start=1):
        if t in by_t:
            assert norm == pytest.approx(float(np.linalg.norm(by_t[t]["dh"])), rel=1e-12)
        else:
            assert norm is None
    for t, size in enumerate(flow["sizes"][0], start=1):
        summary = [s for s in by_t[t]["terms"] if s["param"] == "W_h"] if t in by_t else []
        assert size == (summary[0]["sizes"][0] if summary else None)
    gauge = flow["gauge"]
    # J_20 .. J_16: five Jacobians, distances 0..5
    assert gauge["distances"] == [0, 1, 2, 3, 4, 5] and gauge["norms"][0] == 1.0
    assert gauge["regime"] == "vanishing" and gauge["sentence"].startswith("Vanishing")


def test_a_what_if_scale_computes_the_whole_epoch_and_changes_nothing(client: TestClient) -> None:
    sid, _ = create_session(client, {"preset": "exploding"})
    before = client.get(f"/api/sessions/{sid}").json()
    own = client.get(f"/api/sessions/{sid}/flow").json()
    assert own["gauge"]["regime"] == "unknown" and own["scale"] is None
    exploding = client.get(f"/api/sessions/{sid}/flow", params={"scale": 1, "param": "W_x"}).json()
    tamed = client.get(f"/api/sessions/{sid}/flow", params={"scale": 0.2, "param": "W_x"}).json()
    assert exploding["complete"] and exploding["gauge"]["regime"] == "exploding"
    assert exploding["gauge"]["rate"] == pytest.approx(2.5)
    assert tamed["gauge"]["regime"] == "vanishing" and tamed["gauge"]["rate"] == pytest.approx(0.5)
    assert tamed["gauge"]["sigma_max"] == pytest.approx(0.2 * 2.5)
    # W_h times 0.2: W_x's far terms fade against its near one instead of dwarfing it
    far_over_near = [flow["sizes"][0][1] / flow["sizes"][0][-1] for flow in (tamed, exploding)]
    assert far_over_near[0] < 1e-3 < 1e3 < far_over_near[1]
    after = client.get(f"/api/sessions/{sid}").json()
    assert after == before and events(client, sid) == []


def test_scale_is_a_command_restarting_the_epoch_with_scaled_recurrent_weights(
    client: TestClient,
) -> None:
    sid, headers = create_session(client, {"preset": "gru-update-gate"})
    first = client.get(f"/api/sessions/{sid}").json()
    step_all(client, sid, headers, 3, 0)
    answer = client.post(f"/api/sessions/{sid}/scale", json={"factor": 0.5}, headers=headers)
    assert answer.status_code == 200
    state = answer.json()
    assert state["phase"] == "forward" and state["t"] == 1 and state["epoch"] == 1
    for name, value in first["params"].items():
        factor = 0.5 if name in ("W_hz", "W_hr", "W_hh") else 1.0
        np.testing.assert_allclose(state["params"][name], factor * np.array(value), rtol=0)
    assert events(client, sid)[-1] == "scale"


def test_truncation_replays_the_steps_taken_with_the_new_window(client: TestClient) -> None:
    sid, headers = create_session(client, {"preset": "sine-next-value"})
    step_all(client, sid, headers, 12, 4)
    answer = client.post(f"/api/sessions/{sid}/truncation", json={"truncation": 2}, headers=headers)
    assert answer.status_code == 200
    state = answer.json()
    assert state["config"]["truncation"] == 2
    assert state["phase"] == "backward" and state["t"] == 8 and len(state["backward"]) == 4
    for record in state["backward"]:
        for summary in record["terms"]:
            assert all(k - record["t"] < 2 for k in summary["ks"])
    assert events(client, sid)[-1] == "truncate"
    full = client.post(
        f"/api/sessions/{sid}/truncation", json={"truncation": None}, headers=headers
    )
    assert full.json()["config"]["truncation"] is None
    assert max(len(s["ks"]) for s in full.json()["backward"][-1]["terms"]) == 12 - 9 + 1


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"scale": "nan"}, "scale"),
        ({"scale": 3.5}, "scale"),
        ({"scale": -1}, "scale"),
        ({"param": "W_q"}, "param"),
    ],
)
def test_bad_flow_queries_are_422_naming_the_field(client: TestClient, query, field) -> None:
    sid, _ = create_session(client, {"preset": "seed-3-step"})
    answer = client.get(f"/api/sessions/{sid}/flow", params=query)
    assert answer.status_code == 422
    assert strict_json(answer.text)["detail"][0]["loc"] == ["query", field]


@pytest.mark.parametrize(
    ("route", "body"),
    [
        ("scale", {"factor": 4}),
        ("scale", {}),
        ("scale", {"factor": "1"}),
        ("truncation", {"truncation": 0}),
        ("truncation", {"truncation": 1.5}),
        ("truncation", {}),
    ],
)
def test_bad_commands_are_422_and_change_nothing(client: TestClient, route, body) -> None:
    sid, headers = create_session(client, {"preset": "seed-3-step"})
    before = client.get(f"/api/sessions/{sid}").json()
    answer = client.post(f"/api/sessions/{sid}/{route}", json=body, headers=headers)
    assert answer.status_code == 422
    assert client.get(f"/api/sessions/{sid}").json() == before


def test_commands_need_the_token_and_flow_needs_a_session(client: TestClient) -> None:
    sid, _ = create_session(client, {"preset": "seed-3-step"})
    assert client.post(f"/api/sessions/{sid}/scale", json={"factor": 1}).status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert (
        client.post(
            f"/api/sessions/{sid}/truncation", json={"truncation": 1}, headers=wrong
        ).status_code
        == 403
    )
    assert client.get("/api/sessions/missing/flow").status_code == 404


@pytest.mark.parametrize("preset", ["lstm-remembers", "gru-update-gate", "hello", "saw-a-one"])
def test_every_cell_has_a_flow_and_a_finite_gauge(client: TestClient, preset: str) -> None:
    sid, _ = create_session(client, {"preset": preset})
    flow = client.get(f"/api/sessions/{sid}/flow", params={"scale": 1.5}).json()
    assert flow["complete"] and flow["param"] == flow["params"][1]
    assert all(math.isfinite(n) for n in flow["gauge"]["log10_norms"])
    assert flow["gauge"]["regime"] in ("vanishing", "exploding", "neither")


def test_with_truncation_the_flow_shows_the_dropped_terms_and_the_gap(client: TestClient) -> None:
    sid, headers = create_session(client, {"preset": "vanishing"})
    client.post(f"/api/sessions/{sid}/truncation", json={"truncation": 5}, headers=headers)
    step_all(client, sid, headers, 20, 10)  # t = 20 .. 11
    flow = client.get(f"/api/sessions/{sid}/flow", params={"param": "b"}).json()
    assert flow["truncation"] == 5 and flow["gaps"] is None
    kept = [t for t, size in enumerate(flow["sizes"][0], start=1) if size is not None]
    dropped = [t for t, size in enumerate(flow["dropped_sizes"][0], start=1) if size is not None]
    assert kept == [16, 17, 18, 19, 20] and dropped == [11, 12, 13, 14, 15]
    step_all(client, sid, headers, 0, 10)
    flow = client.get(f"/api/sessions/{sid}/flow", params={"param": "b"}).json()
    gaps = {gap["param"]: gap for gap in flow["gaps"]}
    state = client.get(f"/api/sessions/{sid}").json()
    assert gaps["b"]["truncated"] == state["backward"][-1]["grads"]["b"]
    truncated, full = np.array(gaps["W_h"]["truncated"]), np.array(gaps["W_h"]["full"])
    expected = np.linalg.norm(truncated - full) / np.linalg.norm(full)
    assert gaps["W_h"]["relative_difference"] == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("preset", ["seed-3-step", "gru-update-gate", "lstm-remembers"])
def test_the_session_gradcheck_names_each_parameters_worst_entry(
    client: TestClient, preset
) -> None:
    sid, _ = create_session(client, {"preset": preset})
    answer = client.get(f"/api/sessions/{sid}/gradcheck")
    assert answer.status_code == 200
    check = strict_json(answer.text)
    assert check["passed"] and check["tolerance"] == 1e-6
    for param in check["params"].values():
        errors = [entry["relative_error"] for entry in param["entries"]]
        assert param["worst"]["relative_error"] == max(errors)
        assert len(errors) == math.prod(param["shape"]) and param["passed"]
        for entry in param["entries"]:
            scale = max(abs(entry["analytic"]), abs(entry["numeric"]), check["floor"])
            assert entry["relative_error"] == pytest.approx(
                abs(entry["analytic"] - entry["numeric"]) / scale, rel=1e-12, abs=1e-300
            )


def test_a_gradcheck_past_the_servers_limit_is_a_422(make_client) -> None:
    client = make_client(max_gradcheck_steps=10)
    sid, _ = create_session(client, {"preset": "hello"})
    answer = client.get(f"/api/sessions/{sid}/gradcheck")
    assert answer.status_code == 422 and "forward steps" in answer.json()["detail"][0]["msg"]


def test_after_an_overflowed_update_the_flow_is_the_epoch_that_overflowed(
    client: TestClient,
) -> None:
    """Run epoch on the exploding preset until an update's weights stop being finite: the
    gauge still says why, from the epoch that overflowed, and names the overflow."""
    sid, headers = create_session(client, {"preset": "exploding"})
    url = f"/api/sessions/{sid}"
    while (
        client.get(url).json()["params"]["W_x"] is not None
        and client.post(f"{url}/train", json={"epochs": 1}, headers=headers).status_code == 200
    ):
        state = client.get(url).json()
        if state["last_update"]["diverged"] and state["last_update"]["diverged"]["quantity"] != (
            "the loss with the new weights"
        ):
            break
    state = client.get(url).json()
    overflow = state["last_update"]["diverged"]
    assert overflow is not None and overflow["quantity"].startswith("new ")
    answer = client.get(f"{url}/flow")
    assert answer.status_code == 200
    flow = strict_json(answer.text)
    assert flow["epoch"] == state["epoch"] - 1 == state["last_update"]["epoch"]
    assert flow["complete"] and flow["gauge"]["regime"] == "exploding"
    assert flow["gauge"]["sentence"].startswith("Exploding:")
    assert flow["diverged"]["quantity"] == overflow["quantity"]
    assert "clip" in flow["diverged"]["message"]
    assert all(math.isfinite(n) for n in flow["state_grad_norms"] if n is not None)
    # from the finite weights of that epoch (its W_h has sigma_max ~1e10: shrunk a long way)
    what_if = client.get(f"{url}/flow", params={"scale": 1e-11})
    assert what_if.status_code == 200
    assert strict_json(what_if.text)["gauge"]["regime"] == "vanishing"

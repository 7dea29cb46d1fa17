"""GET /flow within BPTT_FLOW_BUDGET_SECONDS: the gauge's SVDs and its whole passes costed,
refused with a 422 naming the rule past it; every scenario the default limits take fits."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from app.api.limits import GAUGE_SECONDS, STEPPING, check_flow, step_seconds
from app.core import Config, Scenario, init_params
from app.core.regime import gauge_work
from app.settings import Settings
from tests.api.conftest import create_session

CELLS = ("elman", "gru", "lstm")


def test_a_flow_past_the_budget_is_a_422_naming_the_rule(make_client) -> None:
    client = make_client(flow_budget_seconds=1e-6)
    sid, _ = create_session(client, {"preset": "hello"})
    before = client.get(f"/api/sessions/{sid}").json()
    answer = client.get(f"/api/sessions/{sid}/flow")
    assert answer.status_code == 422
    (error,) = answer.json()["detail"]
    assert error["loc"] == ["path", "session_id"]
    assert "over the server's budget of 1e-06 s (BPTT_FLOW_BUDGET_SECONDS)" in error["msg"]
    assert "0 whole passes" in error["msg"]
    assert client.get(f"/api/sessions/{sid}").json() == before


def test_a_what_if_costs_a_whole_pass_more_than_the_flow(make_client) -> None:
    """A budget halfway between the two: the flow answers, the what-if is refused."""
    config = Config(4, 64, 4, mode="many_to_many")
    T = 200
    gauge = gauge_work(config, T) * GAUGE_SECONDS
    client = make_client(flow_budget_seconds=gauge + 0.5 * T * step_seconds(config) * STEPPING)
    sid, _ = create_session(client, body(config, T))
    assert client.get(f"/api/sessions/{sid}/flow").status_code == 200
    answer = client.get(f"/api/sessions/{sid}/flow", params={"scale": 2})
    assert answer.status_code == 422
    (error,) = answer.json()["detail"]
    assert error["loc"] == ["path", "session_id"] and "1 whole pass)" in error["msg"]


@pytest.mark.parametrize("cell", CELLS)
def test_every_scenario_within_the_default_limits_fits_the_flow_budget(cell: str) -> None:
    settings = Settings()
    d, H, T = settings.max_input_size, settings.max_hidden_size, settings.max_steps
    config = Config(d, H, settings.max_output_size, mode="many_to_many", cell=cell)
    scenario = Scenario(config, init_params(config, 0), np.zeros((T, d)), np.zeros((T, d)))
    check_flow(scenario, 2, settings)  # a what-if of a truncated session: the most passes


def body(config: Config, T: int) -> dict[str, Any]:
    rng = np.random.default_rng(0)
    sizes = {"input_size": config.input_size, "hidden_size": config.hidden_size}
    sizes |= {"output_size": config.output_size, "mode": "many_to_many"}
    inputs = rng.normal(size=(T, config.input_size)).tolist()
    targets = rng.normal(size=(T, config.output_size)).tolist()
    return {"config": sizes, "inputs": inputs, "targets": targets, "seed": 0}

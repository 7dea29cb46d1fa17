"""Every answer app.api.wire builds is the JSON the old serializer wrote (tests/api/wire/
before.py, frozen from main): the same keys and the same values, route by route, for
every preset and a spread of cells, optimisers, losses and sizes (small and past the
inline limits, where arrays are left out as null).

Each route is called through HTTP; the Outcome the sessions floor handed the route is
recorded, and the old functions are applied to those same core objects.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.api.jsonresponse import StrictJSONResponse
from app.api.scenarios import build_session_scenario
from app.api.schemas import SessionIn
from app.core import bptt, get_preset, gradcheck, list_presets, term_detail
from app.sessions import Outcome, Sessions
from tests.api.conftest import MakeClient, auth, strict_json
from tests.api.wire import before

CONFIGS: list[dict[str, Any]] = [
    {"cell": "elman", "optimizer": {"name": "sgd"}, "clip_norm": 0.5},
    {"cell": "elman", "activation": "relu", "truncation": 2, "optimizer": {"name": "momentum"}},
    {"cell": "gru", "output": "softmax_ce", "output_size": 3, "optimizer": {"name": "adam"}},
    {"cell": "gru", "mode": "many_to_one", "optimizer": {"name": "adagrad"}},
    {"cell": "lstm", "output": "sigmoid_bce", "optimizer": {"name": "rmsprop", "rho": 0.9}},
    {"cell": "lstm", "output_bias": False, "hidden_size": 20, "optimizer": {"name": "adam"}},
    {"cell": "elman", "hidden_size": 40, "input_size": 16, "output_size": 16},
]


def scenario_of(config: dict[str, Any], T: int = 4) -> dict[str, Any]:
    """A scenario of `config` (d = K = 1 unless given) with inputs and targets that fit it."""
    config = {"input_size": 1, "hidden_size": 3, "output_size": 1, **config}
    d, K = config["input_size"], config["output_size"]
    inputs = [[0.3 * (t + 1) * (-1) ** i for i in range(d)] for t in range(T)]
    one_hot = [[1.0 if i == t % K else 0.0 for i in range(K)] for t in range(T)]
    targets = one_hot if config.get("output") in ("softmax_ce", "sigmoid_bce") else inputs
    if config.get("output") != "softmax_ce" and d != K:
        targets = [[0.1] * K for _ in range(T)]
    if config.get("mode") == "many_to_one":
        targets = targets[-1]
    return {"config": config, "inputs": inputs, "targets": targets, "seed": 3}


BODIES = [{"preset": preset.id} for preset in list_presets()] + [scenario_of(c) for c in CONFIGS]
NAMES = [body.get("preset") or f"{body['config']['cell']}-{i}" for i, body in enumerate(BODIES)]


def old_answer(value: Any) -> Any:
    """The old functions' value as the client received it."""
    return json.loads(StrictJSONResponse(value).body)


class Recorder:
    """Records the Outcome each command of the app's sessions floor hands its route."""

    def __init__(self, sessions: Sessions, monkeypatch: pytest.MonkeyPatch) -> None:
        self.last: Outcome | None = None
        for name in ("create", "read", "step", "reset", "train"):
            monkeypatch.setattr(sessions, name, self.wrap(getattr(sessions, name)))

    def wrap(self, command: Any) -> Any:
        def recorded(*args: Any, **kwargs: Any) -> Outcome:
            self.last = command(*args, **kwargs)
            return self.last

        return recorded


def same(response: Any, old: Any) -> None:
    assert strict_json(response.text) == old_answer(old)


def step_session(client: TestClient, recorder: Recorder, body: dict[str, Any]) -> None:
    """Create, step a whole epoch (reading the state and a few terms on the way), update,
    train, reset: each answer against the old serializer's on the same Outcome."""
    settings = client.app.state.settings  # type: ignore[attr-defined]
    created = client.post("/api/sessions", json=body)
    same(created, before.created_json(recorder.last, settings))
    url, headers = f"/api/sessions/{created.json()['id']}", auth(created.json()["token"])
    T = created.json()["T"]
    for step in ["forward"] * T + ["backward"] * T + ["update"]:
        answer = client.post(f"{url}/{step}", headers=headers)
        if answer.status_code == 409:  # an update left weights that are not finite
            break
        same(answer, before.step_json(recorder.last, settings))
        if step == "backward":
            read_terms(client, recorder, url, answer.json())
        if step != "forward" or answer.json()["t"] == T:
            same(client.get(url), before.state_json(recorder.last, settings))
    trained = client.post(f"{url}/train", headers=headers, json={"epochs": 2})
    same(trained, before.train_json(recorder.last, settings))
    for to in ("epoch", "start"):
        reset = client.post(f"{url}/reset", headers=headers, json={"to": to})
        same(reset, before.state_json(recorder.last, settings))


def read_terms(client: TestClient, recorder: Recorder, url: str, backward: dict) -> None:
    """GET the first and the last term this backward step completed, of each parameter."""
    settings = client.app.state.settings  # type: ignore[attr-defined]
    for summary in backward["terms"]:
        for k in {summary["ks"][0], summary["ks"][-1]}:
            answer = client.get(f"{url}/terms/{summary['param']}:{k}:{summary['t']}")
            run = recorder.last.run
            term = term_detail(run, summary["param"], k, summary["t"])
            same(answer, before.term_detail_json(run, term, settings.inline_factor_size))


@pytest.mark.parametrize("inline_factor_size", [64, 4])
@pytest.mark.parametrize("body", BODIES, ids=NAMES)
def test_every_session_answer_is_the_old_json(
    make_client: MakeClient,
    monkeypatch: pytest.MonkeyPatch,
    body: dict[str, Any],
    inline_factor_size: int,
) -> None:
    client = make_client(inline_factor_size=inline_factor_size)
    recorder = Recorder(client.app.state.sessions, monkeypatch)  # type: ignore[attr-defined]
    step_session(client, recorder, body)


@pytest.mark.parametrize("body", BODIES, ids=NAMES)
def test_bptt_and_gradcheck_answer_the_old_json(client: TestClient, body: dict[str, Any]) -> None:
    settings = client.app.state.settings  # type: ignore[attr-defined]
    built = build_session_scenario(SessionIn(**body), settings)
    run = bptt(built.scenario)
    summaries = (run.backward[-1].terms[-1], run.backward[0].terms[0])
    wanted = [(summary.param, summary.ks[-1], summary.t) for summary in summaries]
    details = [term_detail(run, *term) for term in wanted]
    names = [f"{param}:{k}:{t}" for param, k, t in wanted]
    answer = client.post("/api/bptt", json={**body, "terms": names})
    same(answer, before.bptt_json(run, built.seed, details, settings.inline_factor_size))
    check = client.post("/api/gradcheck", json=body)
    same(check, before.gradcheck_json(gradcheck(built.scenario)))


def test_presets_answer_the_old_json(client: TestClient) -> None:
    same(client.get("/api/presets"), before.presets_json())
    assert get_preset("seed-3-step")  # the presets the list above is made of


def test_the_comparison_sees_a_changed_value(client: TestClient) -> None:
    """The comparison is real: a value changed after the old functions ran is caught."""
    old = old_answer(before.presets_json())
    old[0]["T"] += 1
    assert strict_json(client.get("/api/presets").text) != old

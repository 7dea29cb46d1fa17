"""A term's factors through the API: each block's label beside its entry templates."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import SMALL_SCENARIO, create_session


def stepped_term(client: TestClient, cell: str, term_id: str) -> dict:
    """A session of `cell` (H = 2, T = 3) after its forward pass and backward steps, and one
    of its terms in full."""
    body = {**SMALL_SCENARIO, "config": {**SMALL_SCENARIO["config"], "cell": cell}}
    session_id, headers = create_session(client, body)
    url = f"/api/sessions/{session_id}"
    for step in ("forward",) * 3 + ("backward",) * 3:
        assert client.post(f"{url}/{step}", headers=headers).status_code == 200
    answer = client.get(f"{url}/terms/{term_id}")
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_an_lstm_factor_names_each_block_by_its_state_parts(client: TestClient) -> None:
    term = stepped_term(client, "lstm", "W_xi:3:2")
    factors = {factor["kind"]: factor for factor in term["factors"]}
    for factor in term["factors"]:
        assert [len(row) for row in factor["blocks"]] == [len(row) for row in factor["entry"]]
    d = r"\partial"
    assert factors["recurrent"]["blocks"] == [
        [rf"\frac{{{d} h_{{3}}}}{{{d} h_{{2}}}}", rf"\frac{{{d} h_{{3}}}}{{{d} c_{{2}}}}"],
        [rf"\frac{{{d} c_{{3}}}}{{{d} h_{{2}}}}", rf"\frac{{{d} c_{{3}}}}{{{d} c_{{2}}}}"],
    ]
    assert factors["output"]["blocks"] == [
        [rf"\frac{{{d} z_{{3}}}}{{{d} h_{{3}}}}", rf"\frac{{{d} z_{{3}}}}{{{d} c_{{3}}}}"]
    ]
    assert factors["direct"]["blocks"] == [
        [rf"\frac{{{d}^{{+}} h_{{2}}}}{{{d} W_{{xi}}}}"],
        [rf"\frac{{{d}^{{+}} c_{{2}}}}{{{d} W_{{xi}}}}"],
    ]
    assert factors["loss"]["blocks"] == [[factors["loss"]["latex"]]]


@pytest.mark.parametrize(("cell", "term_id"), [("elman", "W_h:3:1"), ("gru", "W_hr:3:2")])
def test_a_cell_of_one_state_has_one_block_the_factor_itself(
    client: TestClient, cell: str, term_id: str
) -> None:
    term = stepped_term(client, cell, term_id)
    assert {factor["kind"] for factor in term["factors"]} >= {"recurrent", "direct"}
    for factor in term["factors"]:
        assert factor["blocks"] == [[factor["latex"]]], factor["symbol"]


def test_the_loss_factors_parts_carry_their_entry_templates_and_numbers(
    client: TestClient,
) -> None:
    """Seed example (sigmoid + BCE): each part's template, its numbers put in, is its value."""
    session_id, headers = create_session(client, {"preset": "seed-3-step"})
    url = f"/api/sessions/{session_id}"
    for step in ("forward",) * 3 + ("backward",):
        assert client.post(f"{url}/{step}", headers=headers).status_code == 200
    term = client.get(f"{url}/terms/W_h:3:3").json()
    dl_dyhat, dyhat_dz = term["factors"][0]["parts"]
    numbers = {number["name"]: number["value"] for number in term["numbers"]}
    templates = [part["entry"][0][0] for part in (dl_dyhat, dyhat_dz)]
    assert all("[[y_3:j]]" in t or "[[yhat_3:j]]" in t for t in templates)
    (y,), (yhat,) = numbers["y_3"], numbers["yhat_3"]
    assert dl_dyhat["value"][0][0] == pytest.approx(-y / yhat + (1 - y) / (1 - yhat))
    assert dyhat_dz["value"][0][0] == pytest.approx(yhat * (1 - yhat))
    assert templates[1] == "[[yhat_3:j]] [[*]] (1 - [[yhat_3:j]])"

"""Malformed bodies and headers: each a 422 (or the route's own refusal) naming the field or
the rule, in strict JSON, and nothing changes. Never a 400 naming nothing, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.api.bodies import MAX_DIGITS
from tests.api.conftest import MakeClient, create_session, strict_json

JSON = {"content-type": "application/json"}

# (body, where the answer points, words its rule must hold, its type)
MALFORMED: dict[str, tuple[bytes, list[Any], str, str]] = {
    "invalid UTF-8": (
        b'{"preset": "caf\xe9"}',
        ["body"],
        "must be UTF-8: byte 15",
        "json_not_utf8",
    ),
    "a raw surrogate": (b'{"preset": "\xed\xa0\x80"}', ["body"], "UTF-8", "json_not_utf8"),
    "a lone surrogate key": (b'{"\\ud800": 1}', ["body"], "lone surrogate", "json_not_utf8"),
    "a lone surrogate value": (
        b'{"config": {"activation": "tanh\\udc00"}}',
        ["body", "config", "activation"],
        "lone surrogate",
        "json_not_utf8",
    ),
    "a duplicate key": (
        b'{"preset": "hello", "preset": "seed-3-step"}',
        ["body", "preset"],
        "is given twice",
        "json_duplicate_key",
    ),
    "a nested duplicate key": (
        b'{"config": {"input_size": 1, "hidden_size": 1, "input_size": 2}}',
        ["body", "config", "input_size"],
        "is given twice",
        "json_duplicate_key",
    ),
    "a 5,000-digit integer": (
        b'{"seed": ' + b"9" * 5000 + b"}",
        ["body", "seed"],
        f"at most {MAX_DIGITS} digits (it has 5,000)",
        "json_number",
    ),
    "a 5,000-digit number in a matrix": (
        b'{"inputs": [[1.0], [0.5, 1' + b"0" * 5000 + b".5]]}",
        ["body", "inputs", 1, 1],
        "at most",
        "json_number",
    ),
    "100,000 levels of nesting": (
        b"[" * 100_000 + b"]" * 100_000,
        ["body"],
        "at most 32 levels deep",
        "json_too_deep",
    ),
    "depth hidden by brackets in strings": (
        b'["]",' * 5000 + b"1" + b"]" * 5000,
        ["body"],
        "at most 32 levels deep",
        "json_too_deep",
    ),
    "100,000 unclosed brackets": (b'{"inputs": ' + b"[" * 100_000, ["body"], "32 levels", "json"),
    "not JSON at all": (b"preset=hello", ["body"], "is not JSON: Expecting value", "json_invalid"),
    "JSON cut short": (b'{"preset": "hel', ["body"], "is not JSON", "json_invalid"),
}


@pytest.mark.parametrize("name", MALFORMED)
@pytest.mark.parametrize("url", ["/api/sessions", "/api/bptt", "/api/gradcheck"])
def test_a_malformed_body_is_a_422_naming_where_and_the_rule(
    make_client: MakeClient, name: str, url: str
) -> None:
    client = make_client()
    body, loc, words, kind = MALFORMED[name]
    response = client.post(url, content=body, headers=JSON)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/json"
    [rule] = strict_json(response.text)["detail"]
    assert rule["loc"] == loc
    assert words in rule["msg"]
    assert rule["type"].startswith(kind)
    assert len(client.app.state.store) == 0  # no session was made


@pytest.mark.parametrize("name", ["a duplicate key", "a 5,000-digit integer", "invalid UTF-8"])
def test_a_malformed_body_changes_no_session(client: TestClient, name: str) -> None:
    session_id, headers = create_session(client, {"preset": "seed-3-step"})
    before = client.get(f"/api/sessions/{session_id}").json()
    for action, body in (("train", b'{"epochs": 1, "epochs": 2}'), ("reset", MALFORMED[name][0])):
        url = f"/api/sessions/{session_id}/{action}"
        response = client.post(url, content=body, headers={**JSON, **headers})
        assert response.status_code == 422, response.text
    assert client.get(f"/api/sessions/{session_id}").json() == before


def test_a_valid_body_still_reads_as_before(client: TestClient) -> None:
    body = b'{"preset": "seed-3-step", "terms": ["W_h:3:2"]} '
    response = client.post("/api/bptt", content=body, headers=JSON)
    assert response.status_code == 200
    assert [term["t"] for term in response.json()["term_details"]] == [2]


def test_a_nan_is_still_refused_by_the_field_that_holds_it(client: TestClient) -> None:
    body = b'{"config": {"input_size": 1, "hidden_size": 1, "output_size": 1}, '
    body += b'"inputs": [[NaN]], "targets": [[0.5]]}'
    response = client.post("/api/bptt", content=body, headers=JSON)
    assert response.status_code == 422
    assert strict_json(response.text)["detail"][0]["loc"] == ["body", "inputs", 0, 0]


HEADERS = {"X-Note": b"caf\xe9", "Authorization": b"Bearer \xff"}


@pytest.mark.parametrize("header", HEADERS)
def test_a_header_that_is_not_utf8_gets_the_routes_own_answer(
    client: TestClient, header: str
) -> None:
    session_id, _ = create_session(client, {"preset": "seed-3-step"})
    extra = {header: HEADERS[header]}
    created = client.post(
        "/api/sessions", content=b'{"preset": "hello"}', headers={**JSON, **extra}
    )
    assert created.status_code == 201
    stepped = client.post(f"/api/sessions/{session_id}/forward", headers=extra)
    assert stepped.status_code == (403 if header == "Authorization" else 401)
    assert strict_json(stepped.text)["detail"]
    assert client.get(f"/api/sessions/{session_id}").json()["t"] == 1


def test_a_content_length_that_is_not_a_number_is_a_400(client: TestClient) -> None:
    scope_headers = {**JSON, "content-length": "ten"}
    response = client.post("/api/sessions", content=b"", headers=scope_headers)
    assert response.status_code == 400
    assert "Content-Length" in strict_json(response.text)["detail"]


def test_openapi_documents_the_body_refusals_on_every_route_with_a_body(
    client: TestClient,
) -> None:
    schema = client.get("/openapi.json").json()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if "requestBody" in operation:
                for code in ("408", "413", "415", "422"):
                    assert code in operation["responses"], (method, path, code)


def test_a_megabyte_of_tiny_arrays_is_refused_before_it_is_parsed(client: TestClient) -> None:
    body = b'{"inputs": [' + b",".join([b'["x"]'] * 160_000) + b"]}"
    assert len(body) > 900_000
    response = client.post("/api/sessions", content=body, headers=JSON)
    assert response.status_code == 422
    assert len(response.content) < 500
    [rule] = strict_json(response.text)["detail"]
    assert rule["loc"] == ["body"] and rule["type"] == "too_long"
    assert rule["msg"].startswith("has 159,999 commas: no scenario within the server's limits")


def test_more_arrays_than_any_scenario_needs_are_refused_before_the_parse(
    client: TestClient,
) -> None:
    body = b'{"inputs": [' + b"".join([b"[]"] * 5000) + b"]}"
    [rule] = strict_json(client.post("/api/bptt", content=body, headers=JSON).text)["detail"]
    assert rule["loc"] == ["body"] and "has 5,001 arrays" in rule["msg"]


def test_too_many_time_steps_are_refused_at_their_array(client: TestClient) -> None:
    body = b'{"inputs": [' + b",".join([b'["x"]'] * 2000) + b"]}"
    response = client.post("/api/sessions", content=body, headers=JSON)
    assert response.status_code == 422
    [rule] = strict_json(response.text)["detail"]
    assert rule["loc"] == ["body", "inputs"]
    assert "at most 200 time steps" in rule["msg"]


def test_a_long_array_anywhere_is_refused_before_pydantic_walks_it(client: TestClient) -> None:
    body = b'{"config": {"input_size": [' + b",".join([b'"x"'] * 50_000) + b"]}}"
    response = client.post("/api/bptt", content=body, headers=JSON)
    assert response.status_code == 422
    [rule] = strict_json(response.text)["detail"]
    assert rule["loc"] == ["body", "config", "input_size"]
    assert "at most 200 items" in rule["msg"] and "not 50,000" in rule["msg"]


def test_many_broken_rules_within_the_limits_answer_the_first_twenty(client: TestClient) -> None:
    config = {"input_size": 16, "hidden_size": 1, "output_size": 1}
    body = {"config": config, "inputs": [["x"] * 16] * 200, "targets": [[0.5]] * 200}
    response = client.post("/api/sessions", json=body)
    assert response.status_code == 422
    detail = strict_json(response.text)["detail"]
    assert len(detail) == 21 and len(response.content) < 10_000
    assert detail[0]["loc"] == ["body", "inputs", 0, 0]
    assert detail[-1]["msg"].startswith("and 3,180 more broken rules")
    assert len(client.app.state.store) == 0


def test_a_megabyte_of_non_numbers_within_the_limits_answers_the_first_twenty(
    client: TestClient,
) -> None:
    word = "n" * 60
    config = {"input_size": 16, "hidden_size": 64, "output_size": 16}
    matrix = [[word] * 16] * 200
    body = {"config": config, "inputs": matrix, "targets": matrix, "params": {"W_h": [[1.0]]}}
    response = client.post("/api/bptt", json=body)
    assert response.status_code == 422 and len(response.content) < 10_000
    detail = strict_json(response.text)["detail"]
    assert len(detail) == 21
    assert detail[0] == {
        "loc": ["body", "inputs", 0, 0],
        "msg": "Input should be a valid number",
        "type": "float_type",
    }
    assert detail[-1]["msg"].startswith("and 6,380 more broken rules")

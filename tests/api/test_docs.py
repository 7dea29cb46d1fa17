"""/docs: Swagger UI with no network, and an OpenAPI document describing every answer."""

from __future__ import annotations

import re
from typing import Any

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel

from app.api import wire
from app.api.openapi import BrokenRule, ErrorDetail, ValidationErrors
from app.api.schemas import ConfigIn
from tests.api.conftest import auth

STEPS = ("forward", "backward", "update")


def test_docs_page_loads_swagger_ui_from_our_own_static_files(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert re.findall(r"https?://", response.text) == []
    for url in re.findall(r'(?:src|href)="([^"]+)"', response.text):
        assert url.startswith("/static/vendor/swagger-ui/"), url
        assert client.get(url).status_code == 200
    assert client.get("/redoc").status_code == 404


def test_openapi_lists_every_endpoint_and_describes_every_request_field(
    client: TestClient,
) -> None:
    schema = client.get("/openapi.json").json()
    paths = {(path, method) for path, item in schema["paths"].items() for method in item}
    for action in ("forward", "backward", "update", "reset", "train"):
        assert (f"/api/sessions/{{session_id}}/{action}", "post") in paths
    assert {("/api/health", "get"), ("/api/presets", "get"), ("/api/bptt", "post")} <= paths
    assert {("/api/gradcheck", "post"), ("/api/sessions", "post")} <= paths
    assert ("/api/sessions/{session_id}", "delete") in paths
    models = schema["components"]["schemas"]
    for name in ("ConfigIn", "ParamsIn", "SessionIn", "TrainIn"):
        assert models[name].get("description"), name
        for field, spec in models[name]["properties"].items():
            assert spec.get("description"), f"{name}.{field}"


Schema = dict[str, Any]
TOKEN_ROUTES = [
    *(("post", f"/api/sessions/{{session_id}}/{action}") for action in STEPS),
    ("post", "/api/sessions/{session_id}/reset"),
    ("post", "/api/sessions/{session_id}/train"),
    ("post", "/api/sessions/{session_id}/scale"),
    ("post", "/api/sessions/{session_id}/truncation"),
    ("post", "/api/sessions/{session_id}/jobs/train"),
    ("post", "/api/sessions/{session_id}/jobs/stop"),
    ("post", "/api/sessions/{session_id}/optimizer"),
    ("delete", "/api/sessions/{session_id}"),
    ("post", "/api/sessions/{session_id}/code"),
    ("put", "/api/sessions/{session_id}/view"),
]
STEP_ROUTES = [("post", f"/api/sessions/{{session_id}}/{action}") for action in STEPS]
HEAVY_ROUTES = [  # and the session-creating routes but /api/saved (a scenario, not a session)
    ("post", "/api/bptt"),
    ("post", "/api/gradcheck"),
    ("post", "/api/sessions/{session_id}/train"),
]
CREATE_ROUTES = [
    ("post", "/api/sessions"),
    ("post", "/api/sessions/{session_id}/explore"),
    ("post", "/api/links"),
    ("post", "/api/saved"),
]
BODY_ROUTES = [
    ("post", "/api/bptt"),
    ("post", "/api/gradcheck"),
    ("post", "/api/sessions"),
    ("post", "/api/sessions/{session_id}/reset"),
    ("post", "/api/sessions/{session_id}/train"),
    ("post", "/api/sessions/{session_id}/scale"),
    ("post", "/api/sessions/{session_id}/truncation"),
    ("post", "/api/sessions/{session_id}/jobs/train"),
    ("post", "/api/sessions/{session_id}/optimizer"),
    ("put", "/api/sessions/{session_id}/view"),
    ("post", "/api/sessions/{session_id}/explore"),
    ("post", "/api/links"),
    ("post", "/api/saved"),
]


def openapi(client: TestClient) -> Schema:
    return client.get("/openapi.json").json()


def operations(schema: Schema) -> dict[tuple[str, str], Schema]:
    return {
        (method, path): operation
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    }


def answer_schema(schema: Schema, response: Schema) -> Schema:
    """The component a documented response refers to (for a list, its items')."""
    body = response["content"]["application/json"]["schema"]
    body = body.get("items", body)
    return schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]]


def test_every_route_documents_its_answer_with_a_described_model(client: TestClient) -> None:
    schema = openapi(client)
    for (method, path), operation in operations(schema).items():
        if (method, path) == ("delete", "/api/sessions/{session_id}"):
            assert "content" not in operation["responses"]["204"]
            continue
        ok = "201" if (method, path) in CREATE_ROUTES else "200"
        ok = "202" if path.endswith("/jobs/train") else ok  # a job answers when started
        model = answer_schema(schema, operation["responses"][ok])
        assert model["properties"], (method, path)
        assert model.get("description"), (method, path)


def test_every_model_and_every_field_is_described(client: TestClient) -> None:
    models = openapi(client)["components"]["schemas"]
    expected = {"SessionState", "BackwardRecord", "StepTerms", "TermDetail", "Factor", "CellInfo"}
    assert expected | {"ErrorDetail"} <= set(models)
    assert "HTTPValidationError" not in models  # FastAPI's own, undescribed
    for name, model in models.items():
        assert model.get("description"), name
        for field, spec in model["properties"].items():
            assert spec.get("description"), f"{name}.{field}"


# reads that need the session at a place in its epoch: refused out of order
PREVIEW_ROUTES = {
    ("get", "/api/sessions/{session_id}/forward/preview"),
    ("get", "/api/sessions/{session_id}/backward/preview"),
    ("get", "/api/sessions/{session_id}/sums"),
}


def test_error_answers_are_documented_where_they_can_happen(client: TestClient) -> None:
    schema = openapi(client)
    routes = operations(schema)
    forward = routes["post", "/api/sessions/{session_id}/forward"]["responses"]
    assert answer_schema(schema, forward["409"])["properties"].keys() == {"detail"}
    for route, operation in routes.items():
        codes = set(operation["responses"])
        token = route in TOKEN_ROUTES
        assert {"401", "403"} <= codes if token else not codes & {"401", "403"}, route
        if token:
            assert "WWW-Authenticate" in operation["responses"]["401"]["headers"]
        assert ("404" in codes) == any(
            f"{{{name}" in route[1] for name in ("session_id", "code", "name")
        ), route
        # out of order, or raced by another request; a step's preview (and the sums) out of order
        assert ("409" in codes) == (token or route in PREVIEW_ROUTES), route
        body = {"400", "408", "413", "415"}
        assert body <= codes if route in BODY_ROUTES else not codes & body, route
        queried = any(p["in"] == "query" for p in operation.get("parameters", ()))
        assert ("422" in codes) == (route in BODY_ROUTES or queried), route
        if route in HEAVY_ROUTES or (route in CREATE_ROUTES and route[1] != "/api/saved"):
            assert "429" in codes, route
        if "429" in codes:
            assert "Retry-After" in operation["responses"]["429"]["headers"], route
        assert "429" not in codes or route not in STEP_ROUTES, route
        if "422" in codes:
            rules = answer_schema(schema, operation["responses"]["422"])
            assert rules["properties"]["detail"]["type"] == "array"


def test_answers_are_built_without_validation_not_checked_by_fastapi(client: TestClient) -> None:
    routes = [route for route in client.app.routes if isinstance(route, APIRoute)]  # type: ignore[attr-defined]
    for route in routes:
        if route.path.startswith("/api/") and route.path != "/api/health":
            assert route.response_model is None, route.path


def assert_fields(model: type[BaseModel], answer: dict[str, Any]) -> None:
    """The answer has every required field of the model, and nothing it does not document."""
    fields = model.model_fields
    required = {name for name, field in fields.items() if field.is_required()}
    assert required <= set(answer) <= set(fields), (model.__name__, sorted(answer))


def test_documented_fields_match_a_session_stepped_through(client: TestClient) -> None:
    created = client.post("/api/sessions", json={"preset": "seed-3-step"}).json()
    assert_fields(wire.SessionCreated, created)
    url, headers = f"/api/sessions/{created['id']}", auth(created["token"])
    forward = [client.post(f"{url}/forward", headers=headers).json() for _ in range(3)]
    backward = client.post(f"{url}/backward", headers=headers).json()
    state = client.get(url).json()
    assert set(state) == set(wire.SessionState.model_fields)
    for answer, record in zip(forward, state["forward"], strict=True):
        assert_fields(wire.ForwardStep, answer)
        assert set(wire.ForwardStep.model_fields) - set(answer) == {"c", "c_prev"}
        assert_fields(wire.ForwardRecord, record)
        assert_fields(wire.Path, record["path"])
    assert set(backward) | {"dc", "first_term"} == set(wire.BackwardStep.model_fields)
    assert_fields(wire.SessionSummary, backward["session"])
    assert_fields(wire.Params, backward["session"]["params"])
    assert_fields(wire.ParamArrays, backward["grads"])
    for record in (backward, state["backward"][0]):
        assert set(record) - {"session"} | {"dc"} == set(wire.BackwardRecord.model_fields)
    for summary in backward["terms"]:
        assert set(summary) == set(wire.StepTerms.model_fields)
    term_id = f"{backward['terms'][0]['param']}:3:3"
    term = client.get(f"{url}/terms/{term_id}").json()
    assert set(term) == set(wire.TermDetail.model_fields)
    # asked for, the next backward step answers its first term in full, as the route does
    asked = client.post(f"{url}/backward?first_term=true", headers=headers).json()
    first = asked["first_term"]
    assert set(first) == set(wire.TermDetail.model_fields)
    assert first == client.get(f"{url}/terms/{first['id']}").json()
    assert first["t"] == asked["t"] == 2 and first["param"] == asked["terms"][0]["param"]
    factors = term["factors"]
    parts = [part for factor in factors for part in factor["parts"]]
    assert parts  # seed-3-step: sigmoid_bce splits the loss factor
    for factor in factors:
        assert set(factor) == set(wire.Factor.model_fields)
    for part in parts:
        assert set(part) == set(wire.FactorPart.model_fields)
    assert_fields(wire.Graph, state["graph"])
    assert_fields(wire.GraphNode, state["graph"]["nodes"][0])
    assert_fields(wire.GraphEdge, state["graph"]["edges"][0])


def test_documented_fields_match_the_other_answers(client: TestClient) -> None:
    created = client.post("/api/sessions", json={"preset": "exploding"}).json()
    url, headers = f"/api/sessions/{created['id']}", auth(created["token"])
    for step in STEPS:
        for _ in range(created["T"] if step != "update" else 1):
            answer = client.post(f"{url}/{step}", headers=headers).json()
    assert_fields(wire.UpdateStep, answer)
    assert_fields(wire.ParamArrays, answer["params_new"])
    trained = client.post(f"{url}/train", headers=headers, json={"epochs": 2}).json()
    assert_fields(wire.TrainResult, trained)
    assert_fields(wire.Divergence, trained["diverged"])
    assert_fields(wire.UpdateRecord, trained["last_update"])
    assert trained["diverged"]["epoch"] and None in trained["params"]["W_h"][0]

    bptt = client.post("/api/bptt", json={"preset": "sine-next-value"}).json()
    assert_fields(wire.BpttResult, bptt)
    check = client.post("/api/gradcheck", json={"preset": "seed-3-step"}).json()
    assert_fields(wire.GradCheckResult, check)
    for param in check["params"].values():
        assert_fields(wire.GradCheckParam, param)
    for preset in client.get("/api/presets").json():
        assert_fields(wire.Preset, preset)
        assert_fields(ConfigIn, preset["config"])
    assert_fields(wire.Health, client.get("/api/health").json())

    assert_fields(ErrorDetail, client.post(f"{url}/update", headers=headers).json())
    for body in ({"preset": "no-such"}, {"preset": "no-such", "seed": "1"}):
        refused = client.post("/api/sessions", json=body).json()
        assert_fields(ValidationErrors, refused)
        for rule in refused["detail"]:
            assert_fields(BrokenRule, rule)

"""/docs works with no network: Swagger UI comes from static/vendor/swagger-ui."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


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

"""What /docs says a route answers: its success model and the errors it can give.

The answers' models are app.api.wire's (the error shapes are here): routes build them
without validation and answer them through StrictJSONResponse, so FastAPI validates nothing.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, Field

Responses = dict[int | str, dict[str, Any]]


class ErrorDetail(BaseModel):
    """A refusal; a refused call changes nothing."""

    detail: str = Field(description="A sentence saying what was wrong and what to do.")


class BrokenRule(BaseModel):
    """One rule the request broke."""

    loc: list[str | int] = Field(
        description='Where, e.g. ["body", "params", "W_x"]; list indices are numbers.'
    )
    msg: str = Field(description="The rule, in words.")
    type: str = Field(description="\"scenario\" for the core's rules; else pydantic's error type.")
    input: Any = Field(None, description="The offending value (pydantic's errors only).")
    ctx: dict[str, Any] | None = Field(None, description="The rule's parameters, if any.")


class ValidationErrors(BaseModel):
    """The request broke a rule (FastAPI's shape; the limits are BPTT_* settings)."""

    detail: list[BrokenRule] = Field(description="Every rule broken.")


ERRORS: Responses = {
    401: {
        "model": ErrorDetail,
        "description": "No token: this call changes the session, so send "
        "`Authorization: Bearer <token>` (the token POST /api/sessions returned).",
        "headers": {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}},
    },
    403: {"model": ErrorDetail, "description": "The token does not open this session."},
    404: {"model": ErrorDetail, "description": "No such session: never made, or expired."},
    409: {
        "model": ErrorDetail,
        "description": "Out of order (forward pass, then backward from T to 1, then the "
        "update): `detail` says which step comes next. Also when another request changed "
        "the session at the same moment: nothing was done, send it again.",
    },
    410: {
        "model": ErrorDetail,
        "description": "The stored session cannot be read (damaged, or written by an "
        "incompatible version of the server): start a new session.",
    },
    408: {
        "model": ErrorDetail,
        "description": "The body did not arrive whole within BPTT_BODY_TIMEOUT_SECONDS "
        "(e.g. shorter than its Content-Length); the connection is closed.",
    },
    413: {"model": ErrorDetail, "description": "The body is over BPTT_MAX_BODY_BYTES."},
    415: {"model": ErrorDetail, "description": "The body is not sent as application/json."},
    422: {
        "model": ValidationErrors,
        "description": "The body breaks a rule: a field, a shape, or a server limit; or it "
        "is not strict JSON (not UTF-8, a lone surrogate, a key given twice, a number of over "
        "100 digits, nested over BPTT_MAX_JSON_DEPTH deep), with `loc` saying where.",
    },
    429: {
        "model": ErrorDetail,
        "description": "Too many calls of this kind from your address (BPTT_CREATE_* for new "
        "sessions, BPTT_HEAVY_* for train, bptt and gradcheck): wait Retry-After seconds.",
        "headers": {
            "Retry-After": {
                "description": "Whole seconds until the next call will be taken.",
                "schema": {"type": "integer"},
            }
        },
    },
    503: {
        "model": ErrorDetail,
        "description": "The session store (Redis) is not answering; nothing was changed.",
    },
}
BODY = (408, 413, 415, 422)
STORE = (410, 503)  # what reading a stored session may answer
CHANGE = (401, 403, 404, *STORE)  # a call that changes a session
FASTAPI_422 = "#/components/schemas/HTTPValidationError"


def documented(
    model: Any, description: str, *errors: int, status: int = 200, **extra: Any
) -> dict[str, Any]:
    """Route keywords: `responses` documenting `model` and `errors`, nothing validated."""
    responses: Responses = {status: {"model": model, "description": description}}
    responses.update({code: ERRORS[code] for code in errors})
    return {"response_model": None, "responses": responses, **extra}


def install_openapi(app: FastAPI) -> None:
    """Drop the 422 FastAPI lists on every route with a path parameter, and its
    undescribed models: only a body can break a rule here (a session id is any string);
    routes with a body document theirs as ValidationErrors."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        fresh = app.openapi_schema is None
        schema = build()
        if fresh:
            for item in schema.get("paths", {}).values():
                for operation in item.values():
                    if "requestBody" not in operation:
                        operation.get("responses", {}).pop("422", None)
            if FASTAPI_422 not in json.dumps(schema["paths"]):
                for name in ("HTTPValidationError", "ValidationError"):
                    schema.get("components", {}).get("schemas", {}).pop(name, None)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]

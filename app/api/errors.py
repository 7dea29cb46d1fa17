"""Errors as JSON: 422 in FastAPI's usual shape, 409 with the core's sentence."""

from __future__ import annotations

from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError

from app.api.jsonresponse import StrictJSONResponse
from app.core import ScenarioError, StepOrderError


def scenario_error_loc(error: ScenarioError) -> list[str]:
    """ "params.W_x" -> ["body", "params", "W_x"]."""
    return ["body", *error.field.split(".")]


async def on_scenario_error(request: Request, error: Exception) -> StrictJSONResponse:
    assert isinstance(error, ScenarioError)
    detail = [{"loc": scenario_error_loc(error), "msg": error.rule, "type": "scenario"}]
    return StrictJSONResponse({"detail": detail}, status.HTTP_422_UNPROCESSABLE_CONTENT)


MAX_ERRORS = 20  # a 422 lists the first few broken rules, then how many more there were


async def on_validation_error(request: Request, error: Exception) -> StrictJSONResponse:
    """FastAPI's own 422 body, but strict JSON (an offending NaN input is echoed as null),
    and short: the first MAX_ERRORS rules, then one saying how many more were broken."""
    assert isinstance(error, RequestValidationError)
    errors = error.errors()
    detail = [{**item, "loc": _field_path(item["loc"])} for item in errors[:MAX_ERRORS]]
    detail = jsonable_encoder(detail)
    if len(errors) > MAX_ERRORS:
        more = len(errors) - MAX_ERRORS
        rule = f"and {more:,} more broken rules like these: fix these first"
        detail.append({"loc": ["body"], "msg": rule, "type": "too_many_errors"})
    return StrictJSONResponse({"detail": detail}, status.HTTP_422_UNPROCESSABLE_CONTENT)


def _field_path(loc: tuple[str | int, ...]) -> list[str | int]:
    """Drop the union tags pydantic adds ("list[list[float]]"), keeping fields and indices."""
    return [part for part in loc if isinstance(part, int) or "[" not in part]


async def on_step_order_error(request: Request, error: Exception) -> StrictJSONResponse:
    return StrictJSONResponse({"detail": str(error)}, status.HTTP_409_CONFLICT)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ScenarioError, on_scenario_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StepOrderError, on_step_order_error)

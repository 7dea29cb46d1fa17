"""Stateless: POST /api/bptt (the whole run at once) and POST /api/gradcheck."""

from fastapi import APIRouter, HTTPException

from app.api.bodies import StrictBodyRoute
from app.api.deps import SettingsDep
from app.api.jsonresponse import StrictJSONResponse
from app.api.limits import check_gradcheck
from app.api.openapi import BODY, documented
from app.api.ratelimit import HEAVY
from app.api.scenarios import build_session_scenario
from app.api.schemas import BpttIn, SessionIn
from app.api.terms import parse_term_id
from app.api.wire import BpttResult, GradCheckResult
from app.api.worker import heavy
from app.core import (
    Run,
    ScenarioError,
    Term,
    TermNotFoundError,
    bptt,
    gradcheck,
    term_detail,
)

router = APIRouter(
    tags=["stateless"],
    default_response_class=StrictJSONResponse,
    route_class=StrictBodyRoute,
)


@router.post(
    "/bptt",
    summary="Forward and backward passes at once",
    **documented(BpttResult, "The finished forward and backward passes.", *BODY, 429),
    dependencies=[HEAVY],
)
async def run_bptt(body: BpttIn, settings: SettingsDep) -> StrictJSONResponse:
    """The whole forward pass and backward pass for one scenario, with nothing stored.

    Answers `loss`, `grads` (dL/dtheta), `forward` and `backward` (every step record;
    each backward record summarises the chain-rule terms it completes), `graph`,
    `diverged`, the scenario (`config`, `params`, `inputs`, `targets`, `seed`), and in
    `term_details` the terms named in `terms` ("param:k:t"), in full. See docs/json.md.
    """

    def work() -> StrictJSONResponse:
        scenario_body = SessionIn(**body.model_dump(exclude={"terms"}))
        built = build_session_scenario(scenario_body, settings)
        run = bptt(built.scenario)
        terms = enumerate(body.terms or ())
        details = [requested_term(run, index, term_id) for index, term_id in terms]
        answer = BpttResult.of(run, built.seed, settings.inline_factor_size, details)
        return StrictJSONResponse(answer)

    return await heavy(settings.heavy_jobs, work)


def requested_term(run: Run, index: int, term_id: str) -> Term:
    """The term a request named; a 422 naming terms.<index> if there is none."""
    try:
        param, k, t = parse_term_id(term_id)
        return term_detail(run, param, k, t)
    except TermNotFoundError as error:
        raise ScenarioError(f"terms.{index}", str(error)) from error
    except HTTPException as error:
        raise ScenarioError(f"terms.{index}", error.detail) from error


@router.post(
    "/gradcheck",
    summary="Analytic against central-difference gradients",
    **documented(GradCheckResult, "The two gradients of each parameter, compared.", *BODY, 429),
    dependencies=[HEAVY],
)
async def run_gradcheck(body: SessionIn, settings: SettingsDep) -> StrictJSONResponse:
    """Per parameter: the backward pass's gradient, the numeric one, their relative error.

    Answers `eps`, `tolerance`, `passed`, `max_relative_error` and `params`
    ({name: {analytic, numeric, relative_error}}). With truncation the numeric side
    is the truncated gradient too. Refused (422) past the server's forward-step limit.
    """

    def work() -> StrictJSONResponse:
        built = build_session_scenario(body, settings)
        check_gradcheck(built.scenario, settings)
        return StrictJSONResponse(GradCheckResult.of(gradcheck(built.scenario)))

    return await heavy(settings.heavy_jobs, work)

"""Stateless: POST /api/bptt (the whole run at once) and POST /api/gradcheck."""

from fastapi import APIRouter

from app.api.deps import SettingsDep
from app.api.jsonresponse import StrictJSONResponse
from app.api.limits import check_gradcheck
from app.api.openapi import BODY, documented
from app.api.responses import BpttResult, GradCheckResult
from app.api.scenarios import build_session_scenario
from app.api.schemas import SessionIn
from app.api.serialize import gradcheck_json, run_json
from app.core import bptt, build_graph, gradcheck

router = APIRouter(tags=["stateless"], default_response_class=StrictJSONResponse)


@router.post(
    "/bptt",
    summary="Forward and backward passes at once",
    **documented(BpttResult, "The finished forward and backward passes.", *BODY),
)
def run_bptt(body: SessionIn, settings: SettingsDep) -> StrictJSONResponse:
    """The whole forward pass and backward pass for one scenario, with nothing stored.

    Answers `loss`, `grads` (dL/dtheta), `forward` and `backward` (every step record;
    the chain-rule terms are inside the backward records), `graph`, `diverged`, and
    the scenario (`config`, `params`, `inputs`, `targets`, `seed`). See docs/json.md.
    """
    built = build_session_scenario(body, settings)
    run = bptt(built.scenario)
    graph = build_graph(built.scenario.config, run.T)
    state = run_json(run, graph, settings.inline_factor_size)
    grads = run.backward[-1].grads
    return StrictJSONResponse({"seed": built.seed, **state, "grads": grads})


@router.post(
    "/gradcheck",
    summary="Analytic against central-difference gradients",
    **documented(GradCheckResult, "The two gradients of each parameter, compared.", *BODY),
)
def run_gradcheck(body: SessionIn, settings: SettingsDep) -> StrictJSONResponse:
    """Per parameter: the backward pass's gradient, the numeric one, their relative error.

    Answers `eps`, `tolerance`, `passed`, `max_relative_error` and `params`
    ({name: {analytic, numeric, relative_error}}). With truncation the numeric side
    is the truncated gradient too. Refused (422) past the server's forward-step limit.
    """
    built = build_session_scenario(body, settings)
    check_gradcheck(built.scenario, settings)
    return StrictJSONResponse(gradcheck_json(gradcheck(built.scenario)))

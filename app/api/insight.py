"""Seeing why: the gradient flow and regime gauge of a session's epoch, a what-if at another
W_h scale (read-only), and the commands that scale the weights or set the truncation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status

from app.api.bodies import StrictBodyRoute
from app.api.deps import SettingsDep, TokenDep
from app.api.jsonresponse import StrictJSONResponse
from app.api.limits import check_flow, check_gradcheck
from app.api.openapi import BODY, CHANGE, STORE, documented
from app.api.ratelimit import HEAVY
from app.api.schemas import MAX_SCALE, OptimizerChoiceIn, ScaleIn, TruncationIn
from app.api.wire import SessionState
from app.api.wire.insight import GradientFlow, SessionGradCheck
from app.api.worker import SessionsDep, call, heavy
from app.core import Run, ScenarioError, bptt, gradcheck
from app.core.epochs import overflowed_epoch
from app.core.flow import gradient_flow
from app.core.optimizers import make_optimizer
from app.core.regime import regime_gauge, scale_recurrent
from app.core.truncation import dropped_sizes, truncation_gaps, untruncated
from app.settings import Settings

router = APIRouter(
    prefix="/sessions",
    tags=["insight"],
    default_response_class=StrictJSONResponse,
    route_class=StrictBodyRoute,
)


def unknown_param(run: Run, param: str) -> HTTPException:
    names = ", ".join(run.scenario.config.param_names)
    rule = f"must be a parameter of this model ({names})"
    detail = [{"loc": ["query", "param"], "msg": rule, "type": "scenario"}]
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail)


def over_budget(error: ScenarioError) -> HTTPException:
    detail = [{"loc": ["path", "session_id"], "msg": error.rule, "type": "scenario"}]
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail)


def flow_of(
    run: Run, param: str | None, scale: float | None, settings: Settings | None = None
) -> GradientFlow:
    """The session's epoch as far as stepped (scale None), or the whole epoch at a scale;
    422 past the flow's budget (settings given)."""
    name = param or run.scenario.config.param_names[1]  # W_h (a GRU's W_hz, an LSTM's W_hi)
    if name not in run.scenario.config.param_names:
        raise unknown_param(run, name)
    truncated = run.scenario.config.truncation is not None
    gaps = truncated and (scale is not None or len(run.backward) == run.T)
    if settings is not None:
        try:
            check_flow(run.scenario, (scale is not None) + gaps, settings)
        except ScenarioError as error:
            raise over_budget(error) from error
    overflowed = overflowed_epoch(run)  # its weights not finite: the epoch that overflowed
    diverged = run.last_update.diverged if overflowed else None
    run = overflowed or run
    if scale is not None:  # the epoch's starting weights, scaled
        run = bptt(scale_recurrent(run.scenario, scale)).with_changes(epoch=run.epoch)
    full = None
    if gaps:
        full = bptt(untruncated(run.scenario))  # the full gradient, for the gaps
    dropped, gaps = dropped_sizes(run, name), truncation_gaps(run, full)
    flow, gauge = gradient_flow(run, name), regime_gauge(run)
    return GradientFlow.of(run, flow, gauge, scale, dropped, gaps, diverged or run.diverged)


@router.get(
    "/{session_id}/flow",
    summary="Gradient flow over time and the regime gauge",
    **documented(GradientFlow, "The flow, the term sizes and the gauge.", 404, *STORE),
)
async def read_flow(
    session_id: str,
    sessions: SessionsDep,
    settings: SettingsDep,
    param: Annotated[str | None, Query(description="Whose term sizes (default W_h).")] = None,
    scale: Annotated[
        float | None,
        Query(
            ge=0,
            le=MAX_SCALE,
            description="A what-if: the recurrent weights times this "
            "(0..3), the whole epoch computed; nothing changes. Absent: the session's steps.",
        ),
    ] = None,
) -> StrictJSONResponse:
    """|dL/dh_t| for each backward step taken, the k x t sizes of `param`'s terms (a 1 x T
    strip for many-to-one), and the gauge: |prod ds_j/ds_(j-1)| against k - t from the last
    loss step, sigma_max and the spectral radius, gamma, the measured rate and the regime."""

    def build() -> GradientFlow:
        return flow_of(sessions.read(session_id).run, param, scale, settings)

    return StrictJSONResponse(await heavy(settings.heavy_jobs, build))  # a what-if: an epoch


@router.get(
    "/{session_id}/gradcheck",
    summary="The session's gradient against central differences",
    **documented(SessionGradCheck, "Per parameter: worst entry, every entry.", 404, *STORE, 429),
    dependencies=[HEAVY],
)
async def check_gradient(
    session_id: str, sessions: SessionsDep, settings: SettingsDep
) -> StrictJSONResponse:
    """The analytic gradient (before any clipping) of this epoch's weights against central
    differences, per parameter and per entry; 422 past the server's forward-step limit."""

    def build() -> SessionGradCheck:
        run = sessions.read(session_id).run
        try:
            check_gradcheck(run.scenario, settings)
        except ScenarioError as error:
            raise over_budget(error) from error
        return SessionGradCheck.of(run, gradcheck(run.scenario))

    return StrictJSONResponse(await heavy(settings.heavy_jobs, build))


@router.post(
    "/{session_id}/scale",
    summary="Scale the recurrent weights",
    **documented(SessionState, "The state, back at the start of the epoch.", *CHANGE, *BODY),
)
async def scale_weights(
    session_id: str, body: ScaleIn, token: TokenDep, sessions: SessionsDep, settings: SettingsDep
) -> StrictJSONResponse:
    """Multiply W_h (a GRU's or LSTM's W_h*) by `factor`; the epoch starts again from them."""

    def act() -> SessionState:
        return SessionState.of(sessions.scale(session_id, token, body.factor), settings)

    return StrictJSONResponse(await call(sessions, act))


@router.post(
    "/{session_id}/truncation",
    summary="Set the truncation window and replay the epoch",
    **documented(SessionState, "The state, the epoch's steps replayed.", *CHANGE, *BODY),
)
async def set_truncation(
    session_id: str,
    body: TruncationIn,
    token: TokenDep,
    sessions: SessionsDep,
    settings: SettingsDep,
) -> StrictJSONResponse:
    """Set tau (null: full BPTT) and replay the steps taken this epoch with it."""

    def act() -> SessionState:
        outcome = sessions.truncate(session_id, token, body.truncation)
        return SessionState.of(outcome, settings)

    return StrictJSONResponse(await call(sessions, act))


@router.post(
    "/{session_id}/optimizer",
    summary="Choose another optimiser",
    **documented(SessionState, "The state, the epoch's steps replayed.", *CHANGE, *BODY),
)
async def choose_optimizer(
    session_id: str,
    body: OptimizerChoiceIn,
    token: TokenDep,
    sessions: SessionsDep,
    settings: SettingsDep,
) -> StrictJSONResponse:
    """Train with `optimizer` from the next update on; its state (moments, n) starts afresh."""
    optimizer = make_optimizer(body.optimizer.model_dump(exclude_none=True))

    def act() -> SessionState:
        return SessionState.of(sessions.choose_optimizer(session_id, token, optimizer), settings)

    return StrictJSONResponse(await call(sessions, act))

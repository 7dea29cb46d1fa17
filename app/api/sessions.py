"""Sessions: a run stepped one call at a time. Each route parses, calls a command of
app/sessions and serialises what it computed.

The id only reads a session; the token, returned once at creation, changes it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query, Request, Response, status

from app.api.bodies import StrictBodyRoute
from app.api.deps import BEARER, SettingsDep, StepTokenDep, TokenDep
from app.api.jsonresponse import StrictJSONResponse
from app.api.limits import check_train
from app.api.openapi import BODY, CHANGE, ERRORS, STORE, documented
from app.api.ratelimit import HEAVY, CreateLimitDep
from app.api.scenarios import build_session_scenario
from app.api.schemas import ResetIn, SessionIn, TrainIn
from app.api.terms import first_term as first_term_of
from app.api.wire import (
    BackwardStep,
    ForwardStep,
    SessionCreated,
    SessionState,
    TrainResult,
    UpdateStep,
    step_answer,
)
from app.api.worker import SessionsDep, call, heavy
from app.sessions import (
    RecordUnreadableError,
    SessionBusyError,
    SessionNotFoundError,
    StoreUnavailableError,
    WrongTokenError,
)
from app.sessions.commands import Outcome
from app.settings import Settings

router = APIRouter(
    prefix="/sessions",
    tags=["sessions"],
    default_response_class=StrictJSONResponse,
    route_class=StrictBodyRoute,
)


# The steps come first: the router tries routes in order, and these are the hot path.

FirstTermQuery = Annotated[
    bool, Query(description="Also answer the step's first term in full (`first_term`).")
]


def step_response(
    outcome: Outcome, settings: Settings, with_first_term: bool
) -> StrictJSONResponse:
    """A step's answer (a taken step's or a preview's); with_first_term: a backward step's
    answer carries its first term in full."""
    first = first_term_of(outcome.run, outcome.step, settings) if with_first_term else False
    return StrictJSONResponse(step_answer(outcome, settings, first))


async def take_step(
    request: Request, session_id: str, token: str, command: str, with_first_term: bool = False
) -> StrictJSONResponse:
    """The hot path: the app's sessions and settings read directly (no dependency to solve);
    with_first_term: a backward step's answer carries its first term in full."""
    sessions, settings = request.app.state.sessions, request.app.state.settings

    def act() -> StrictJSONResponse:
        outcome = sessions.step(session_id, token, command)
        return step_response(outcome, settings, with_first_term)

    return await call(sessions, act, light=session_id)


@router.post(
    "/{session_id}/forward",
    summary="One forward time step",
    **documented(ForwardStep, "The forward record, and `session`.", *CHANGE, openapi_extra=BEARER),
)
async def step_forward(
    session_id: str, token: StepTokenDep, request: Request
) -> StrictJSONResponse:
    """Forward step t: h_t and, at a loss step, yhat_t and l_t. 409 if not in the forward pass."""
    return await take_step(request, session_id, token, "forward")


@router.post(
    "/{session_id}/backward",
    summary="One backward time step",
    **documented(
        BackwardStep, "The backward record, and `session`.", *CHANGE, openapi_extra=BEARER
    ),
)
async def step_backward(
    session_id: str,
    token: StepTokenDep,
    request: Request,
    first_term: FirstTermQuery = False,
) -> StrictJSONResponse:
    """Backward step t (counting down): dL/dh_t, delta_t, the gradients so far and the
    chain-rule terms this step completes (with ?first_term=true the first of them in full,
    as GET .../terms/{id} gives it). 409 unless the forward pass is complete."""
    return await take_step(request, session_id, token, "backward", first_term)


@router.get(
    "/{session_id}/forward/preview",
    summary="The next forward step, computed and not taken",
    **documented(ForwardStep, "What POST .../forward would answer now.", 404, 409, *STORE),
)
async def preview_forward(session_id: str, request: Request) -> StrictJSONResponse:
    """The answer POST .../forward would give if sent now, computed on a copy: the session,
    its events and its followers see no change (as GET .../backward/preview). 409 unless the
    session is in its forward pass."""
    sessions, settings = request.app.state.sessions, request.app.state.settings

    def act() -> StrictJSONResponse:
        return step_response(sessions.preview(session_id, "forward"), settings, False)

    return await call(sessions, act, light=session_id)


@router.get(
    "/{session_id}/backward/preview",
    summary="The next backward step, computed and not taken",
    **documented(BackwardStep, "What POST .../backward would answer now.", 404, 409, *STORE),
)
async def preview_backward(
    session_id: str,
    request: Request,
    first_term: FirstTermQuery = False,
) -> StrictJSONResponse:
    """The answer POST .../backward (with the same first_term) would give if sent now,
    computed on a copy: the session, its events and its followers see no change. A page
    prepares the next step's view from it ahead of the press; another client's change in
    between makes the POST's answer differ. 409 unless the forward pass is complete."""
    sessions, settings = request.app.state.sessions, request.app.state.settings

    def act() -> StrictJSONResponse:
        outcome = sessions.preview(session_id, "backward")
        return step_response(outcome, settings, first_term)

    return await call(sessions, act, light=session_id)


@router.post(
    "/{session_id}/update",
    summary="The weight update",
    **documented(UpdateStep, "The update record, and `session`.", *CHANGE, openapi_extra=BEARER),
)
async def apply_update(
    session_id: str, token: StepTokenDep, request: Request
) -> StrictJSONResponse:
    """theta <- theta - eta dL/dtheta: old and new parameters, gradients used, losses
    before and after. The next epoch then starts. 409 unless the backward pass is done."""
    return await take_step(request, session_id, token, "update")


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create a session",
    **documented(SessionCreated, "The new session, with its token.", *BODY, 429, 503, status=201),
)
async def create_session(
    body: SessionIn, client: CreateLimitDep, sessions: SessionsDep, settings: SettingsDep
) -> StrictJSONResponse:
    """A new run at epoch 1, t = 1. Answers the state plus `token`, shown only this once:
    send it as `Authorization: Bearer <token>` to step, update, reset, train or delete."""

    def create() -> StrictJSONResponse:
        built = build_session_scenario(body, settings)
        outcome = sessions.create(built.scenario, built.seed, built.preset, owner=client)
        return StrictJSONResponse(SessionCreated.of(outcome, settings), status.HTTP_201_CREATED)

    return await call(sessions, create)


@router.get(
    "/{session_id}",
    summary="The session's whole state",
    **documented(SessionState, "The state; never the token.", 404, *STORE),
)
async def read_session(
    session_id: str, sessions: SessionsDep, settings: SettingsDep
) -> StrictJSONResponse:
    """Config, params, phase, t, epoch, status, loss history and every record this epoch."""
    return await call(
        sessions, lambda: StrictJSONResponse(SessionState.of(sessions.read(session_id), settings))
    )


@router.post(
    "/{session_id}/reset",
    summary="Back to the start of the epoch, or of the session",
    **documented(SessionState, "The state after the reset.", *CHANGE, *BODY),
)
async def reset_session(
    session_id: str,
    token: TokenDep,
    sessions: SessionsDep,
    settings: SettingsDep,
    body: ResetIn | None = None,
) -> StrictJSONResponse:
    """No body or {"to": "epoch"}: the start of the current epoch, same parameters, the
    loss history and last update kept. {"to": "start"}: the session as it was created."""
    to = body.to if body else "epoch"

    def act() -> StrictJSONResponse:
        return StrictJSONResponse(SessionState.of(sessions.reset(session_id, token, to), settings))

    return await call(sessions, act)


@router.post(
    "/{session_id}/train",
    summary="Whole epochs at once",
    **documented(TrainResult, "The state after training, and `losses`.", *CHANGE, *BODY, 429),
    dependencies=[HEAVY],
)
async def train_session(
    session_id: str, body: TrainIn, token: TokenDep, sessions: SessionsDep, settings: SettingsDep
) -> StrictJSONResponse:
    """Finish the current epoch, then run until `epochs` updates are done.

    Answers `losses` (L before each update) and the new state; `diverged` is the first
    step, in any of these epochs, whose numbers stopped being finite (with its `epoch`).
    """

    def act() -> StrictJSONResponse:
        def check(scenario: Any) -> None:
            check_train(scenario, body.epochs, settings)

        trained = sessions.train(session_id, token, body.epochs, check)
        return StrictJSONResponse(TrainResult.of(trained, settings))

    return await heavy(settings.heavy_jobs, act)


@router.delete(
    "/{session_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete the session",
    response_description="Deleted; no body.",
    responses={code: ERRORS[code] for code in CHANGE},
)
async def delete_session(session_id: str, token: TokenDep, sessions: SessionsDep) -> Response:
    await call(sessions, lambda: sessions.delete(session_id, token))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# ---- what the session floor's refusals answer ---------------------------------------------

REFUSALS: tuple[tuple[type[Exception], int, str | None], ...] = (
    (SessionNotFoundError, status.HTTP_404_NOT_FOUND, None),
    (WrongTokenError, status.HTTP_403_FORBIDDEN, None),
    (
        SessionBusyError,
        status.HTTP_409_CONFLICT,
        "another request changed this session at the same moment: nothing was done; "
        "send the request again to take the next step",
    ),
    (
        RecordUnreadableError,
        status.HTTP_410_GONE,
        "this session cannot be read any more (its stored record is damaged or from an "
        "incompatible version of the server): start a new session",
    ),
    (
        StoreUnavailableError,
        status.HTTP_503_SERVICE_UNAVAILABLE,
        "the session store (Redis) is not answering: nothing was changed; try again in a "
        "moment, and if it persists tell whoever runs the server",
    ),
)


def install_session_errors(app: FastAPI) -> None:
    """Each refusal of app/sessions as a status and a sentence (strict JSON)."""
    for kind, code, sentence in REFUSALS:

        async def answer(
            request: Request, error: Exception, code: int = code, sentence: str | None = sentence
        ) -> StrictJSONResponse:
            return StrictJSONResponse({"detail": sentence or str(error)}, code)

        app.add_exception_handler(kind, answer)

"""Sessions: a run stepped one call at a time.

The id only reads a session; the token, returned once at creation, changes it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Response, status

from app.api.deps import (
    NoBody,
    SessionDep,
    SettingsDep,
    StoreDep,
    TokenDep,
    authorize,
    change_session,
    not_found,
)
from app.api.jsonresponse import StrictJSONResponse
from app.api.limits import check_train
from app.api.openapi import BODY, CHANGE, ERRORS, documented
from app.api.responses import (
    BackwardStep,
    ForwardStep,
    SessionCreated,
    SessionState,
    TrainResult,
    UpdateStep,
)
from app.api.scenarios import build_session_scenario
from app.api.schemas import ResetIn, SessionIn, TrainIn
from app.api.serialize import (
    backward_json,
    divergence_json,
    forward_json,
    run_json,
    summary_json,
    update_json,
)
from app.api.store import Session
from app.core import (
    Run,
    backward_step,
    build_graph,
    forward_step,
    reset,
    start,
    train,
    update,
)
from app.settings import Settings

router = APIRouter(prefix="/sessions", tags=["sessions"], default_response_class=StrictJSONResponse)
Action = Callable[[Session], tuple[Session, Any]]


def state_json(session: Session, settings: Settings) -> dict[str, Any]:
    """The session's whole state (docs/json.md, "Session state")."""
    run = session.run
    graph = build_graph(run.scenario.config, run.T)
    state = run_json(run, graph, settings.inline_factor_size)
    return {"id": session.id, "seed": session.seed, "preset": session.preset, **state}


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create a session",
    **documented(SessionCreated, "The new session, with its token.", *BODY, status=201),
)
def create_session(body: SessionIn, store: StoreDep, settings: SettingsDep) -> StrictJSONResponse:
    """A new run at epoch 1, t = 1. Answers the state plus `token`, shown only this once:
    send it as `Authorization: Bearer <token>` to step, update, reset, train or delete."""
    built = build_session_scenario(body, settings)
    run = start(built.scenario)
    session = Session(
        id=secrets.token_urlsafe(16),
        token=secrets.token_urlsafe(32),
        run=run,
        seed=built.seed,
        preset=built.preset,
        first=run,
    )
    store.add(session)
    content = {**state_json(session, settings), "token": session.token}
    return StrictJSONResponse(content, status.HTTP_201_CREATED)


@router.get(
    "/{session_id}",
    summary="The session's whole state",
    **documented(SessionState, "The state; never the token.", 404),
)
def read_session(session: SessionDep, settings: SettingsDep) -> StrictJSONResponse:
    """Config, params, phase, t, epoch, status, loss history and every record this epoch."""
    return StrictJSONResponse(state_json(session, settings))


def stepping(take_step: Callable[[Run], tuple[Run, Any]], to_json: Callable[[Any], Any]) -> Action:
    """A step's answer: its record, and as `session` where the session stands after it."""

    def action(session: Session) -> tuple[Session, Any]:
        run, record = take_step(session.run)
        return replace(session, run=run), {**to_json(record), "session": summary_json(run)}

    return action


@router.post(
    "/{session_id}/forward",
    summary="One forward time step",
    **documented(
        ForwardStep, "The forward record, and `session`.", *CHANGE, 409, dependencies=[NoBody]
    ),
)
def step_forward(session_id: str, token: TokenDep, store: StoreDep) -> StrictJSONResponse:
    """Forward step t: h_t and, at a loss step, yhat_t and l_t. 409 if not in the forward pass."""
    return StrictJSONResponse(
        change_session(store, session_id, token, stepping(forward_step, forward_json))
    )


@router.post(
    "/{session_id}/backward",
    summary="One backward time step",
    **documented(
        BackwardStep, "The backward record, and `session`.", *CHANGE, 409, dependencies=[NoBody]
    ),
)
def step_backward(
    session_id: str, token: TokenDep, store: StoreDep, settings: SettingsDep
) -> StrictJSONResponse:
    """Backward step t (counting down): dL/dh_t, delta_t, the gradients so far and the
    chain-rule terms this step completes. 409 unless the forward pass is complete."""

    def to_json(record: Any) -> Any:
        return backward_json(record, settings.inline_factor_size)

    return StrictJSONResponse(
        change_session(store, session_id, token, stepping(backward_step, to_json))
    )


@router.post(
    "/{session_id}/update",
    summary="The weight update",
    **documented(
        UpdateStep, "The update record, and `session`.", *CHANGE, 409, dependencies=[NoBody]
    ),
)
def apply_update(session_id: str, token: TokenDep, store: StoreDep) -> StrictJSONResponse:
    """theta <- theta - eta dL/dtheta: old and new parameters, gradients used, losses
    before and after. The next epoch then starts. 409 unless the backward pass is done."""
    return StrictJSONResponse(
        change_session(store, session_id, token, stepping(update, update_json))
    )


@router.post(
    "/{session_id}/reset",
    summary="Back to the start of the epoch, or of the session",
    **documented(SessionState, "The state after the reset.", *CHANGE, *BODY),
)
def reset_session(
    session_id: str,
    token: TokenDep,
    store: StoreDep,
    settings: SettingsDep,
    body: ResetIn | None = None,
) -> StrictJSONResponse:
    """No body or {"to": "epoch"}: the start of the current epoch, same parameters, the
    loss history and last update kept. {"to": "start"}: the session as it was created."""
    to = body.to if body else "epoch"

    def action(session: Session) -> tuple[Session, Any]:
        fresh = session.first if to == "start" and session.first else reset(session.run)
        changed = replace(session, run=fresh)
        return changed, state_json(changed, settings)

    return StrictJSONResponse(change_session(store, session_id, token, action))


@router.post(
    "/{session_id}/train",
    summary="Whole epochs at once",
    **documented(TrainResult, "The state after training, and `losses`.", *CHANGE, *BODY),
)
def train_session(
    session_id: str, body: TrainIn, token: TokenDep, store: StoreDep, settings: SettingsDep
) -> StrictJSONResponse:
    """Finish the current epoch, then run until `epochs` updates are done.

    Answers `losses` (L before each update) and the new state; `diverged` is the first
    step, in any of these epochs, whose numbers stopped being finite (with its `epoch`).
    """

    def action(session: Session) -> tuple[Session, Any]:
        check_train(session.run.scenario, body.epochs, settings)
        run, losses, first = train(session.run, body.epochs)
        changed = replace(session, run=run)
        state = state_json(changed, settings)
        diverged = {"epoch": first[0], **divergence_json(first[1])} if first else None
        return changed, {**state, "losses": losses, "diverged": diverged or state["diverged"]}

    return StrictJSONResponse(change_session(store, session_id, token, action))


@router.delete(
    "/{session_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete the session",
    response_description="Deleted; no body.",
    responses={code: ERRORS[code] for code in CHANGE},
)
def delete_session(session_id: str, token: TokenDep, store: StoreDep) -> Response:
    with store.locked(session_id) as session:
        if session is None:
            raise not_found(session_id)
        authorize(session, token)
        store.delete(session_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)

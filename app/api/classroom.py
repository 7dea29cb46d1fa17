"""A classroom: a join code for a session, the owner's view for its followers, and a
follower's own copy ("explore from here"). Each route parses, calls app/sessions, answers.

The code and the view's publishing need the token; reading them and copying the session
need only the read-only id (or the code), as following it does.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status

from app.api.bodies import StrictBodyRoute
from app.api.deps import SettingsDep, TokenDep
from app.api.jsonresponse import StrictJSONResponse
from app.api.openapi import BODY, CHANGE, STORE, documented
from app.api.ratelimit import CreateLimitDep
from app.api.schemas import ExploreIn, ViewIn
from app.api.wire import ClassView, JoinCode, SessionCreated
from app.api.worker import SessionsDep, call
from app.core import ScenarioError
from app.sessions.classroom import explore, join_code, loaded, show_view
from app.sessions.codes import CODE_RULE, VIEW_RULE, Classroom, is_view, normal_code

router = APIRouter(
    tags=["classroom"], default_response_class=StrictJSONResponse, route_class=StrictBodyRoute
)


def classroom_of(request: Request) -> Classroom:
    return request.app.state.classroom


@router.post(
    "/sessions/{session_id}/code",
    summary="The session's join code",
    **documented(JoinCode, "The code (the same one on every call).", *CHANGE),
)
async def make_code(
    session_id: str, token: TokenDep, sessions: SessionsDep, request: Request
) -> StrictJSONResponse:
    """A six-character code a room can type (or the link /follow/CODE) to follow this
    session read-only. Made on the first call, the same afterwards; lives as the session."""
    classroom = classroom_of(request)
    code = await call(sessions, lambda: join_code(sessions, classroom, session_id, token))
    answer = {"code": code, "path": f"/follow/{code}", "session": session_id}
    return StrictJSONResponse(JoinCode.make(answer))


@router.put(
    "/sessions/{session_id}/view",
    summary="Show the followers a view",
    **documented(ClassView, "The view, now the followers'.", *CHANGE, *BODY),
)
async def publish_view(
    session_id: str, body: ViewIn, token: TokenDep, sessions: SessionsDep, request: Request
) -> StrictJSONResponse:
    """The owner's page names the step or term it shows; followers get a `view` event and
    a late joiner starts there. Changes nothing of the session (no revision, no log)."""
    if not is_view(body.view):
        raise ScenarioError("view", VIEW_RULE)
    classroom = classroom_of(request)
    await call(sessions, lambda: show_view(sessions, classroom, session_id, token, body.view))
    return StrictJSONResponse(ClassView.make({"session": session_id, "view": body.view}))


@router.get(
    "/sessions/{session_id}/view",
    summary="The view the owner shows",
    **documented(ClassView, "The owner's view (null if none published).", 404, *STORE),
)
async def read_view(session_id: str, sessions: SessionsDep, request: Request) -> StrictJSONResponse:
    """Where a follower goes when it (re)connects."""
    classroom = classroom_of(request)

    def read() -> ClassView:
        loaded(sessions, session_id)
        return ClassView.make({"session": session_id, "view": classroom.view_of(session_id)})

    return StrictJSONResponse(await call(sessions, read))


@router.get(
    "/codes/{code:path}",
    summary="The session a join code opens",
    **documented(ClassView, "The session's id and its owner's view.", 404, *STORE),
)
async def open_code(code: str, sessions: SessionsDep, request: Request) -> StrictJSONResponse:
    """Case, spaces and dashes do not matter. 404 when no live session has the code."""
    classroom = classroom_of(request)

    def read() -> ClassView:
        normal = normal_code(code)
        if normal is None:
            raise HTTPException(
                status.HTTP_404_NOT_FOUND, f"no class has this code: a code {CODE_RULE}"
            )
        session_id = classroom.session_for(normal)
        if session_id is None or sessions.store.load(session_id) is None:
            sentence = f"no class has the code {normal} (now): check it, or ask for a new one"
            raise HTTPException(status.HTTP_404_NOT_FOUND, sentence)
        return ClassView.make({"session": session_id, "view": classroom.view_of(session_id)})

    return StrictJSONResponse(await call(sessions, read))


@router.post(
    "/sessions/{session_id}/explore",
    status_code=status.HTTP_201_CREATED,
    summary="Explore from here: your own copy",
    **documented(SessionCreated, "The copy, with its token.", 404, *STORE, *BODY, 429, status=201),
)
async def explore_session(
    session_id: str,
    body: ExploreIn,
    client: CreateLimitDep,
    sessions: SessionsDep,
    settings: SettingsDep,
) -> StrictJSONResponse:
    """A new session (its own id and token) with this one's scenario, epoch, and weights at
    the start of the epoch, `steps` steps in. Needs only the id: this session is unchanged."""

    def copy() -> SessionCreated:
        return SessionCreated.of(explore(sessions, session_id, body.steps, owner=client), settings)

    return StrictJSONResponse(await call(sessions, copy), status.HTTP_201_CREATED)

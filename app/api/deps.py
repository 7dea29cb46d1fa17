"""Dependencies: the settings, the session store, the bearer token and a session by id."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import Depends, HTTPException, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.api.store import Session, SessionStore
from app.settings import Settings

Result = TypeVar("Result")
bearer = HTTPBearer(
    auto_error=False,
    description="The token returned once by POST /api/sessions; it is the key to change "
    "the session. The session id alone only reads it.",
)


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_store(request: Request) -> SessionStore:
    return request.app.state.store


def get_token(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> str:
    """The bearer token; 401 (with WWW-Authenticate: Bearer) when there is none."""
    if credentials is None or not credentials.credentials:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "this call changes the session: send its token as 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return credentials.credentials


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[SessionStore, Depends(get_store)]
TokenDep = Annotated[str, Depends(get_token)]


async def refuse_body(request: Request) -> None:
    """A step takes no body; one sent anyway is a mistake worth naming, not ignoring."""
    if (await request.body()).strip() not in (b"", b"{}"):
        rule = "this step takes no body: send none (or {})"
        raise RequestValidationError([{"loc": ("body",), "msg": rule, "type": "no_body"}])


NoBody = Depends(refuse_body)


def not_found(session_id: str) -> HTTPException:
    return HTTPException(
        status.HTTP_404_NOT_FOUND, f"no session {session_id!r}: it never existed or has expired"
    )


def get_session(session_id: str, store: StoreDep) -> Session:
    session = store.get(session_id)
    if session is None:
        raise not_found(session_id)
    return session


SessionDep = Annotated[Session, Depends(get_session)]


def authorize(session: Session, token: str) -> None:
    if not secrets.compare_digest(token.encode(), session.token.encode()):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this token does not open this session")


def change_session(
    store: SessionStore,
    session_id: str,
    token: str,
    action: Callable[[Session], tuple[Session, Result]],
) -> Result:
    """Lock, check the token, act, store: a rejected call leaves the session as it was."""
    with store.locked(session_id) as session:
        if session is None:
            raise not_found(session_id)
        authorize(session, token)
        changed, result = action(session)
        store.put(changed)
    return result

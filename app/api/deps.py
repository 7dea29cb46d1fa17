"""Dependencies: the settings, the bearer token, and no body where a step takes none."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.settings import Settings

bearer = HTTPBearer(
    auto_error=False,
    description="The token returned once by POST /api/sessions; it is the key to change "
    "the session. The session id alone only reads it.",
)


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def no_token() -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        "this call changes the session: send its token as 'Authorization: Bearer <token>'",
        headers={"WWW-Authenticate": "Bearer"},
    )


async def get_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> str:
    """The bearer token; 401 (with WWW-Authenticate: Bearer) when there is none."""
    if credentials is None or not credentials.credentials:
        raise no_token()
    return credentials.credentials


async def refuse_body(request: Request) -> None:
    """A step takes no body; one sent anyway is a mistake worth naming, not ignoring."""
    if (await request.body()).strip() not in (b"", b"{}"):
        rule = "this step takes no body: send none (or {})"
        raise RequestValidationError([{"loc": ("body",), "msg": rule, "type": "no_body"}])


async def step_token(request: Request) -> str:
    """A step's one dependency (the hot path): no body, then the bearer token (as get_token)."""
    await refuse_body(request)
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        raise no_token()
    return credentials.strip()


SettingsDep = Annotated[Settings, Depends(get_settings)]
TokenDep = Annotated[str, Depends(get_token)]
StepTokenDep = Annotated[str, Depends(step_token)]
BEARER = {"security": [{"HTTPBearer": []}]}  # what TokenDep documents, for StepTokenDep

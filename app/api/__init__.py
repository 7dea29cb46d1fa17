"""The JSON API under /api: validates, calls app.core, serialises (docs/design.md section 2)."""

from fastapi import APIRouter, FastAPI

from app.api import compute, docs, health, presets, sessions, terms
from app.api.errors import install_error_handlers
from app.api.guard import RequestGuard
from app.api.openapi import install_openapi
from app.api.store import MemoryStore, SessionStore
from app.settings import Settings

api_router = APIRouter(prefix="/api")
for module in (health, presets, compute, sessions, terms):
    api_router.include_router(module.router)


def install_api(app: FastAPI, settings: Settings, store: SessionStore | None = None) -> None:
    """Add the API, its error handlers, /docs, and the settings and store it uses."""
    app.state.settings = settings
    if store is None:
        store = MemoryStore(settings.max_sessions, settings.session_ttl_seconds)
    app.state.store = store
    install_error_handlers(app)
    app.add_middleware(RequestGuard, max_body_bytes=settings.max_body_bytes)
    app.include_router(api_router)
    app.include_router(docs.router)
    install_openapi(app)

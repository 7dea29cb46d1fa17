"""The JSON API under /api: validates, calls app.core, serialises (docs/design.md section 2)."""

from fastapi import APIRouter, FastAPI

from app.api import (
    classroom,
    compute,
    docs,
    events,
    health,
    insight,
    jobs,
    links,
    presets,
    sessions,
    terms,
)
from app.api.bodies import install_body_errors
from app.api.errors import install_error_handlers
from app.api.guard import RequestGuard
from app.api.openapi import install_openapi
from app.api.ratelimit import RateLimits
from app.api.sessions import install_session_errors
from app.api.worker import tune_gc
from app.sessions import MemoryStore, RunCache, Sessions, SessionStore
from app.sessions.codes import make_classroom
from app.sessions.jobs import Jobs
from app.sessions.saved import make_saved
from app.settings import Settings

api_router = APIRouter(prefix="/api")
for module in (
    sessions,
    events,
    terms,
    insight,
    jobs,
    health,
    presets,
    compute,
    classroom,
    links,
):  # the hot path first
    api_router.include_router(module.router)


def install_api(app: FastAPI, settings: Settings, store: SessionStore | None = None) -> None:
    """Add the API, its error handlers, /docs, and the settings and store it uses."""
    app.state.settings = settings
    if store is None:
        store = make_store(settings)
    app.state.store = store
    app.state.rate_limits = RateLimits.from_settings(settings)
    app.state.classroom = make_classroom(store)  # join codes and owners' views
    app.state.saved = make_saved(store, settings.saved_dir)  # scenarios too large for a link
    app.state.sessions = Sessions(
        store, RunCache(settings.run_cache_size, settings.run_cache_bytes)
    )
    app.state.jobs = Jobs(app.state.sessions, settings.max_jobs)
    tune_gc()
    install_error_handlers(app)
    install_session_errors(app)
    install_body_errors(app)
    app.add_middleware(
        RequestGuard,
        max_body_bytes=settings.max_body_bytes,
        body_timeout_seconds=settings.body_timeout_seconds,
    )
    app.include_router(api_router)
    app.include_router(docs.router)
    install_openapi(app)


def make_store(settings: Settings) -> SessionStore:
    """Redis when BPTT_REDIS_URL is set, else this process's memory."""
    if settings.redis_url:
        from app.sessions.redis import RedisStore

        return RedisStore.from_settings(settings)
    return MemoryStore(
        settings.max_sessions,
        settings.session_ttl_seconds,
        event_log_size=settings.event_log_size,
        max_per_client=settings.max_sessions_per_client,
    )

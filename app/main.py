"""The app: the JSON API under /api, the explorer page at /, static files at /static."""

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app.api import install_api
from app.api.headers import SecurityHeaders
from app.api.methods import AllowedMethods
from app.sessions import SessionStore
from app.settings import Settings
from app.web.pages import ROOT
from app.web.pages import router as pages_router


def create_app(settings: Settings | None = None, store: SessionStore | None = None) -> FastAPI:
    """The whole app; tests pass their own settings (limits) and store (e.g. with a clock)."""
    app = FastAPI(title="BPTT Explorer", docs_url=None, redoc_url=None)
    install_api(app, settings or Settings(), store)
    app.include_router(pages_router)
    app.mount("/static", StaticFiles(directory=ROOT / "static"), name="static")
    app.add_middleware(AllowedMethods, router=app.router)
    app.add_middleware(SecurityHeaders)  # outermost: on every answer, refusals included
    return app


app = create_app()

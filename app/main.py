"""The app: the JSON API under /api, the explorer page at /, static files at /static."""

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app.web.pages import ROOT
from app.web.pages import router as pages_router

app = FastAPI(title="BPTT Explorer", docs_url=None, redoc_url=None)
app.include_router(pages_router)
app.mount("/static", StaticFiles(directory=ROOT / "static"), name="static")

"""The explorer page at / (and /?preset=ID), and at /follow/CODE for a class following."""

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from app.api.wire import choices_json

ROOT = Path(__file__).resolve().parents[2]
templates = Jinja2Templates(directory=ROOT / "templates")
router = APIRouter(include_in_schema=False)


@router.api_route("/", methods=["GET", "HEAD"], response_class=HTMLResponse)
def explorer(request: Request, preset: str = "seed-3-step") -> HTMLResponse:
    context = {"preset": preset, "choices": choices_json()}
    return templates.TemplateResponse(request, "explorer.html", context)


@router.get("/follow/{code:path}", response_class=HTMLResponse)
def follow(request: Request, code: str) -> HTMLResponse:
    """The explorer following the session with join code `code` (read-only, live)."""
    context = {"preset": "seed-3-step", "choices": choices_json(), "follow": code[:40]}
    return templates.TemplateResponse(request, "explorer.html", context)


@router.get("/worksheet", response_class=HTMLResponse)
def worksheet(request: Request) -> HTMLResponse:
    """The printable worksheet of a link's epoch (its query is the explorer's link; blanks=1:
    the answers left blank)."""
    return templates.TemplateResponse(request, "worksheet.html", {})

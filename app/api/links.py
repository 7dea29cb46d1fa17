"""Links that hold the whole view: POST /api/links rebuilds one as a read-only session.

A copied link holds the scenario (or a preset's id), the weights and the optimiser's state
at the start of the view's epoch when they differ, and the view; opened anywhere, even after
the server forgot every session, the page asks for that view again and the core computes the
same numbers, bit for bit, under every optimiser (`trained`: on the path training took).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from fastapi import APIRouter, HTTPException, Request, status

from app.api.bodies import StrictBodyRoute
from app.api.deps import SettingsDep
from app.api.jsonresponse import StrictJSONResponse
from app.api.openapi import BODY, STORE, documented
from app.api.ratelimit import CreateLimitDep
from app.api.scenarios import Built, build_params, build_session_scenario
from app.api.schemas import LinkIn, SavedIn, SessionIn
from app.api.wire import SavedLink, SessionState
from app.api.worker import SessionsDep, call
from app.core import Scenario
from app.core.optimizers import OptimizerState
from app.core.optimizers.carried import carried_state
from app.sessions.classroom import View, at_view
from app.settings import Settings

router = APIRouter(
    tags=["links"], default_response_class=StrictJSONResponse, route_class=StrictBodyRoute
)
SCENARIO_FIELDS = set(SessionIn.model_fields)


@dataclass(frozen=True, eq=False)
class Linked:
    """What a link names: the scenario with the epoch's weights, and the optimiser's state."""

    scenario: Scenario
    built: Built
    optimizer_state: OptimizerState | None  # None: a fresh one


def linked_scenario(body: SavedIn, settings: Settings) -> Linked:
    """The scenario a link names, with the weights and optimiser state it gives; ScenarioError
    if it breaks a rule (the state's slots and shapes checked against optimiser and params)."""
    scenario_fields = body.model_dump(include=SCENARIO_FIELDS, exclude_none=True)
    built = build_session_scenario(SessionIn.model_validate(scenario_fields), settings)
    scenario = built.scenario
    if body.weights is not None:
        scenario = scenario.with_params(build_params(scenario.config, body.weights, built.seed))
    state = None
    if body.optimizer_state is not None:
        given = body.optimizer_state
        optimizer, params = scenario.config.optimizer, scenario.params.trained()
        state = carried_state(optimizer, params, given.n, given.slots)
    return Linked(scenario, built, state)


@router.post(
    "/links",
    status_code=status.HTTP_201_CREATED,
    summary="Rebuild a link's view",
    **documented(SessionState, "A read-only session at the view.", *STORE, *BODY, 429, status=201),
)
async def open_link(
    body: LinkIn, client: CreateLimitDep, sessions: SessionsDep, settings: SettingsDep
) -> StrictJSONResponse:
    """A new session nobody can step (no token is answered): the scenario with `weights`
    at the start of `epoch`, `steps` steps in. "Explore from here" copies it
    (POST /api/sessions/{id}/explore)."""

    def rebuild() -> SessionState:
        linked = linked_scenario(body, settings)
        view = View(body.epoch, body.steps, linked.optimizer_state, body.trained)
        built = linked.built
        outcome = at_view(sessions, linked.scenario, built.seed, built.preset, view, client)
        return SessionState.of(outcome, settings)

    return StrictJSONResponse(await call(sessions, rebuild), status.HTTP_201_CREATED)


@router.post(
    "/saved",
    status_code=status.HTTP_201_CREATED,
    summary="Save a scenario too large for an address",
    **documented(SavedLink, "Its name and short link.", 503, *BODY, status=201),
)
async def save_scenario(
    body: SavedIn, sessions: SessionsDep, settings: SettingsDep, request: Request
) -> StrictJSONResponse:
    """Checked as a session's scenario would be, then kept (the same scenario: the same
    name) for links `/?saved=NAME&view=...`."""
    saved = request.app.state.saved

    def save() -> SavedLink:
        linked_scenario(body, settings)
        name = saved.save(body.model_dump_json(exclude_none=True))
        return SavedLink.make({"name": name, "path": f"/?saved={name}"})

    return StrictJSONResponse(await call(sessions, save), status.HTTP_201_CREATED)


@router.get(
    "/saved/{name}",
    summary="A saved scenario",
    **documented(SavedIn, "The scenario as saved.", *STORE, 404),
)
async def read_saved(name: str, sessions: SessionsDep, request: Request) -> StrictJSONResponse:
    """The body POST /api/saved kept, to send to POST /api/links (or POST /api/sessions
    without `weights`)."""
    text = await call(sessions, lambda: request.app.state.saved.load(name[:64]))
    if text is None:
        sentence = f"no saved scenario {name[:64]!r}: it was never saved or has expired"
        raise HTTPException(status.HTTP_404_NOT_FOUND, sentence)
    return StrictJSONResponse(json.loads(text))

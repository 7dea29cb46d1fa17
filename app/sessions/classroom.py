"""A classroom's commands: the owner's view for the followers, and explore from here.

`show_view` (with the token) keeps the view the owner's page shows and tells the followers;
it changes no record, so it takes no revision and no logged event. `explore` (with the id
alone) makes a private copy of a session at a point of its current epoch: its own id and
token, the same scenario, weights at the start of the epoch, epoch number, loss history and
optimiser state, `steps` steps in (0 .. the steps the session has taken), replayed there
by the core. The original is only read.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace

from app.core import Scenario, ScenarioError
from app.core.optimizers import OptimizerState
from app.sessions.codes import Classroom, view_event
from app.sessions.commands import (
    Outcome,
    SessionNotFoundError,
    Sessions,
    WrongTokenError,
    new_record,
)
from app.sessions.record import Cursor, SessionRecord, hash_token


def loaded(sessions: Sessions, session_id: str) -> SessionRecord:
    record = sessions.store.load(session_id)
    if record is None:
        raise SessionNotFoundError(session_id)
    return record


def authorized(sessions: Sessions, session_id: str, token: str) -> SessionRecord:
    """The record, if `token` opens it (WrongTokenError otherwise)."""
    record = loaded(sessions, session_id)
    if not secrets.compare_digest(hash_token(token), record.token_hash):
        raise WrongTokenError()
    return record


def join_code(sessions: Sessions, classroom: Classroom, session_id: str, token: str) -> str:
    """The session's join code (the same one every time), for its owner only."""
    authorized(sessions, session_id, token)
    return classroom.code_for(session_id)


def show_view(
    sessions: Sessions, classroom: Classroom, session_id: str, token: str, view: str
) -> None:
    """Keep the owner's view and hand it to the session's followers."""
    record = authorized(sessions, session_id, token)
    classroom.set_view(session_id, view)
    sessions.store.announce(session_id, view_event(record.revision, view))


def explore(sessions: Sessions, session_id: str, steps: int, owner: str = "") -> Outcome:
    """A new session of client `owner` copying `session_id` at `steps` steps into its epoch,
    with its token."""
    record = loaded(sessions, session_id)
    if steps > record.cursor.steps:
        taken = record.cursor.steps
        raise ScenarioError("steps", f"must be from 0 to {taken} (the steps taken this epoch)")
    token = secrets.token_urlsafe(32)
    copy = replace(
        record,
        id=secrets.token_urlsafe(16),
        token_hash=hash_token(token),
        cursor=Cursor(record.cursor.epoch, steps),
        revision=0,
    )
    sessions.store.create(copy, owner)
    return Outcome(copy, sessions.cache.run_for(copy), token=token)


@dataclass(frozen=True, eq=False)
class View:
    """Where a link's view is: `steps` steps into `epoch` (2T + 1: its update taken too), the
    optimiser's state at the epoch's start (None: a fresh one), and whether its update was
    made on the training path (`trained`), so that it is made the same way again."""

    epoch: int
    steps: int
    optimizer_state: OptimizerState | None = None
    trained: bool = False


def at_view(
    sessions: Sessions,
    built: Scenario,
    seed: int,
    preset: str | None,
    view: View,
    owner: str = "",
) -> Outcome:
    """A read-only session (its token is dropped) of `built`, whose params are those at the
    start of the view's epoch, at the view: a link's view, with the original's numbers."""
    T = built.T
    if view.steps > 2 * T + 1:
        raise ScenarioError("steps", f"must be from 0 to {2 * T + 1} (2T + 1: the update)")
    if view.trained and view.steps != 2 * T + 1:
        raise ScenarioError("trained", f"is only for the view of an update (steps {2 * T + 1})")
    cursor = Cursor(view.epoch, 0 if view.trained else min(view.steps, 2 * T))
    record, token = new_record(built, seed, preset, cursor, view.optimizer_state)
    sessions.store.create(record, owner)
    if view.trained:  # the epoch on the training path, as `train` made it
        return sessions.train(record.id, token, 1, lambda scenario: None)
    if view.steps == 2 * T + 1:
        return sessions.step(record.id, token, "update")
    return Outcome(record, sessions.cache.run_for(record))

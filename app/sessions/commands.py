"""Every change of a session, as one command: lock, load, check the token, replay, act,
save with a version check, publish the event. A refused command changes nothing.

Commands hand back the core's objects (an Outcome); the routes serialise them. They are
plain functions doing blocking store calls and NumPy work, so an async route runs them
either inline (a small step whose Run this worker has cached) or in a worker thread.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from app.core import Divergence, Run, Scenario, backward_step, forward_step, reset, train, update
from app.core.optimizers import Optimizer, OptimizerState
from app.core.regime import scale_recurrent
from app.sessions.events import make_event
from app.sessions.record import Cursor, SessionRecord, hash_token
from app.sessions.replay import RunCache, advanced
from app.sessions.store import SessionBusyError, SessionStore

STEPS: dict[str, Callable[[Run], tuple[Run, Any]]] = {
    "forward": forward_step,
    "backward": backward_step,
    "update": update,
}


class SessionNotFoundError(Exception):
    def __init__(self, session_id: str) -> None:
        super().__init__(f"no session {session_id!r}: it never existed or has expired")


class WrongTokenError(Exception):
    def __init__(self) -> None:
        super().__init__("this token does not open this session")


@dataclass(frozen=True, eq=False)
class Outcome:
    """Where a command left the session, and what it computed."""

    record: SessionRecord
    run: Run
    step: Any = None  # a step's core record (ForwardRecord, BackwardRecord, UpdateRecord)
    losses: list[float] = field(default_factory=list)  # train: L before each update
    first_divergence: tuple[int, Divergence] | None = None  # train: (epoch, where)
    token: str | None = None  # create only: shown this once


def new_record(
    scenario: Scenario,
    seed: int,
    preset: str | None,
    cursor: Cursor,
    optimizer_state: OptimizerState | None = None,
) -> tuple[SessionRecord, str]:
    """A session's first record (a new id, its params the scenario's) and its token."""
    token = secrets.token_urlsafe(32)
    record = SessionRecord(
        id=secrets.token_urlsafe(16),
        token_hash=hash_token(token),
        seed=seed,
        preset=preset,
        scenario=scenario,
        first_params=scenario.params,
        previous_params=None,
        cursor=cursor,
        optimizer_state=optimizer_state,
    )
    return record, token


@dataclass(eq=False)
class Sessions:
    """The commands, on one store and this worker's cache of Runs."""

    store: SessionStore
    cache: RunCache

    def create(self, scenario: Scenario, seed: int, preset: str | None, owner: str = "") -> Outcome:
        """A new session held by client `owner` (its key; the store's caps count by it)."""
        record, token = new_record(scenario, seed, preset, Cursor(epoch=1, steps=0))
        self.store.create(record, owner)
        run = Run(scenario)
        self.cache.put(record, run)
        return Outcome(record, run, token=token)

    def read(self, session_id: str) -> Outcome:
        record = self._load(session_id)
        return Outcome(record, self.cache.run_for(record))

    def step(self, session_id: str, token: str, command: str) -> Outcome:
        """forward, backward or update: the next step of that kind (409 out of order)."""

        def act(record: SessionRecord, run: Run) -> tuple[Run, dict[str, Any]]:
            after, step_record = STEPS[command](run)
            return after, {"step": step_record}

        return self._change(session_id, token, command, act)

    def preview(self, session_id: str, command: str) -> Outcome:
        """The next step of that kind computed on the session's run as it is now, saved
        nowhere: the session, its record and its events stay as they were (409 out of order)."""
        record = self._load(session_id)
        after, step_record = STEPS[command](self.cache.run_for(record))
        return Outcome(record, after, step=step_record)

    def reset(self, session_id: str, token: str, to: str) -> Outcome:
        """to = "epoch": the start of this epoch; "start": the session as created."""
        if to == "start":

            def first(record: SessionRecord, run: Run) -> tuple[Run, dict[str, Any]]:
                return Run(run.scenario.with_params(record.first_params)), {}

            return self._change(session_id, token, "reset", first, restarted)
        return self._change(session_id, token, "reset", lambda record, run: (reset(run), {}))

    def train(
        self, session_id: str, token: str, epochs: int, check: Callable[[Scenario], None]
    ) -> Outcome:
        """Finish the epoch and go on until `epochs` updates are done; `check` may refuse."""

        def act(record: SessionRecord, run: Run) -> tuple[Run, dict[str, Any]]:
            check(run.scenario)
            after, losses, first = train(run, epochs)
            return after, {"losses": losses, "first_divergence": first}

        return self._change(session_id, token, "train", act)

    def scale(self, session_id: str, token: str, factor: float) -> Outcome:
        """Multiply the recurrent weights (W_h, or a gated cell's W_h*) by `factor`: the
        current epoch starts again from the scaled weights (loss history, optimiser kept)."""

        def act(record: SessionRecord, run: Run) -> tuple[Run, dict[str, Any]]:
            return reset(run).with_changes(scenario=scale_recurrent(run.scenario, factor)), {}

        return self._change(session_id, token, "scale", act, restarted_epoch)

    def truncate(self, session_id: str, token: str, truncation: int | None) -> Outcome:
        """Set truncated BPTT's window tau (None: full) and replay the steps taken this epoch
        with it. The previous update was made with the old window, so it is no longer shown."""
        return self._reconfigure(session_id, token, "truncate", truncation=truncation)

    def choose_optimizer(self, session_id: str, token: str, optimizer: Optimizer) -> Outcome:
        """Train with another optimiser from now on: its state starts afresh (n = 0, no
        moments), the steps taken this epoch are replayed; the previous update is not shown."""
        return self._reconfigure(session_id, token, "optimizer", optimizer=optimizer, fresh=True)

    def _reconfigure(
        self, session_id: str, token: str, command: str, fresh: bool = False, **changes: Any
    ) -> Outcome:
        """The config with `changes`, the epoch's steps replayed (fresh: a new optimiser state)."""

        def act(record: SessionRecord, run: Run) -> tuple[Run, dict[str, Any]]:
            old = run.scenario
            config = replace(old.config, **changes)
            after = Run(
                Scenario(config, old.params, old.inputs, old.targets),
                epoch=run.epoch,
                loss_history=run.loss_history,
                optimizer_state=None if fresh else run.optimizer_state,
            )
            for _ in range(len(run.forward) + len(run.backward)):
                after, _ = STEPS[after.phase](after)
            return after, {}

        return self._change(session_id, token, command, act, reconfigured)

    def delete(self, session_id: str, token: str) -> None:
        with self.store.lock(session_id):
            record = self._authorized(session_id, token)
            gone = replace(record, revision=record.revision + 1)
            self.store.delete(session_id, make_event(gone, "delete"))
        self.cache.drop(session_id)

    # ---- the steps every change takes ------------------------------------------------------

    def _change(
        self,
        session_id: str,
        token: str,
        command: str,
        act: Callable[[SessionRecord, Run], tuple[Run, dict[str, Any]]],
        to_record: Callable[[SessionRecord, Run, Run], SessionRecord] = advanced,
    ) -> Outcome:
        with self.store.lock(session_id):
            record = self._authorized(session_id, token)
            before = self.cache.run_for(record)
            after, extra = act(record, before)
            changed = to_record(record, before, after)
            after = after.with_changes(loss_history=changed.loss_history)
            if not self.store.save(changed, make_event(changed, command)):
                raise SessionBusyError(session_id)
            self.cache.put(changed, after)
        return Outcome(changed, after, **extra)

    def load(self, session_id: str) -> SessionRecord:
        """The stored record (SessionNotFoundError if there is none)."""
        return self._load(session_id)

    def authorized(self, session_id: str, token: str) -> SessionRecord:
        """The stored record, if `token` opens it (WrongTokenError otherwise)."""
        return self._authorized(session_id, token)

    def _load(self, session_id: str) -> SessionRecord:
        record = self.store.load(session_id)
        if record is None:
            raise SessionNotFoundError(session_id)
        return record

    def _authorized(self, session_id: str, token: str) -> SessionRecord:
        record = self._load(session_id)
        if not secrets.compare_digest(hash_token(token), record.token_hash):
            raise WrongTokenError()
        return record


def restarted_epoch(record: SessionRecord, before: Run, after: Run) -> SessionRecord:
    """The record at the start of its epoch with the run's new parameters, one revision on."""
    cursor = Cursor(epoch=record.cursor.epoch, steps=0)
    return replace(record, scenario=after.scenario, cursor=cursor, revision=record.revision + 1)


def reconfigured(record: SessionRecord, before: Run, after: Run) -> SessionRecord:
    """The record with the run's new config (and optimiser state) at the same cursor; the
    previous epoch is not replayed any more (its update used the old config)."""
    return replace(
        record,
        scenario=after.scenario,
        optimizer_state=after.optimizer_state,
        previous_params=None,
        previous_optimizer_state=None,
        previous_trained=False,
        revision=record.revision + 1,
    )


def restarted(record: SessionRecord, before: Run, after: Run) -> SessionRecord:
    """The record as created (a reset to the start), one revision on."""
    return replace(
        record,
        scenario=after.scenario,
        previous_params=None,
        cursor=Cursor(epoch=1, steps=0),
        loss_history=(),
        losses_seen=0,
        revision=record.revision + 1,
        optimizer_state=None,  # the optimiser's initial state
        previous_optimizer_state=None,
        previous_trained=False,
    )

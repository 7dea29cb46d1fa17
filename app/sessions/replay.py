"""A record back to the core's Run, by replaying the epoch's steps; and a worker's cache.

The core is deterministic, so replaying `cursor.steps` steps from the parameters at the
start of the epoch gives the same numbers, to the last bit, as the steps that were taken.
`last_update` (the update that started this epoch) is rebuilt the same way from the
previous epoch's start parameters: its whole epoch and its update.

RunCache keeps the Runs this worker built, keyed by session id and revision: a cache hit
spares the replay, a miss (another worker took the step, or the entry was evicted) replays.
It is never required, and never shared.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import replace

import numpy as np

from app.core import Params, Run, Scenario, UpdateRecord, step, train, update
from app.sessions.record import Cursor, SessionRecord, bounded_history


def replay_last_update(record: SessionRecord) -> UpdateRecord | None:
    """The update that ended the previous epoch, replayed from its start parameters."""
    if record.previous_params is None:
        return None
    scenario = record.scenario.with_params(record.previous_params)
    previous = Run(
        scenario,
        epoch=record.cursor.epoch - 1,
        optimizer_state=record.previous_optimizer_state,
    )
    if record.previous_trained:  # the same path as train took, for the same bits
        return train(previous, 1)[0].last_update
    while previous.phase != "update":
        previous, _ = step(previous)
    return update(previous)[1]


def replay(record: SessionRecord, last_update: UpdateRecord | None = None) -> Run:
    """The Run at the record's cursor (`last_update` given, or replayed)."""
    if last_update is None:
        last_update = replay_last_update(record)
    run = Run(
        record.scenario,
        epoch=record.cursor.epoch,
        loss_history=record.loss_history,
        last_update=last_update,
        optimizer_state=record.optimizer_state,
    )
    for _ in range(record.cursor.steps):
        run, _ = step(run)
    return run


def advanced(record: SessionRecord, before: Run, after: Run) -> SessionRecord:
    """The record after `before` became `after` in the same or a later epoch (a step, an
    update, training or a reset to the start of the epoch)."""
    steps = len(after.forward) + len(after.backward)
    cursor = Cursor(after.epoch, steps)
    changes: dict = {"cursor": cursor, "revision": record.revision + 1}
    epochs_done = after.epoch - before.epoch
    if epochs_done > 0:  # one update, or training: a new epoch starts from new parameters
        new_losses = after.loss_history[max(0, len(after.loss_history) - epochs_done) :]
        changes["scenario"] = after.scenario
        changes["previous_params"] = _previous_params(after)
        changes["optimizer_state"] = after.optimizer_state
        changes["previous_optimizer_state"] = after.last_update.state_before
        changes["previous_trained"] = after.last_update.trained
        changes["losses_seen"] = record.losses_seen + epochs_done
        changes["loss_history"] = bounded_history((*record.loss_history, *new_losses))
    return replace(record, **changes)


def _same_params(left: Params, right: Params) -> bool:
    """Bit for bit (NaN included), every parameter."""
    ours, theirs = left.as_dict(), right.as_dict()
    return ours.keys() == theirs.keys() and all(
        ours[name].tobytes() == theirs[name].tobytes() for name in ours
    )


def _previous_params(run: Run) -> Params | None:
    """The previous epoch's start parameters: the old side of the update that started this one."""
    if run.last_update is None:
        return None
    return run.scenario.params.with_values(dict(run.last_update.params_old))


def run_weight(scenario: Scenario) -> int:
    """About how many bytes one epoch's Run holds: every kept term's value and running sum
    (one per parameter entry and kept (k, t) pair), and a Jacobian per step."""
    config, T = scenario.config, scenario.T
    pairs = sum(len(config.kept_losses(t, T)) for t in range(1, T + 1))
    entries = sum(int(np.prod(shape)) for shape in config.param_shapes().values())
    H = config.hidden_size
    return 8 * (2 * pairs * entries + T * H * H) + 4096


class RunCache:
    """The Runs this worker rebuilt or stepped: at most `size` sessions and about
    `budget_bytes` (run_weight), the least recently used going first."""

    def __init__(self, size: int, budget_bytes: int = 256_000_000) -> None:
        self.size, self.budget_bytes = size, budget_bytes
        self._runs: OrderedDict[str, tuple[int, Run, int]] = OrderedDict()
        self._held = 0  # the weights of the Runs held
        self._guard = threading.Lock()

    def get(self, record: SessionRecord) -> Run | None:
        """The cached Run for this record's exact revision, or None."""
        with self._guard:
            entry = self._runs.get(record.id)
            if entry is None or entry[0] != record.revision:
                return None
            self._runs.move_to_end(record.id)
            return entry[1]

    def put(self, record: SessionRecord, run: Run) -> None:
        if self.size < 1:
            return
        with self._guard:
            known = self._runs.pop(record.id, None)
        weight = known[2] if known else run_weight(run.scenario)
        with self._guard:
            self._held -= known[2] if known else 0
            self._runs[record.id] = (record.revision, run, weight)
            self._held += weight
            while len(self._runs) > self.size or (
                self._held > self.budget_bytes and len(self._runs) > 1
            ):
                self._held -= self._runs.popitem(last=False)[1][2]

    def drop(self, session_id: str) -> None:
        with self._guard:
            entry = self._runs.pop(session_id, None)
            self._held -= entry[2] if entry else 0

    def run_for(self, record: SessionRecord) -> Run:
        """The Run at the record's cursor: from the cache, caught up, or replayed (and cached).

        A session's state is fixed by its cursor (epoch, steps), the core being deterministic
        from the first parameters; so a cached Run of the same epoch and parameters a few
        steps behind (another worker took them) only needs those steps.
        """
        run = self.get(record)
        if run is None:
            run = self._caught_up(record) or replay(record)
            self.put(record, run)
        return run

    def _caught_up(self, record: SessionRecord) -> Run | None:
        with self._guard:
            entry = self._runs.get(record.id)
        if entry is None:
            return None
        run = entry[1]
        steps = len(run.forward) + len(run.backward)
        if run.epoch != record.cursor.epoch or steps > record.cursor.steps:
            return None
        if not _same_params(run.scenario.params, record.scenario.params):
            return None
        for _ in range(record.cursor.steps - steps):
            run, _ = step(run)
        return replace(run, loss_history=record.loss_history)

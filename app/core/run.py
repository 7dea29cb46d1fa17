"""One epoch's state: the Run the stepper's steps take and return, and the order they go in."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from app.core.model import Scenario
from app.core.optimizers import OptimizerState
from app.core.records import BackwardRecord, Divergence, ForwardRecord, UpdateRecord


class StepOrderError(Exception):
    """A step asked for out of order; the message says what to do next."""


@dataclass(frozen=True, eq=False)
class BackwardCarry:
    """What the backward recursion hands from step t to step t-1."""

    share: tuple[np.ndarray, ...] | None = None  # step t's share of dL/ds_{t-1} (untruncated)
    ks: tuple[int, ...] = ()  # the loss steps k >= t, ascending (with truncation, the kept
    # ones first: a stream past its window goes on, for the terms the window drops)
    rows: np.ndarray | None = None  # (len(ks), S): dl_k/ds_{t-1}, all losses as one matrix


@dataclass(frozen=True, eq=False)
class Run:
    """One epoch of one scenario, and the steps taken in it so far."""

    scenario: Scenario
    epoch: int = 1
    forward: tuple[ForwardRecord, ...] = ()
    backward: tuple[BackwardRecord, ...] = ()
    carry: BackwardCarry = field(default_factory=BackwardCarry)
    loss_history: tuple[float, ...] = ()  # the loss of each completed epoch
    last_update: UpdateRecord | None = None  # the update that started this epoch
    optimizer_state: OptimizerState | None = None  # what the optimiser carries (None: initial)

    @property
    def T(self) -> int:
        return self.scenario.T

    def with_changes(self, **changes: object) -> Run:
        """dataclasses.replace(self, **changes) without its field-by-field __init__: a Run
        checks nothing when made, so copying its fields and setting the changed ones is the
        same Run (a step makes one, on the hot path)."""
        unknown = changes.keys() - self.__dict__.keys()
        if unknown:
            raise TypeError(f"Run has no field {sorted(unknown)[0]!r}")
        changed = object.__new__(Run)
        changed.__dict__.update(self.__dict__)
        changed.__dict__.update(changes)
        return changed

    @property
    def phase(self) -> str:
        """What comes next: forward, backward or update."""
        if len(self.forward) < self.T:
            return "forward"
        return "backward" if len(self.backward) < self.T else "update"

    @property
    def next_t(self) -> int | None:
        """The time step of the next step (None when the update comes next)."""
        if self.phase == "forward":
            return len(self.forward) + 1
        return self.T - len(self.backward) if self.phase == "backward" else None

    @property
    def loss(self) -> float | None:
        """L for this epoch's parameters, once the forward pass is complete."""
        return self.forward[-1].loss_so_far if self.phase != "forward" else None

    @property
    def diverged(self) -> Divergence | None:
        """The first step of this epoch that produced a non-finite value."""
        for record in (*self.forward, *self.backward):
            if record.diverged:
                return record.diverged
        return None

    def status(self) -> str:
        """Where we are (the last step taken) and what comes next, in words."""
        T, epoch = self.T, f"epoch {self.epoch}"
        if self.phase == "forward":
            done = len(self.forward)
            at = f"t = {done} of {T}" if done else f"not started ({T} steps)"
            return f"forward, {at}, {epoch}: step forward to t = {done + 1} next"
        if self.phase == "backward":
            done = len(self.backward)
            if not done:  # said as it is: the forward pass is over, no backward step yet
                return f"forward pass complete ({T} steps), {epoch}: step backward to t = {T} next"
            at = f"t = {T - done + 1} of {T}"
            return f"backward, {at}, {epoch}: step backward to t = {T - done} next"
        return f"backward pass complete, {epoch}: update the weights next"


def start(scenario: Scenario) -> Run:
    return Run(scenario)


def require(run: Run, phase: str) -> None:
    if not run.scenario.params.is_finite():
        raise StepOrderError(
            "the weights are no longer finite numbers (the last update overflowed): start over "
            "(reset to the start) with smaller weights, a smaller learning rate or clip_norm"
        )
    if run.phase == phase:
        return
    if run.phase == "forward":
        done = len(run.forward)
        raise StepOrderError(f"the forward pass is at t={done} of {run.T}: step forward first")
    if run.phase == "backward":
        done = len(run.backward)
        where = f"is at t={run.T - done + 1} of {run.T}" if done else "has not started"
        raise StepOrderError(
            f"the backward pass {where} (it counts down to t=1): step backward first, "
            "or reset to start the epoch again"
        )
    raise StepOrderError(
        "the backward pass is complete: update the weights first, or reset to start the epoch again"
    )

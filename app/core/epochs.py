"""Whole passes and epochs: the stepper's steps in a loop (docs/design.md section 3).

Nothing here computes: every number comes from forward_step, backward_step and
update, so a whole pass gives the same numbers as stepping, to the last bit.
"""

from __future__ import annotations

from app.core.model import Scenario
from app.core.records import Divergence
from app.core.stepper import Run, start, step, update


def bptt(scenario: Scenario) -> Run:
    """Forward and backward passes at once: the same steps in a loop."""
    run = start(scenario)
    while run.phase != "update":
        run, _ = step(run)
    return run


def reset(run: Run) -> Run:
    """Back to the start of the current epoch: same parameters and optimiser state, no steps."""
    return Run(
        run.scenario,
        epoch=run.epoch,
        loss_history=run.loss_history,
        last_update=run.last_update,
        optimizer_state=run.optimizer_state,
    )


def train(run: Run, epochs: int) -> tuple[Run, list[float], tuple[int, Divergence] | None]:
    """Finish the current epoch and go on until `epochs` updates are done.

    Returns the new run, the loss of each epoch (before its update), and the epoch and
    step where the numbers first stopped being finite, if they did. Training stops early
    once an update leaves weights that are not finite: no step can follow it.
    """
    losses: list[float] = []
    first: tuple[int, Divergence] | None = None
    for done in range(epochs):
        if done and not run.scenario.params.is_finite():
            break
        while run.phase != "update":
            run, _ = step(run)
        epoch, diverged = run.epoch, run.diverged
        run, record = update(run)
        losses.append(record.loss_before)
        diverged = diverged or record.diverged
        if first is None and diverged is not None:
            first = (epoch, diverged)
    return run, losses, first

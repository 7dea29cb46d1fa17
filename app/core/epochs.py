"""Whole passes and epochs: the stepper's steps in a loop (docs/design.md section 3).

A whole pass is the stepper's steps in a loop, so it gives the same numbers as stepping,
to the last bit. Training runs whole epochs on the training path (app.core.training).
"""

from __future__ import annotations

from collections.abc import Iterator

from app.core import training
from app.core.model import Scenario
from app.core.records import Divergence, UpdateRecord
from app.core.stepper import Run, start, step, update
from app.core.update import apply_update


def bptt(scenario: Scenario) -> Run:
    """Forward and backward passes at once: the same steps in a loop."""
    run = start(scenario)
    while run.phase != "update":
        run, _ = step(run)
    return run


def overflowed_epoch(run: Run) -> Run | None:
    """The epoch whose update overflowed, passed again from its starting weights (finite, as
    the update that ended it recorded them): what can still be measured once the weights are
    no longer finite numbers. None unless the update that started `run` overflowed."""
    update = run.last_update
    if update is None or update.diverged is None:
        return None
    weights = run.scenario.params.with_values(update.params_old)
    return bptt(run.scenario.with_params(weights)).with_changes(epoch=update.epoch)


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
    """Finish the current epoch and go on until `epochs` updates are done (training_steps).

    Returns the new run, the loss of each epoch (before its update), and the epoch and
    step where the numbers first stopped being finite, if they did.
    """
    losses: list[float] = []
    first: tuple[int, Divergence] | None = None
    trained = run
    for trained, record, first in training_steps(run, epochs):  # noqa: B007 - the last one
        losses.append(record.loss_before)
    return trained, losses, first


def training_steps(
    run: Run, epochs: int
) -> Iterator[tuple[Run, UpdateRecord, tuple[int, Divergence] | None]]:
    """Finish the current epoch and go on until `epochs` updates are done.

    Yields, after each update, the run, the update's record and the first divergence so far
    (epoch and step). Training stops early once an update leaves weights that are not
    finite: no step can follow it.

    An epoch whose steps are all taken is updated as stepped; every other epoch runs on
    the training path (app.core.training: no records, no terms). Its numbers equal the
    stepper's to rounding; an epoch that stops being finite is stepped again, once, to
    say where it happened first.
    """
    first: tuple[int, Divergence] | None = None
    ahead = None  # the next epoch, already computed for the last update's loss_after
    for done in range(epochs):
        if done and not run.scenario.params.is_finite():
            break
        number, diverged = run.epoch, None
        if run.phase == "update":
            diverged = run.diverged
            run, record = update(run)
        else:
            result = ahead or training.epoch(run.scenario)
            if not result.finite and first is None:
                diverged = _finish(reset(run)).diverged
            run, record, ahead = _fast_update(run, result, last=done == epochs - 1)
        diverged = diverged or record.diverged
        if first is None and diverged is not None:
            first = (number, diverged)
        yield run, record, first


def _fast_update(
    run: Run, result: training.Epoch, last: bool
) -> tuple[Run, UpdateRecord, training.Epoch | None]:
    """The update on the training path's gradient; its loss_after is the next epoch's loss,
    so that epoch is computed here once (only its forward pass after the last update)."""
    ahead: list[training.Epoch] = []

    def loss_after(scenario: Scenario) -> float:
        if last:
            return training.forward_loss(scenario)
        ahead.append(training.epoch(scenario))
        return ahead[0].loss

    run, record = apply_update(run, result.grads, result.loss, loss_after, trained=True)
    return run, record, (ahead[0] if ahead else None)


def _finish(run: Run) -> Run:
    """Step the rest of the epoch's forward and backward passes."""
    while run.phase != "update":
        run, _ = step(run)
    return run

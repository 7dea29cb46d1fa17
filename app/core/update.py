"""The update stage: clipping, then the optimiser's rule, then the next epoch's Run."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from app.core.cell import output_step_forward
from app.core.functions import loss
from app.core.model import Scenario
from app.core.optimizers import OptimizerStep, optimizer_dict
from app.core.records import Divergence, UpdateRecord, first_non_finite
from app.core.run import Run


def clip(grads: dict[str, np.ndarray], clip_norm: float | None) -> tuple[dict, float, bool]:
    """The clipping stage: scale the gradients down to clip_norm if their global norm is more.

    Returns (the gradients to apply, the raw global norm, whether they were scaled)."""
    grad_norm = float(np.sqrt(sum(float((g * g).sum()) for g in grads.values())))
    clipped = clip_norm is not None and grad_norm > clip_norm
    scale = clip_norm / grad_norm if clipped else 1.0
    return (
        ({name: g * scale for name, g in grads.items()} if clipped else grads),
        grad_norm,
        clipped,
    )


def apply_update(
    run: Run,
    grads: dict[str, np.ndarray],
    loss_before: float,
    loss_of: Callable[[Scenario], float],
    trained: bool = False,
) -> tuple[Run, UpdateRecord]:
    """The update stage on `grads` (the epoch's raw gradient): clip, the optimiser's rule,
    and L with the new weights from `loss_of` (not computed once they are not finite).
    `trained`: the gradient came from the training path rather than the steps."""
    config, params = run.scenario.config, run.scenario.params
    old = params.trained()
    state = run.optimizer_state or config.optimizer.init_state(old)
    with np.errstate(all="ignore"):
        clipping = clip(grads, config.clip_norm)
        stepped = config.optimizer.step(old, clipping[0], state, config.learning_rate)
    next_scenario = run.scenario.with_params(params.with_values(stepped.params))
    finite = next_scenario.params.is_finite()
    loss_after = loss_of(next_scenario) if finite else float("nan")
    losses = (loss_before, loss_after)
    record = _record(run, grads, clipping, stepped, next_scenario, losses, trained)
    next_run = Run(
        next_scenario,
        epoch=run.epoch + 1,
        loss_history=(*run.loss_history, loss_before),
        last_update=record,
        optimizer_state=stepped.state,
    )
    return next_run, record


def _record(
    run: Run,
    grads: dict[str, np.ndarray],
    clipping: tuple[dict[str, np.ndarray], float, bool],
    stepped: OptimizerStep,
    next_scenario: Scenario,
    losses: tuple[float, float],
    trained: bool,
) -> UpdateRecord:
    """What the update did: old and new parameters, raw and applied gradients, the rule."""
    config, optimizer = run.scenario.config, run.scenario.config.optimizer
    applied, grad_norm, clipped = clipping
    finite = next_scenario.params.is_finite()
    return UpdateRecord(
        epoch=run.epoch,
        learning_rate=config.learning_rate,
        params_old=run.scenario.params.trained(),
        grads=grads,
        grads_applied=applied,
        grad_norm=grad_norm,
        clip_norm=config.clip_norm,
        clipped=clipped,
        params_new=next_scenario.params.trained(),
        loss_before=losses[0],
        loss_after=losses[1],
        diverged=_divergence(stepped.params, finite, losses[1]),
        optimizer=optimizer.name,
        hyper={k: v for k, v in optimizer_dict(optimizer).items() if k != "name"},
        formula=optimizer.formula,
        entry=optimizer.entry,
        quantities=stepped.quantities,
        update_number=stepped.state.n,
        state_before=run.optimizer_state,
        state_after=stepped.state,
        trained=trained,
    )


def _divergence(new: dict[str, np.ndarray], finite: bool, loss_after: float) -> Divergence | None:
    """The first new parameter, or else the loss after, that is not finite (None if all are)."""
    if finite and np.isfinite(loss_after):
        return None
    quantities = [(f"new {name}", value) for name, value in new.items()]
    return first_non_finite(
        "update", None, [*quantities, ("the loss with the new weights", loss_after)]
    )


def stepped_loss(scenario: Scenario) -> float:
    """L as the forward steps compute it, to the last bit, without their records."""
    config, p = scenario.config, scenario.params
    state, total = p.initial_state(), 0.0
    with np.errstate(all="ignore"):
        for t in range(1, scenario.T + 1):
            state = config.rnn.forward(p.arrays, scenario.inputs[t - 1], state).state
            if t in scenario.targets_by_step:
                z = output_step_forward(state[0], p.W_y, p.b_y)
                total = total + loss(config.output, z, scenario.targets_by_step[t])
    return total

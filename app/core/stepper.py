"""The stepper: forward t = 1..T -> backward t = T..1 -> update -> next epoch.

`Run` is one epoch's immutable state; each step function returns the next `Run`
and the record of what that step computed. Whole passes and epochs are these steps
in a loop (app/core/epochs.py), so stepping and running at once give identical numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from app.core.cell import output_grads_at, output_step_forward
from app.core.functions import loss, loss_grad, predict
from app.core.graph import backward_path, forward_path
from app.core.model import Scenario
from app.core.optimizers import OptimizerState, optimizer_dict
from app.core.records import (
    BackwardRecord,
    Divergence,
    ForwardRecord,
    UpdateRecord,
    first_non_finite,
)
from app.core.terms import StepView, output_embedding, summarize


class StepOrderError(Exception):
    """A step asked for out of order; the message says what to do next."""


@dataclass(frozen=True, eq=False)
class BackwardCarry:
    """What the backward recursion hands from step t to step t-1."""

    share: tuple[np.ndarray, ...] | None = None  # step t's share of dL/ds_{t-1} (untruncated)
    ks: tuple[int, ...] = ()  # the loss steps whose streams still reach t-1, ascending
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
            at = f"t = {T - done + 1} of {T}" if done else f"not started ({T} steps)"
            return f"backward, {at}, {epoch}: step backward to t = {T - done} next"
        return f"backward pass complete, {epoch}: update the weights next"


def start(scenario: Scenario) -> Run:
    return Run(scenario)


def _require(run: Run, phase: str) -> None:
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


def forward_step(run: Run) -> tuple[Run, ForwardRecord]:
    """Forward step t: the cell's step s_t from x_t and s_{t-1}; if t is a loss step, yhat_t
    and l_t."""
    _require(run, "forward")
    scenario, config, p = run.scenario, run.scenario.config, run.scenario.params
    t = len(run.forward) + 1
    x_t = scenario.inputs[t - 1]
    state_prev = run.forward[-1].cache.state if run.forward else p.initial_state()
    previous_loss = run.forward[-1].loss_so_far if run.forward else 0.0
    z = yhat = y = step_loss = None
    with np.errstate(all="ignore"):
        cache = config.rnn.forward(p.arrays, x_t, state_prev)
        h = cache.state[0]
        if t in scenario.targets_by_step:
            y = scenario.targets_by_step[t]
            z = output_step_forward(h, p.W_y, p.b_y)
            yhat, step_loss = predict(config.output, z), loss(config.output, z, y)
    quantities = [(f"{name}_{t}", value) for name, value in cache.values.items()]
    quantities += [(f"{s}_{t}", v) for s, v in zip(config.rnn.states, cache.state, strict=True)]
    quantities += [(f"z_{t}", z), (f"yhat_{t}", yhat), (f"loss_{t}", step_loss)]
    record = ForwardRecord(
        t=t,
        cache=cache,
        z=z,
        yhat=yhat,
        y=y,
        loss=step_loss,
        loss_so_far=previous_loss + (step_loss or 0.0),
        path=forward_path(config, run.T, t),
        diverged=first_non_finite("forward", t, quantities),
        states=config.rnn.states,
    )
    return replace(run, forward=(*run.forward, record)), record


def backward_step(run: Run) -> tuple[Run, BackwardRecord]:
    """Backward step t: dL/ds_t, the cell's local backward step, the use of each parameter
    at t, and the summaries of the terms t completes."""
    _require(run, "backward")
    config, p = run.scenario.config, run.scenario.params
    cell, t = config.rnn, run.T - len(run.backward)
    fwd = run.forward[t - 1]
    with np.errstate(all="ignore"):
        dz = loss_grad(config.output, fwd.z, fwd.y) if fwd.y is not None else None
        ks, rows = _streams(run, t, dz)
        dstate = _dL_ds(run, dz, rows)
        share, uses, local = cell.backward(p.arrays, fwd.cache, dstate)
        if dz is not None:
            uses |= output_grads_at(dz, fwd.h)
        grads = _accumulate(run, uses)
        jacobian = cell.jacobian(p.arrays, fwd.cache)
        step_view = StepView(fwd.cache, dz, fwd.yhat, fwd.y, jacobian)
        terms = summarize(config, p.arrays, step_view, t, ks, rows)
        kept = tuple(i for i, k in enumerate(ks) if config.keeps_term(k, t - 1))
        next_carry = BackwardCarry(share, tuple(ks[i] for i in kept), rows[list(kept)] @ jacobian)
    quantities = [(f"dz_{t}", dz)]
    quantities += [(f"d{s}_{t}", v) for s, v in zip(cell.states, dstate, strict=True)]
    quantities += [(f"{name}_{t}", value) for name, value in local.items()]
    quantities += [(f"d{name}", grads[name]) for name in grads]
    diverged = first_non_finite("backward", t, quantities)
    path = backward_path(config, run.T, t, ks)
    record = BackwardRecord(
        t, dz, dstate, local, jacobian, grads, terms, path, diverged, cell.states
    )
    return replace(run, backward=(*run.backward, record), carry=next_carry), record


def _streams(run: Run, t: int, dz: np.ndarray | None) -> tuple[tuple[int, ...], np.ndarray]:
    """dl_k/ds_t for each loss k whose window still reaches t, as rows (ascending k)."""
    p, carry = run.scenario.params, run.carry
    S = run.scenario.config.hidden_size * len(run.scenario.config.rnn.states)
    ks, rows = carry.ks, carry.rows if carry.rows is not None else np.zeros((0, S))
    if dz is not None:
        out = output_embedding(p.W_y, S // run.scenario.config.hidden_size)
        ks, rows = (t, *ks), np.vstack([(out.T @ dz)[None, :], rows])
    return ks, rows


def _dL_ds(run: Run, dz: np.ndarray | None, rows: np.ndarray) -> tuple[np.ndarray, ...]:
    """dL/ds_t = dz_t/ds_t^T dz_t + step t+1's share (or the sum of the kept streams)."""
    config = run.scenario.config
    H, n = config.hidden_size, len(config.rnn.states)
    if config.truncation is not None:
        total = sum(rows, np.zeros(H * n))
        return tuple(total[i * H : (i + 1) * H] for i in range(n))
    share = run.carry.share if run.carry.share is not None else (np.zeros(H),) * n
    if dz is None:
        return share
    return (run.scenario.params.W_y.T @ dz + share[0], *share[1:])


def _accumulate(run: Run, uses: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each parameter's sum so far, plus its use at t (W_y, b_y only where t in S)."""
    names = run.scenario.config.param_names
    previous = run.backward[-1].grads if run.backward else None
    grads = {}
    for name in names:
        base = previous[name] if previous else np.zeros_like(run.scenario.params[name])
        grads[name] = base + uses[name] if name in uses else base
    return grads


def clip(grads: dict[str, np.ndarray], clip_norm: float | None) -> tuple[dict, float, bool]:
    """The clipping stage: scale the gradients down to clip_norm if their global norm is more.

    Returns (the gradients to apply, the raw global norm, whether they were scaled)."""
    grad_norm = float(np.sqrt(sum(float(np.sum(g * g)) for g in grads.values())))
    clipped = clip_norm is not None and grad_norm > clip_norm
    scale = clip_norm / grad_norm if clipped else 1.0
    return (
        ({name: g * scale for name, g in grads.items()} if clipped else grads),
        grad_norm,
        clipped,
    )


def update(run: Run) -> tuple[Run, UpdateRecord]:
    """Clip, then the optimiser's step; then start the next epoch with the new parameters."""
    _require(run, "update")
    return apply_update(run, run.backward[-1].grads, run.loss, stepped_loss)


def apply_update(
    run: Run,
    grads: dict[str, np.ndarray],
    loss_before: float,
    loss_of: Callable[[Scenario], float],
) -> tuple[Run, UpdateRecord]:
    """The update stage on `grads` (the epoch's raw gradient): clip, the optimiser's rule,
    and L with the new weights from `loss_of` (not computed once they are not finite)."""
    config, params = run.scenario.config, run.scenario.params
    optimizer = config.optimizer
    old = params.trained()
    state = run.optimizer_state or optimizer.init_state(old)
    with np.errstate(all="ignore"):
        applied, grad_norm, clipped = clip(grads, config.clip_norm)
        stepped = optimizer.step(old, applied, state, config.learning_rate)
    next_scenario = run.scenario.with_params(params.with_values(stepped.params))
    finite = next_scenario.params.is_finite()
    loss_after = loss_of(next_scenario) if finite else float("nan")
    record = UpdateRecord(
        epoch=run.epoch,
        learning_rate=config.learning_rate,
        params_old=old,
        grads=grads,
        grads_applied=applied,
        grad_norm=grad_norm,
        clip_norm=config.clip_norm,
        clipped=clipped,
        params_new=next_scenario.params.trained(),
        loss_before=loss_before,
        loss_after=loss_after,
        diverged=None
        if finite and np.isfinite(loss_after)
        else first_non_finite(
            "update",
            None,
            [
                *((f"new {n}", v) for n, v in stepped.params.items()),
                ("the loss with the new weights", loss_after),
            ],
        ),
        optimizer=optimizer.name,
        hyper={k: v for k, v in optimizer_dict(optimizer).items() if k != "name"},
        formula=optimizer.formula,
        quantities=stepped.quantities,
        update_number=stepped.state.n,
    )
    next_run = Run(
        next_scenario,
        epoch=run.epoch + 1,
        loss_history=(*run.loss_history, loss_before),
        last_update=record,
        optimizer_state=stepped.state,
    )
    return next_run, record


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


def step(run: Run) -> tuple[Run, ForwardRecord | BackwardRecord | UpdateRecord]:
    """Take whichever step comes next."""
    action = {"forward": forward_step, "backward": backward_step, "update": update}[run.phase]
    return action(run)


def whole_forward(scenario: Scenario) -> Run:
    """The forward pass, step by step."""
    run = start(scenario)
    while run.phase == "forward":
        run, _ = forward_step(run)
    return run

"""The stepper: forward t = 1..T -> backward t = T..1 -> update -> next epoch.

`Run` is one epoch's immutable state; each step function returns the next `Run`
and the record of what that step computed. Whole passes and epochs are these steps
in a loop (app/core/epochs.py), so stepping and running at once give identical numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from app.core.cell import (
    output_grads_at,
    output_step_forward,
    param_grads_at,
    rnn_step_backward,
    rnn_step_forward,
)
from app.core.functions import activation_grad, loss, loss_grad, predict
from app.core.graph import Path, forward_path
from app.core.model import Scenario
from app.core.records import (
    BackwardRecord,
    Divergence,
    ForwardRecord,
    UpdateRecord,
    first_non_finite,
)
from app.core.terms import StepValues, terms_at


class StepOrderError(Exception):
    """A step asked for out of order; the message says what to do next."""


@dataclass(frozen=True, eq=False)
class BackwardCarry:
    """What the backward recursion hands from step t to step t-1."""

    dh_next: np.ndarray | None = None  # W_h^T delta_{t+1} (untruncated recursion)
    streams: dict[int, np.ndarray] = field(default_factory=dict)  # k -> dl_k/dh_t (truncated)
    steps: dict[int, StepValues] = field(default_factory=dict)  # what the terms need, by step
    running: dict[str, np.ndarray] = field(default_factory=dict)  # sum of the terms so far


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
    """Forward step t: h_t from x_t and h_{t-1}; if t is a loss step, yhat_t and l_t."""
    _require(run, "forward")
    scenario, config, p = run.scenario, run.scenario.config, run.scenario.params
    t = len(run.forward) + 1
    x_t = scenario.inputs[t - 1]
    h_prev = run.forward[-1].h if run.forward else p.h0
    previous_loss = run.forward[-1].loss_so_far if run.forward else 0.0
    z = yhat = y = step_loss = None
    with np.errstate(all="ignore"):
        a, h = rnn_step_forward(x_t, h_prev, p.W_x, p.W_h, p.b, config.activation)
        if t in scenario.targets_by_step:
            y = scenario.targets_by_step[t]
            z = output_step_forward(h, p.W_y, p.b_y)
            yhat, step_loss = predict(config.output, z), loss(config.output, z, y)
    quantities = [(f"a_{t}", a), (f"h_{t}", h), (f"z_{t}", z), (f"yhat_{t}", yhat)]
    record = ForwardRecord(
        t=t,
        x=x_t,
        h_prev=h_prev,
        a=a,
        h=h,
        z=z,
        yhat=yhat,
        y=y,
        loss=step_loss,
        loss_so_far=previous_loss + (step_loss or 0.0),
        path=forward_path(config, run.T, t),
        diverged=first_non_finite("forward", t, [*quantities, (f"loss_{t}", step_loss)]),
    )
    return replace(run, forward=(*run.forward, record)), record


def backward_step(run: Run) -> tuple[Run, BackwardRecord]:
    """Backward step t: dL/dh_t, backprop through f, the use of each parameter at t."""
    _require(run, "backward")
    config, p = run.scenario.config, run.scenario.params
    t = run.T - len(run.backward)
    fwd, carry = run.forward[t - 1], run.carry
    with np.errstate(all="ignore"):
        dz = loss_grad(config.output, fwd.z, fwd.y) if fwd.y is not None else None
        streams = _open_streams(run, t, dz)
        dh = _dL_dh(run, t, dz, streams)
        delta = rnn_step_backward(dh, fwd.a, fwd.h, config.activation)
        grads = _accumulate(run, delta, fwd, dz)
        f_grad = activation_grad(config.activation, fwd.a, fwd.h)
        jacobian = f_grad[:, None] * p.W_h  # dh_t/dh_{t-1} = diag(f'(a_t)) W_h
        steps = {
            **carry.steps,
            t: StepValues(dz, fwd.yhat, fwd.y, f_grad, jacobian, fwd.x, fwd.h_prev, fwd.h),
        }
        running = carry.running or {name: np.zeros_like(g) for name, g in grads.items()}
        terms, running = terms_at(t, run.scenario, steps, running)
        next_carry = BackwardCarry(
            dh_next=p.W_h.T @ delta,
            streams=_propagate(run, t, streams, f_grad),
            steps=steps,
            running=running,
        )
    path = Path((f"h_{t}",), ())
    for term in terms:
        path = path | term.path
    quantities = [(f"dz_{t}", dz), (f"dh_{t}", dh), (f"delta_{t}", delta)]
    quantities += [(f"d{name}", grads[name]) for name in grads]
    diverged = first_non_finite("backward", t, quantities)
    record = BackwardRecord(t, dz, dh, delta, f_grad, jacobian, grads, terms, path, diverged)
    return replace(run, backward=(*run.backward, record), carry=next_carry), record


def _open_streams(run: Run, t: int, dz: np.ndarray | None) -> dict[int, np.ndarray]:
    """Truncated BPTT: dl_k/dh_t for each loss k whose window still reaches t."""
    if run.scenario.config.truncation is None:
        return {}
    streams = {k: g for k, g in run.carry.streams.items() if run.scenario.config.keeps_term(k, t)}
    if dz is not None:
        streams[t] = run.scenario.params.W_y.T @ dz
    return streams


def _dL_dh(run: Run, t: int, dz: np.ndarray | None, streams: dict[int, np.ndarray]) -> np.ndarray:
    """dL/dh_t = W_y^T dz_t + W_h^T delta_{t+1} (or the sum of the kept streams)."""
    H = run.scenario.config.hidden_size
    if run.scenario.config.truncation is not None:
        return sum(streams.values(), np.zeros(H))
    dh_next = run.carry.dh_next if run.carry.dh_next is not None else np.zeros(H)
    return dh_next if dz is None else run.scenario.params.W_y.T @ dz + dh_next


def _propagate(
    run: Run, t: int, streams: dict[int, np.ndarray], f_grad: np.ndarray
) -> dict[int, np.ndarray]:
    """Carry each kept stream through dh_t/dh_{t-1}: g <- W_h^T (g * f'(a_t))."""
    W_h, config = run.scenario.params.W_h, run.scenario.config
    return {k: W_h.T @ (g * f_grad) for k, g in streams.items() if config.keeps_term(k, t - 1)}


def _accumulate(
    run: Run, delta: np.ndarray, fwd: ForwardRecord, dz: np.ndarray | None
) -> dict[str, np.ndarray]:
    """dW_x += delta x^T, dW_h += delta h_prev^T, db += delta; and dW_y, db_y where t in S."""
    names = run.scenario.config.param_names
    previous = run.backward[-1].grads if run.backward else None
    uses = param_grads_at(delta, fwd.x, fwd.h_prev)
    if dz is not None:
        uses |= output_grads_at(dz, fwd.h)
    grads = {}
    for name in names:
        base = previous[name] if previous else np.zeros_like(run.scenario.params.trained()[name])
        grads[name] = base + uses[name] if name in uses else base
    return grads


def update(run: Run) -> tuple[Run, UpdateRecord]:
    """theta <- theta - eta * dL/dtheta, then start the next epoch with the new parameters."""
    _require(run, "update")
    config, params = run.scenario.config, run.scenario.params
    grads = run.backward[-1].grads
    with np.errstate(all="ignore"):
        grad_norm = float(np.sqrt(sum(float(np.sum(g * g)) for g in grads.values())))
        clipped = config.clip_norm is not None and grad_norm > config.clip_norm
        scale = config.clip_norm / grad_norm if clipped else 1.0
        applied = {name: g * scale for name, g in grads.items()} if clipped else grads
        old = params.trained()
        new = {name: old[name] - config.learning_rate * applied[name] for name in grads}
    next_scenario = run.scenario.with_params(params.with_values(new))
    finite = next_scenario.params.is_finite()
    loss_after = whole_forward(next_scenario).loss if finite else float("nan")
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
        loss_before=run.loss,
        loss_after=loss_after,
        diverged=first_non_finite(
            "update",
            None,
            [
                *((f"new {n}", v) for n, v in new.items()),
                ("the loss with the new weights", loss_after),
            ],
        ),
    )
    next_run = Run(
        next_scenario,
        epoch=run.epoch + 1,
        loss_history=(*run.loss_history, run.loss),
        last_update=record,
    )
    return next_run, record


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

"""The stepper: forward t = 1..T -> backward t = T..1 -> update -> next epoch.

`Run` (app/core/run.py) is one epoch's immutable state; each step function returns the
next `Run` and the record of what that step computed. A whole pass (bptt) is these steps
in a loop, so stepping and running at once give identical numbers; the update stage is
in app/core/update.py, and `train` runs whole epochs on the training path.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from app.core.cell import output_grads_at, output_step_forward
from app.core.functions import loss, loss_grad, predict
from app.core.graph import backward_path, forward_path
from app.core.model import Scenario
from app.core.records import (
    BackwardRecord,
    ForwardRecord,
    UpdateRecord,
    first_non_finite,
)
from app.core.run import BackwardCarry, Run, StepOrderError, require, start
from app.core.terms import StepView, output_embedding, summarize
from app.core.update import apply_update, clip, stepped_loss

__all__ = [
    "BackwardCarry",
    "Run",
    "StepOrderError",
    "apply_update",
    "backward_step",
    "clip",
    "forward_step",
    "start",
    "step",
    "stepped_loss",
    "update",
    "whole_forward",
]


def forward_step(run: Run) -> tuple[Run, ForwardRecord]:
    """Forward step t: the cell's step s_t from x_t and s_{t-1}; if t is a loss step, yhat_t
    and l_t."""
    require(run, "forward")
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
        trace=partial(forward_path, config, run.T, t),
        diverged=first_non_finite("forward", t, quantities),
        states=config.rnn.states,
    )
    return run.with_changes(forward=(*run.forward, record)), record


def backward_step(run: Run) -> tuple[Run, BackwardRecord]:
    """Backward step t: dL/ds_t, the cell's local backward step, the use of each parameter
    at t, and the summaries of the terms t completes."""
    require(run, "backward")
    config, p = run.scenario.config, run.scenario.params
    cell, t = config.rnn, run.T - len(run.backward)
    fwd = run.forward[t - 1]
    with np.errstate(all="ignore"):
        dz = loss_grad(config.output, fwd.z, fwd.y) if fwd.y is not None else None
        ks, rows = _streams(run, t, dz)
        kept = sum(1 for k in ks if config.keeps_term(k, t))  # a prefix, as ks ascend
        dstate = _dL_ds(run, dz, rows[:kept])
        share, uses, local = cell.backward(p.arrays, fwd.cache, dstate)
        if dz is not None:
            uses |= output_grads_at(dz, fwd.h)
        grads = _accumulate(run, uses)
        jacobian = cell.jacobian(p.arrays, fwd.cache)
        step_view = StepView(fwd.cache, dz, fwd.yhat, fwd.y, jacobian)
        terms = summarize(config, p.arrays, step_view, t, ks[:kept], rows[:kept])
        # the terms the window drops (k - t >= tau), summarised the same way, shown greyed
        dropped_view = StepView(fwd.cache, None, fwd.yhat, fwd.y, jacobian)
        dropped = summarize(config, p.arrays, dropped_view, t, ks[kept:], rows[kept:])
        # every stream goes on to t - 1 (a dropped one still has terms to show there)
        next_carry = BackwardCarry(share, ks, rows @ jacobian)
    quantities = [(f"dz_{t}", dz)]
    quantities += [(f"d{s}_{t}", v) for s, v in zip(cell.states, dstate, strict=True)]
    quantities += [(f"{name}_{t}", value) for name, value in local.items()]
    quantities += [(f"d{name}", grads[name]) for name in grads]
    diverged = first_non_finite("backward", t, quantities)
    trace = partial(backward_path, config, run.T, t, ks[:kept])
    record = BackwardRecord(
        t, dz, dstate, local, jacobian, grads, terms, trace, diverged, cell.states, dropped
    )
    return run.with_changes(backward=(*run.backward, record), carry=next_carry), record


def _streams(run: Run, t: int, dz: np.ndarray | None) -> tuple[tuple[int, ...], np.ndarray]:
    """dl_k/ds_t for each loss k >= t, as rows (ascending k); with truncation the kept ones
    (k - t < tau) are a prefix, the rest the terms the window drops."""
    p, carry = run.scenario.params, run.carry
    S = run.scenario.config.hidden_size * len(run.scenario.config.rnn.states)
    ks, rows = carry.ks, carry.rows if carry.rows is not None else np.zeros((0, S))
    if dz is not None:
        out = output_embedding(p.W_y, S // run.scenario.config.hidden_size)
        ks, rows = (t, *ks), np.vstack([(out.T @ dz)[None, :], rows])
    return ks, rows


def _dL_ds(run: Run, dz: np.ndarray | None, rows: np.ndarray) -> tuple[np.ndarray, ...]:
    """dL/ds_t = dz_t/ds_t^T dz_t + step t+1's share (or the sum of the kept streams,
    `rows`)."""
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


def update(run: Run) -> tuple[Run, UpdateRecord]:
    """Clip, then the optimiser's step; then start the next epoch with the new parameters."""
    require(run, "update")
    return apply_update(run, run.backward[-1].grads, run.loss, stepped_loss)


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

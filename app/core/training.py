"""The training path: whole epochs with no records and no chain-rule terms.

The same cell steps as the stepper, arranged for speed: every step's input part
(W_x* x_t + b_*) projected at once, the gradient sums as one matrix product per
parameter (app.core.cells.base.batched_uses), the output layer's sums likewise, and the
finiteness of everything checked once per epoch, not per step. Its numbers equal the
stepper's to rounding (about 1e-15 relative); where an epoch stops being finite, the
stepper runs that epoch again to say which step and which quantity did it first.

Shapes: inputs X (T, d), states (T, H) stacked by step, logits Z (|S|, K) for the loss
steps S, computed (with their losses and dl/dz) for all of S at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.core.cells import StepCache
from app.core.cells.base import batched_uses
from app.core.functions import loss_grad_rows, total_loss_rows
from app.core.model import Scenario


@dataclass(frozen=True, eq=False)
class Epoch:
    """One forward and backward pass: the loss, the raw gradient, whether all was finite."""

    loss: float
    grads: dict[str, np.ndarray]
    finite: bool


def forward_pass(scenario: Scenario) -> tuple[list[StepCache], np.ndarray, np.ndarray, float]:
    """Every step's cache, the hidden states (|S|, H) and logits Z (|S|, K) of the loss steps
    (ascending), and L."""
    config, p = scenario.config, scenario.params.arrays
    cell, inputs, forward = config.rnn, scenario.inputs, config.rnn.forward
    projected = cell.project(p, inputs)  # (T, G): all input parts at once
    state, caches = scenario.params.initial_state(), []
    for x_t, projected_t in zip(inputs, projected, strict=True):
        cache = forward(p, x_t, state, projected_t)
        caches.append(cache)
        state = cache.state
    if config.mode == "many_to_many":
        hidden = np.array([cache.state[0] for cache in caches])  # (T, H)
    else:
        hidden = state[0][None, :]  # (1, H): the last step only
    logits = hidden @ p["W_y"].T
    if config.output_bias:
        logits = logits + p["b_y"]
    return caches, hidden, logits, total_loss_rows(config.output, logits, _targets(scenario))


def _targets(scenario: Scenario) -> np.ndarray:
    """The targets of the loss steps, as rows (|S|, K)."""
    targets = scenario.targets
    return targets if scenario.config.mode == "many_to_many" else targets[None, :]


def forward_loss(scenario: Scenario) -> float:
    """L for the scenario's parameters (what an update's loss_after needs)."""
    with np.errstate(all="ignore"):
        return forward_pass(scenario)[3]


def epoch(scenario: Scenario) -> Epoch:
    """Forward, then backward through every step, with the gradients summed at the end."""
    config = scenario.config
    cell, H = config.rnn, config.hidden_size
    with np.errstate(all="ignore"):
        caches, hidden, logits, total = forward_pass(scenario)
        dZ = loss_grad_rows(config.output, logits, _targets(scenario))  # (|S|, K)
        into_h = dZ @ scenario.params.arrays["W_y"]  # (|S|, H): W_y^T dz_k for every k
        dh_out = dict(zip(config.loss_steps(scenario.T), into_h, strict=True))
        if config.truncation is None:
            locals_ = _backward(scenario, caches, dh_out)
        else:
            locals_ = _truncated_backward(scenario, caches, dh_out)
        grads = batched_uses([cell.uses(cache) for cache in reversed(caches)], locals_)
        grads["W_y"] = dZ.T @ hidden
        if config.output_bias:
            grads["b_y"] = dZ.sum(axis=0)
        ordered = {name: grads[name] for name in config.param_names}
        finite = _all_finite(total, ordered, caches, locals_, H)
    return Epoch(total, ordered, finite)


def _backward(scenario: Scenario, caches: list[StepCache], dh_out: dict[int, np.ndarray]) -> list:
    """dL/ds_t for t = T..1 (each step's share plus the output's), the cell's locals."""
    p, n = scenario.params.arrays, len(caches[0].state)
    cell = scenario.config.rnn
    share = tuple(np.zeros(scenario.config.hidden_size) for _ in range(n))
    locals_ = []
    for t in range(scenario.T, 0, -1):
        dstate = share if t not in dh_out else (dh_out[t] + share[0], *share[1:])
        share, local = cell.local_backward(p, caches[t - 1], dstate)
        locals_.append(local)
    return locals_


def _truncated_backward(
    scenario: Scenario, caches: list[StepCache], dh_out: dict[int, np.ndarray]
) -> list:
    """Truncated BPTT: one stream dl_k/ds_t per loss k, kept while k - t < tau."""
    config, p = scenario.config, scenario.params.arrays
    cell, n, H = config.rnn, len(caches[0].state), config.hidden_size
    streams: dict[int, tuple[np.ndarray, ...]] = {}
    locals_ = []
    for t in range(scenario.T, 0, -1):
        streams = {k: g for k, g in streams.items() if config.keeps_term(k, t)}
        if t in dh_out:
            streams[t] = (dh_out[t], *(np.zeros(H) for _ in range(n - 1)))
        total = tuple(sum((g[i] for g in streams.values()), np.zeros(H)) for i in range(n))
        _, local = cell.local_backward(p, caches[t - 1], total)
        locals_.append(local)
        kept = {k: g for k, g in streams.items() if config.keeps_term(k, t - 1)}
        streams = {k: cell.local_backward(p, caches[t - 1], g)[0] for k, g in kept.items()}
    return locals_


def _all_finite(total: float, grads: dict, caches: list, locals_: list, H: int) -> bool:
    """One check per epoch: the loss, the gradients, every state, value and local gradient."""
    if not np.isfinite(total):
        return False
    values = [g.ravel() for g in grads.values()]
    values += [v for cache in caches for v in (*cache.state, *cache.values.values())]
    values += [v for local in locals_ for v in local.values()]
    return bool(np.isfinite(np.concatenate(values)).all())

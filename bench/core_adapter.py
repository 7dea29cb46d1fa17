"""Everything the benchmark asks of app.core, in one place.

The benchmark runs against today's core (the Elman cell) and against the core of issue 7
(cells chosen by `Config(cell=...)`); what differs between them is met here, by asking
the core what it accepts rather than by reading its version.

Shapes: d = input_size, H = hidden_size, K = output_size = d, T steps;
inputs (T, d); targets (T, K) for many_to_many, (K,) for many_to_one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from app.core import Config, Scenario, ScenarioError, init_params, start, step, train

CELLS = ("elman", "gru", "lstm")
LEARNING_RATE = 0.1
UNTRAINED = ("h0", "c0")  # given or zeros, never updated
Clock = Callable[[], float]


class StepDeadlineError(Exception):
    """The stepping path was still running when its time was up."""


@dataclass(frozen=True, eq=False)
class CoreEpoch:
    """What one epoch of the core computed: the loss before the update and the raw gradients."""

    loss: float
    grads: dict[str, np.ndarray]


def known_cells() -> tuple[str, ...]:
    """The cells this core accepts: elman always; gru and lstm once Config takes cell=..."""
    cells = ["elman"]
    for cell in CELLS[1:]:
        try:
            Config(1, 1, 1, cell=cell)
        except (TypeError, ScenarioError):
            continue
        cells.append(cell)
    return tuple(cells)


def make_scenario(cell: str, d: int, H: int, T: int, mode: str, seed: int = 0) -> Scenario:
    """tanh, identity output with squared loss, an output bias, eta = 0.1, K = d."""
    extra = {} if cell == "elman" else {"cell": cell}
    config = Config(d, H, d, mode=mode, learning_rate=LEARNING_RATE, **extra)
    rng = np.random.default_rng(seed)
    inputs = rng.normal(size=(T, d))
    targets = rng.normal(size=(T, d) if mode == "many_to_many" else d)
    return Scenario(config, init_params(config, seed), inputs, targets)


def param_arrays(scenario: Scenario) -> dict[str, np.ndarray]:
    """Every parameter by name (trained ones, h0, and c0 where the cell has it)."""
    params = scenario.params
    if hasattr(params, "as_dict"):
        values = params.as_dict()
    elif isinstance(params, Mapping):
        values = params
    else:
        values = vars(params)
    return {name: np.asarray(value) for name, value in values.items() if value is not None}


def trained_names(scenario: Scenario) -> tuple[str, ...]:
    return tuple(name for name in param_arrays(scenario) if name not in UNTRAINED)


def core_train(scenario: Scenario) -> CoreEpoch:
    """The training path: one epoch (forward + backward + update) through train(run, 1)."""
    result = train(start(scenario), 1)
    run = result[0] if isinstance(result, tuple) else result
    return _from_update(run.last_update)


def core_step(
    scenario: Scenario,
    deadline: float | None = None,
    clock: Callable[[], float] = time.process_time,
) -> CoreEpoch:
    """The stepping path: step(run) for every forward, backward and update record.

    Raises StepDeadlineError once clock() passes `deadline` between two steps.
    """
    run = start(scenario)
    while True:
        phase = run.phase
        run, record = step(run)
        if phase == "update":
            return _from_update(record)
        if deadline is not None and clock() > deadline:
            raise StepDeadlineError(f"stopped at a {phase} step")


def _from_update(record: object) -> CoreEpoch:
    grads = {name: np.asarray(g) for name, g in record.grads.items()}
    return CoreEpoch(float(record.loss_before), grads)

"""Runs an optimiser over a few updates and lays each parameter out element by element, so a
test can check it against its formula written out with plain floats, one element at a time.

Shapes follow an Elman model with d = 2, H = 3, K = 1: W_x (3, 2), W_h (3, 3), b (3,), W_y
(1, 3), b_y (1,).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

import numpy as np
import pytest

from app.core.optimizers import Optimizer, OptimizerStep

SHAPES: Mapping[str, tuple[int, ...]] = {
    "W_x": (3, 2),
    "W_h": (3, 3),
    "b": (3,),
    "W_y": (1, 3),
    "b_y": (1,),
}


def random_run(
    seed: int, updates: int
) -> tuple[dict[str, np.ndarray], list[dict[str, np.ndarray]]]:
    """Initial parameters and one gradient per update, of every scale from 1e-3 to 10, with
    one exact zero in W_h's gradients (a parameter the loss does not reach at that update)."""
    rng = np.random.default_rng(seed)
    params = {name: rng.normal(size=shape) for name, shape in SHAPES.items()}
    grads_seq = []
    for _ in range(updates):
        grads = {
            name: rng.normal(size=shape) * 10.0 ** rng.uniform(-3, 1, size=shape)
            for name, shape in SHAPES.items()
        }
        grads["W_h"][0, 0] = 0.0
        grads_seq.append(grads)
    return params, grads_seq


def run_optimizer(
    optimizer: Optimizer,
    params: Mapping[str, np.ndarray],
    grads_seq: list[dict[str, np.ndarray]],
    learning_rate: float,
) -> list[OptimizerStep]:
    """Every update's step, each starting from the parameters and state the last one left."""
    state = optimizer.init_state(params)
    steps = []
    for grads in grads_seq:
        step = optimizer.step(params, grads, state, learning_rate)
        steps.append(step)
        params, state = step.params, step.state
    return steps


def elements(
    params: Mapping[str, np.ndarray], grads_seq: list[dict[str, np.ndarray]]
) -> Iterator[tuple[str, tuple[int, ...], float, list[float]]]:
    """(parameter name, element index, its initial value, its gradient at each update)."""
    for name, value in params.items():
        for index in np.ndindex(value.shape):
            yield name, index, float(value[index]), [float(g[name][index]) for g in grads_seq]


def quantity(step: OptimizerStep, name: str) -> Mapping[str, np.ndarray]:
    """The values of the quantity called `name` in this step, per parameter."""
    matches = [q.values for q in step.quantities if q.name == name]
    assert len(matches) == 1, f"{name} named {len(matches)} times in {step.quantities}"
    return matches[0]


def assert_follows(
    steps: list[OptimizerStep],
    params: Mapping[str, np.ndarray],
    grads_seq: list[dict[str, np.ndarray]],
    by_hand: Callable[[float, list[float]], list[dict[str, float]]],
    slots: tuple[str, ...],
) -> None:
    """Every element's new value, every quantity and every state slot, at every update, equals
    the formula written out by hand for that element (a dict per update: "theta" and each
    quantity's name); `slots` names the quantities the state carries to the next update."""
    for name, index, theta0, gs in elements(params, grads_seq):
        for n, (step, want) in enumerate(zip(steps, by_hand(theta0, gs), strict=True), 1):
            where = f"{name}{list(index)} at update {n}"
            assert step.params[name][index] == approx(want["theta"]), where
            assert {q.name for q in step.quantities} == set(want) - {"theta"}, where
            for key in set(want) - {"theta"}:
                assert quantity(step, key)[name][index] == approx(want[key]), f"{key}, {where}"
            for slot in slots:
                assert step.state.slots[slot][name][index] == approx(want[slot]), where
    assert [step.state.n for step in steps] == list(range(1, len(steps) + 1))


def approx(value: float) -> object:
    """Equal to rounding: the by-hand float arithmetic may associate differently."""
    return pytest.approx(value, rel=1e-12, abs=1e-300)

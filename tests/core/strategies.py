"""Hypothesis strategies: random scenarios over every option of the model."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from app.core.cells import CELL_NAMES
from app.core.model import ACTIVATIONS, MODES, OUTPUTS, Config, Scenario, init_params


@st.composite
def scenarios(
    draw: st.DrawFn, max_T: int = 5, max_size: int = 3, cells: tuple[str, ...] = CELL_NAMES
) -> Scenario:
    """A small scenario with every option drawn: cell, sizes, f (Elman), head, mode, bias,
    truncation, and the initial states."""
    d, H, K = (draw(st.integers(1, max_size)) for _ in range(3))
    T = draw(st.integers(1, max_T))
    cell = draw(st.sampled_from(cells))
    config = Config(
        cell=cell,
        input_size=d,
        hidden_size=H,
        output_size=K,
        activation=draw(st.sampled_from(ACTIVATIONS)) if cell == "elman" else "tanh",
        output=draw(st.sampled_from(OUTPUTS)),
        mode=draw(st.sampled_from(MODES)),
        output_bias=draw(st.booleans()),
        learning_rate=0.1,
        truncation=draw(st.none() | st.integers(1, T + 1)),
    )
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    params = init_params(config, int(rng.integers(2**31)))
    params = params.with_values({name: rng.uniform(-0.5, 0.5, H) for name in config.initial_states})
    inputs = rng.normal(size=(T, d))
    rows = 1 if config.mode == "many_to_one" else T
    targets = _targets(config.output, rng, rows, K)
    return Scenario(config, params, inputs, targets[0] if config.mode == "many_to_one" else targets)


def _targets(output: str, rng: np.random.Generator, rows: int, K: int) -> np.ndarray:
    if output == "sigmoid_bce":
        return rng.uniform(0, 1, size=(rows, K))
    if output == "softmax_ce":
        weights = rng.uniform(0.05, 1, size=(rows, K))
        return weights / weights.sum(axis=1, keepdims=True)
    return rng.normal(size=(rows, K))

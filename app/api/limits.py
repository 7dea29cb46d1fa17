"""The server's limits (app.settings.Settings), checked before the core does any work.

Sizes are counted, never computed from values: how many terms and numbers a run of
this shape produces, and how many forward steps a gradient check takes.
"""

from __future__ import annotations

from app.core import Config, Scenario, ScenarioError
from app.core.gradcheck import forward_steps
from app.settings import Settings

NUMBER_BYTES = 20  # a float in JSON, with its comma
FACTOR_BYTES = 330  # a factor's symbol, LaTeX, formula, kind, edge and step
TERM_BYTES = 200  # a term's id, param, k, t and path ids


def check_sizes(config: Config, T: int, settings: Settings) -> None:
    """d, H, K and T within the server's limits."""
    for name, limit in (
        ("input_size", settings.max_input_size),
        ("hidden_size", settings.max_hidden_size),
        ("output_size", settings.max_output_size),
    ):
        if getattr(config, name) > limit:
            raise ScenarioError(f"config.{name}", f"must be <= {limit} (the server's limit)")
    if settings.max_steps < T:
        raise ScenarioError(
            "inputs", f"must have at most {settings.max_steps} time steps (the server's limit)"
        )


def kept_pairs(config: Config, T: int) -> list[tuple[int, int]]:
    """(k, t) for every hidden-layer term the backward pass completes."""
    return [(k, t) for t in range(1, T + 1) for k in config.kept_losses(t, T)]


def terms_per_epoch(config: Config, T: int) -> int:
    outputs = len(config.param_names) - 3
    return 3 * len(kept_pairs(config, T)) + outputs * len(config.loss_steps(T))


def epoch_json_bytes(config: Config, T: int, inline_factor_size: int) -> int:
    """About how many bytes of JSON one epoch's records make: its chain-rule terms dominate.

    Each number costs about NUMBER_BYTES; each factor and each term also carries its
    symbols, LaTeX, edge and path ids (FACTOR_BYTES, TERM_BYTES).
    """
    shapes = config.param_shapes()
    H, K = config.hidden_size, config.output_size
    recurrent = H * H if inline_factor_size >= H * H else 0
    numbers = factors = terms = 0
    for k, t in kept_pairs(config, T):
        for name in ("W_x", "W_h", "b"):
            numbers += 3 * _size(shapes[name]) + K + K * H + (k - t) * recurrent
            factors += 3 + (k - t)
            terms += 1
    for name in config.param_names[3:]:
        numbers += len(config.loss_steps(T)) * (3 * _size(shapes[name]) + K)
        factors += 2 * len(config.loss_steps(T))
        terms += len(config.loss_steps(T))
    return NUMBER_BYTES * numbers + FACTOR_BYTES * factors + TERM_BYTES * terms


def check_epoch_size(scenario: Scenario, settings: Settings) -> None:
    size = epoch_json_bytes(scenario.config, scenario.T, settings.inline_factor_size)
    if size > settings.max_epoch_bytes:
        raise ScenarioError(
            "inputs",
            f"one epoch of this scenario makes about {size / 1e6:.1f} MB of chain-rule terms, "
            f"more than the server's limit of {settings.max_epoch_bytes / 1e6:.1f} MB: use "
            "fewer time steps, a smaller hidden_size, a truncation window or many_to_one",
        )


def check_train(scenario: Scenario, epochs: int, settings: Settings) -> None:
    if epochs > settings.max_epochs_per_train:
        raise ScenarioError("epochs", f"must be <= {settings.max_epochs_per_train} per call")
    terms = epochs * terms_per_epoch(scenario.config, scenario.T)
    if terms > settings.max_train_terms:
        raise ScenarioError(
            "epochs",
            f"{epochs} epochs would compute {terms:,} chain-rule terms, more than the server's "
            f"limit of {settings.max_train_terms:,} per call: train fewer epochs at a time",
        )


def check_gradcheck(scenario: Scenario, settings: Settings) -> None:
    steps = forward_steps(scenario)
    if steps > settings.max_gradcheck_steps:
        raise ScenarioError(
            "inputs",
            f"a gradient check of this scenario takes {steps:,} forward steps, more than the "
            f"server's limit of {settings.max_gradcheck_steps:,}: use fewer time steps, "
            "smaller sizes or no truncation",
        )


def _size(shape: tuple[int, ...]) -> int:
    size = 1
    for n in shape:
        size *= n
    return size

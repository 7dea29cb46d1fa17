"""The server's limits (app.settings.Settings), checked before the core does any work.

Sizes are counted, never computed from values: d, H, K and T, the epochs of one train
call, and how many forward steps a gradient check takes. No scenario within them is
refused for the size of its trace: a step answers summaries of its terms, and a term's
factors are built when asked for (GET /api/sessions/{id}/terms/{param}:{k}:{t}).
"""

from __future__ import annotations

from app.core import Config, Scenario, ScenarioError
from app.core.gradcheck import forward_steps
from app.settings import Settings


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


def check_train(scenario: Scenario, epochs: int, settings: Settings) -> None:
    """At most max_epochs_per_train updates per call (training builds no chain-rule terms)."""
    if epochs > settings.max_epochs_per_train:
        raise ScenarioError("epochs", f"must be <= {settings.max_epochs_per_train} per call")


def check_gradcheck(scenario: Scenario, settings: Settings) -> None:
    steps = forward_steps(scenario)
    if steps > settings.max_gradcheck_steps:
        raise ScenarioError(
            "inputs",
            f"a gradient check of this scenario takes {steps:,} forward steps, more than the "
            f"server's limit of {settings.max_gradcheck_steps:,}: use fewer time steps, "
            "smaller sizes or no truncation",
        )

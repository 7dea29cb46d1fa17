"""The server's limits (app.settings.Settings), checked before the core does any work.

Sizes are counted, never computed from values: d, H, K and T, the epochs of one train
call, and how many forward steps a gradient check takes. No scenario within them is
refused for the size of its trace: a step answers summaries of its terms, and a term's
factors are built when asked for (GET /api/sessions/{id}/terms/{param}:{k}:{t}).

Long work has a time budget: a train call's epochs x T steps and a gradient check's
forward steps, each costed per step for the cell and its sizes (STEP_COSTS, measured on
the reference machine of docs/performance.md, "Holding up"), must fit in
BPTT_TRAIN_BUDGET_SECONDS and BPTT_GRADCHECK_BUDGET_SECONDS; the flow's gauge and the
whole passes it makes (a what-if, the full gradient beside a truncated one) in
BPTT_FLOW_BUDGET_SECONDS.
"""

from __future__ import annotations

from app.core import Config, Scenario, ScenarioError
from app.core.gradcheck import forward_steps
from app.core.regime import gauge_work
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


# Microseconds per time step on the reference machine, per cell: a fixed part (the step's
# Python) and a part per multiply-add of H (H + d + K), for a training step (forward,
# backward and its share of the update) and for a gradient check's forward step. Measured
# at T = 50 and 200 (the larger, where arrays outgrow the caches), rounded up.
STEP_COSTS: tuple[tuple[str, tuple[float, float], tuple[float, float]], ...] = (
    # cell     training step     gradient check's forward step
    ("elman", (12.0, 0.001), (12.0, 0.002)),
    ("gru", (36.0, 0.024), (25.0, 0.010)),
    ("lstm", (50.0, 0.025), (35.0, 0.012)),
)


def step_seconds(config: Config, gradcheck: bool = False) -> float:
    """About how long one step of this cell at these sizes takes on the reference machine."""
    fixed, per_weight = next(
        costs[2 if gradcheck else 1] for costs in STEP_COSTS if costs[0] == config.cell
    )
    H = config.hidden_size
    weights = H * (H + config.input_size + config.output_size)
    return (fixed + per_weight * weights) * 1e-6


def check_train(scenario: Scenario, epochs: int, settings: Settings) -> None:
    """At most max_epochs_per_train updates per call, and within the train budget."""
    if epochs > settings.max_epochs_per_train:
        raise ScenarioError("epochs", f"must be <= {settings.max_epochs_per_train} per call")
    per_epoch = scenario.T * step_seconds(scenario.config)
    budget = settings.train_budget_seconds
    if epochs * per_epoch > budget:
        allowed = max(1, int(budget / per_epoch))
        raise ScenarioError(
            "epochs",
            f"must be <= {allowed:,} per call for this scenario: {epochs:,} epochs of it are "
            f"about {epochs * per_epoch:.1f} s of work, over the server's budget of "
            f"{budget:g} s per call (BPTT_TRAIN_BUDGET_SECONDS); train in several calls",
        )


def check_gradcheck(scenario: Scenario, settings: Settings) -> None:
    """At most max_gradcheck_steps forward steps, and within the gradient check budget."""
    steps = forward_steps(scenario)
    if steps > settings.max_gradcheck_steps:
        raise ScenarioError(
            "inputs",
            f"a gradient check of this scenario takes {steps:,} forward steps, more than the "
            f"server's limit of {settings.max_gradcheck_steps:,}: use fewer time steps, "
            "smaller sizes or no truncation",
        )
    seconds = steps * step_seconds(scenario.config, gradcheck=True)
    if seconds > settings.gradcheck_budget_seconds:
        raise ScenarioError(
            "inputs",
            f"a gradient check of this scenario is about {seconds:.1f} s of work "
            f"({steps:,} forward steps), over the server's budget of "
            f"{settings.gradcheck_budget_seconds:g} s (BPTT_GRADCHECK_BUDGET_SECONDS): use "
            "fewer time steps, smaller sizes or no truncation",
        )


# The flow's costs on the reference machine (docs/performance.md, "Insight routes"): a
# whole pass through the stepping path (bptt: a record per step) is at most STEPPING times
# a training step's cost, and the gauge's SVDs and eigensolves GAUGE_SECONDS per S^3
# (measured at H = 64, T = 200: Elman 0.25-0.5 s for 1.3e8 S^3, LSTM 0.2-0.4 s for 5e8).
STEPPING = 10.0
GAUGE_SECONDS = 4e-9


def check_flow(scenario: Scenario, passes: int, settings: Settings) -> None:
    """The gauge and `passes` whole epochs (0, 1 or 2) within the flow's budget."""
    T = scenario.T
    seconds = gauge_work(scenario.config, T) * GAUGE_SECONDS
    seconds += passes * T * step_seconds(scenario.config) * STEPPING
    if seconds > settings.flow_budget_seconds:
        raise ScenarioError(
            "inputs",
            f"the gradient flow of this scenario is about {seconds:.1f} s of work (the "
            f"gauge's SVDs at T = {T} and {passes} whole pass{'es' if passes != 1 else ''}), "
            f"over the server's budget of {settings.flow_budget_seconds:g} s "
            "(BPTT_FLOW_BUDGET_SECONDS): use fewer time steps or a smaller hidden size",
        )

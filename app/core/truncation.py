"""What truncation throws away: the terms outside the window, and how far the truncated
gradient is from the full one.

Truncated BPTT with window tau keeps term(k, t) iff k - t < tau (Config.keeps_term), so

    g_truncated = sum over k - t < tau of term(k, t)        g_full = sum over every k >= t

and the gap per parameter is |g_truncated - g_full|_2 / |g_full|_2. The dropped terms
themselves are what the backward steps summarised (BackwardRecord.dropped); the full
gradient comes from a whole pass of the same weights without truncation.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from app.core.epochs import bptt
from app.core.model import Scenario
from app.core.stepper import Run
from app.core.trace import term_sizes


@dataclass(frozen=True, eq=False)
class TruncationGap:
    """One parameter's two gradients and how far apart they are."""

    param: str
    truncated: np.ndarray  # the sum of the kept terms, shaped like the parameter
    full: np.ndarray  # the sum of every term
    relative: float  # |truncated - full| / |full| (0 if both are 0, inf if only full is)


def untruncated(scenario: Scenario) -> Scenario:
    """The same scenario with full BPTT (truncation None)."""
    config = replace(scenario.config, truncation=None)
    return Scenario(config, scenario.params, scenario.inputs, scenario.targets)


def dropped_sizes(run: Run, param: str) -> np.ndarray:
    """(len(S), T): the sizes of the terms the window drops at the backward steps taken
    (k - t >= tau), as the steps summarised them; NaN for a kept term or a step not taken."""
    ks = run.scenario.config.loss_steps(run.T)
    return term_sizes(run, param, dropped=True)[np.array(ks) - 1]


def truncation_gaps(run: Run, full: Run | None = None) -> tuple[TruncationGap, ...] | None:
    """Per parameter, g_truncated against g_full, once the backward pass is complete (None
    before, or without truncation)."""
    if run.scenario.config.truncation is None or len(run.backward) < run.T:
        return None
    full = full or bptt(untruncated(run.scenario))
    gaps = []
    for name, truncated in run.backward[-1].grads.items():
        whole = full.backward[-1].grads[name]
        with np.errstate(all="ignore"):
            gap, size = np.linalg.norm(truncated - whole), np.linalg.norm(whole)
            relative = float(gap / size) if size > 0 else (0.0 if gap == 0 else float("inf"))
        gaps.append(TruncationGap(name, truncated, whole, relative))
    return tuple(gaps)

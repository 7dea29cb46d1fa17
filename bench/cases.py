"""One benchmark case: check the gradients, then time every path side by side.

The first call of each path is both the warm-up and the check: its gradients are compared
with the baseline's, and its time sets how often the path is repeated (enough repeats to
fill `budget` seconds, at least 3, at most 41; none when one call already takes longer).
Times are read from `clock`: by default the process's CPU time, which on a shared machine
leaves out the time the process waited for a core (every path runs on one thread).
The repeats are interleaved, one call of each path per round in a shuffled order, so that
a change in the machine's load, or the caches another path leaves cold, falls on every
path alike; each timing is the median of its repeats.

A core path whose single epoch would take longer than `cap` seconds is skipped: the
prediction is the previous size's time scaled by the growth in T * H^2 to the power GROWTH,
made only when that time was over TRUST_ABOVE (so a fast core is never skipped); the
stepping path also stops itself once it has run `cap` seconds.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from bench.baselines import baseline_epoch
from bench.core_adapter import (
    LEARNING_RATE,
    StepDeadlineError,
    core_step,
    core_train,
    make_scenario,
    param_arrays,
    trained_names,
)

PATHS = ("base", "train", "step", "torch")
CORE_PATHS = ("train", "step")
MIN_REPEATS, MAX_REPEATS = 3, 41
TRUST_ABOVE = 0.1  # seconds: below this, fixed costs dominate and predict nothing
GROWTH = 1.5  # time ~ (T * H^2) ** GROWTH: today's core grows so from (8, 32, 50) on


@dataclass(frozen=True)
class Case:
    cell: str
    mode: str
    d: int
    H: int
    T: int

    @property
    def label(self) -> str:
        return f"{self.cell} {self.mode} (d, H, T) = ({self.d}, {self.H}, {self.T})"

    @property
    def work(self) -> int:
        return self.T * self.H * max(self.H, self.d)


@dataclass(frozen=True)
class Settings:
    budget: float = 0.4  # seconds of repeats per path and case
    cap: float = 20.0  # the longest single epoch of a core path, seconds
    use_torch: bool = False
    clock: Callable[[], float] = time.process_time


@dataclass(frozen=True)
class Timing:
    seconds: float | None  # the median, None when not measured
    repeats: int = 0
    note: str = ""  # why it was not measured


@dataclass(frozen=True, eq=False)
class Result:
    case: Case
    timings: dict[str, Timing]
    grad_error: float | None  # max relative error of the core's (and torch's) gradients
    checked: tuple[str, ...] = field(default=())  # the paths whose gradients were compared


def relative_error(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> float:
    """max over parameters of ||a - b|| / max(||a||, ||b||); inf when the names differ."""
    if set(a) != set(b):
        return float("inf")
    errors = [0.0]
    for name in a:
        a_value, b_value = np.asarray(a[name]), np.asarray(b[name])
        scale = max(np.linalg.norm(a_value), np.linalg.norm(b_value))
        if scale > 0:
            errors.append(float(np.linalg.norm(a_value - b_value) / scale))
    return max(errors)


def _runners(case: Case, settings: Settings) -> dict[str, tuple[Callable, Callable]]:
    """For each path: (prepare, run); prepare's work is not timed, run(prepared) is."""
    scenario = make_scenario(case.cell, case.d, case.H, case.T, case.mode)
    params, X, Y = param_arrays(scenario), scenario.inputs, scenario.targets
    runners = {
        "base": (
            lambda: None,
            lambda _: baseline_epoch(case.cell, params, X, Y, LEARNING_RATE, case.mode),
        ),
        "train": (lambda: None, lambda _: core_train(scenario)),
        "step": (
            lambda: settings.clock() + settings.cap,
            lambda deadline: core_step(scenario, deadline, settings.clock),
        ),
    }
    if settings.use_torch:
        import torch

        from bench.torch_models import to_tensors, torch_epoch

        torch.set_num_threads(1)
        X_t, Y_t, trained = torch.tensor(X), torch.tensor(Y), trained_names(scenario)
        runners["torch"] = (
            lambda: to_tensors(params, trained),
            lambda p: torch_epoch(case.cell, p, X_t, Y_t, LEARNING_RATE, case.mode),
        )
    return runners


def _skip_note(path: str, case: Case, previous: Result | None, cap: float) -> str:
    if path not in CORE_PATHS or previous is None:
        return ""
    before = previous.timings[path]
    if before.seconds is None:
        return "skipped (the size before was not measured)"
    if before.seconds < TRUST_ABOVE:
        return ""
    predicted = before.seconds * (case.work / previous.case.work) ** GROWTH
    return f"skipped (~{predicted:.0f} s predicted)" if predicted > cap else ""


def _timed(runner: tuple[Callable, Callable], clock: Callable[[], float]) -> tuple[float, object]:
    prepare, run = runner
    prepared = prepare()
    begin = clock()
    value = run(prepared)
    return clock() - begin, value


def measure_case(case: Case, previous: Result | None, settings: Settings) -> Result:
    """Check the gradients once, then time every path; see the module's docstring."""
    runners = _runners(case, settings)
    first: dict[str, float] = {}
    epochs: dict[str, object] = {}
    notes: dict[str, str] = {}
    for path, runner in runners.items():
        notes[path] = _skip_note(path, case, previous, settings.cap)
        if notes[path]:
            continue
        try:
            first[path], epochs[path] = _timed(runner, settings.clock)
        except StepDeadlineError as stop:
            notes[path] = f"over {settings.cap:.0f} s ({stop})"
        except Exception as error:  # one broken path must not hide the others' figures
            notes[path] = f"failed ({type(error).__name__}: {error})"
    checks = _checks(epochs)
    samples = _repeat(runners, first, settings)
    timings = {
        path: Timing(statistics.median(samples[path]), len(samples[path]))
        if path in first
        else Timing(None, 0, notes[path])
        for path in runners
    }
    grad_error = max(checks.values()) if checks else None
    return Result(case, timings, grad_error, tuple(checks))


def _checks(epochs: dict[str, object]) -> dict[str, float]:
    """Each path's largest relative error against the baseline, gradients and loss."""
    base = epochs.get("base")
    if base is None:
        return {}
    return {
        path: max(
            relative_error(epoch.grads, base.grads),
            abs(epoch.loss - base.loss) / max(abs(base.loss), 1e-300),
        )
        for path, epoch in epochs.items()
        if path != "base"
    }


def _repeat(
    runners: dict[str, tuple[Callable, Callable]], first: dict[str, float], settings: Settings
) -> dict[str, list[float]]:
    """Interleaved repeats: one call of each path per round, until each has its count."""
    counts = {path: _count(seconds, settings.budget) for path, seconds in first.items()}
    samples: dict[str, list[float]] = {path: [] for path in first}
    order, shuffler = list(first), random.Random(0)
    for round_number in range(max(counts.values(), default=0)):
        # a new order each round: the path run after torch finds the caches cold, and
        # that should fall on every path alike (the medians then leave it out)
        shuffler.shuffle(order)
        for path in order:
            if round_number < counts[path]:
                samples[path].append(_timed(runners[path], settings.clock)[0])
    return {path: samples[path] or [first[path]] for path in first}


def _count(seconds: float, budget: float) -> int:
    """Repeats after the first call: enough to fill the budget, within the bounds."""
    return 0 if seconds > budget else min(MAX_REPEATS, max(MIN_REPEATS, int(budget / seconds)))

"""The chain-rule terms of a run, built when asked for from what its records keep.

`term_detail(run, param, k, t)` is one term with every factor; `terms_at(run, t)` every
term backward step t completed; `term_sizes(run, param)` the k x t table of their sizes;
`epoch_terms(run, params)` every term of the epoch, the steps not yet taken included.
"""

from __future__ import annotations

import numpy as np

from app.core.entries import with_entries
from app.core.run import StepOrderError
from app.core.stepper import Run, backward_step
from app.core.terms import StepView, Term
from app.core.terms import term_detail as build_term


class TermNotFoundError(LookupError):
    """No such term (yet): the message says why."""


def step_views(run: Run, first: int) -> dict[int, StepView]:
    """The records of steps first..T as the terms need them (backward steps done so far)."""
    done = {record.t: record for record in run.backward}
    views = {}
    for fwd in run.forward[first - 1 :]:
        back = done.get(fwd.t)
        dz = back.dz if back is not None else None
        views[fwd.t] = StepView(fwd.cache, dz, fwd.yhat, fwd.y, back.jacobian if back else None)
    return views


def _check(run: Run, param: str, k: int, t: int) -> None:
    config, T = run.scenario.config, run.T
    if param not in config.param_names:
        raise TermNotFoundError(
            f"{param} is not a parameter of this model ({', '.join(config.param_names)})"
        )
    done = {record.t for record in run.backward}
    if t not in done:
        raise TermNotFoundError(f"backward step t = {t} has not been taken yet this epoch")
    # a cell parameter's terms at t: every loss k >= t, kept or dropped by the window
    kept = tuple(k for k in config.loss_steps(T) if k >= t)
    if param in config.output_params:
        kept = (t,) if t in config.loss_steps(T) else ()
    if k not in kept:
        steps = ", ".join(map(str, kept)) or "none"
        raise TermNotFoundError(
            f"there is no term {param}:{k}:{t} (the loss steps k it has at t = {t}: {steps})"
        )


def term_detail(run: Run, param: str, k: int, t: int) -> Term:
    """term(k, t) of `param`, with its factors, value, running sum and path."""
    _check(run, param, k, t)
    before = next((r.grads for r in run.backward if r.t == t + 1), None)
    running = before[param] if before is not None else np.zeros_like(run.scenario.params[param])
    views = step_views(run, t)
    config, params = run.scenario.config, run.scenario.params.arrays
    term = build_term(config, params, views, param, k, t, running)
    return with_entries(config, params, views, term)


def terms_at(run: Run, t: int) -> tuple[Term, ...]:
    """Every term backward step t completed, in its record's order (by parameter, then k)."""
    record = next(r for r in run.backward if r.t == t)
    return tuple(
        term_detail(run, summary.param, k, t) for summary in record.terms for k in summary.ks
    )


def dropped_at(run: Run, t: int) -> tuple[Term, ...]:
    """Every term the truncation window dropped at backward step t (by parameter, then k)."""
    record = next(r for r in run.backward if r.t == t)
    return tuple(
        term_detail(run, summary.param, k, t) for summary in record.dropped for k in summary.ks
    )


def term_sizes(run: Run, param: str, dropped: bool = False) -> np.ndarray:
    """(T, T): entry [k-1, t-1] the size of term(k, t) of `param`, NaN where there is none
    (`dropped`: of the terms the truncation window drops instead).

    Read from the summaries of the backward steps taken, which come from one batched pass
    (the rows dl_k/ds_t of all losses propagated together as a matrix).
    """
    sizes = np.full((run.T, run.T), np.nan)
    for record in run.backward:
        for summary in record.dropped if dropped else record.terms:
            if summary.param == param:
                sizes[np.array(summary.ks) - 1, record.t - 1] = summary.sizes
    return sizes


def running_sums(run: Run, term: Term) -> dict[str, np.ndarray | None]:
    """dL/dtheta so far at `term`, for every parameter: the terms up to and including it, in
    the order the backward pass completes them (None for a parameter with none yet)."""
    t, names = term.t, run.scenario.config.param_names
    record = next(r for r in run.backward if r.t == t)
    later = [r for r in run.backward if r.t > t]
    before = later[-1].grads if later else None
    order = [summary.param for summary in record.terms]  # in the order of names
    here = names.index(term.param)  # a dropped term comes after its parameter's kept ones
    sums: dict[str, np.ndarray | None] = {}
    for name in names:
        done_here = name in order and names.index(name) < here
        seen = done_here or any(s.param == name for r in later for s in r.terms)
        if name == term.param:
            sums[name] = term.running
        elif done_here:
            sums[name] = record.grads[name]
        else:
            sums[name] = before[name] if seen and before is not None else None
    return sums


def epoch_terms(run: Run, params: tuple[str, ...]) -> dict[str, tuple[Term, ...]]:
    """Every term of `params` this epoch, each parameter's in the order the page walks them
    (t from T down to 1; at each t the kept terms by k, then the dropped ones), with the value,
    before and so far that term_detail gives each. The backward steps not taken yet are taken
    on the run (a value: the caller's run does not change), so the numbers are those the
    steps will give. StepOrderError until the forward pass is complete."""
    if run.phase == "forward":
        raise StepOrderError(
            f"the forward pass is at t={len(run.forward)} of {run.T}: "
            "the epoch's terms follow from a complete forward pass"
        )
    if not params:
        return {}
    done = run
    while done.phase == "backward":
        done, _ = backward_step(done)
    config, arrays = done.scenario.config, done.scenario.params.arrays
    chains: dict[str, list[Term]] = {param: [] for param in params}
    for n, record in enumerate(done.backward):  # t = T, ..., 1
        views = step_views(done, record.t)
        before = done.backward[n - 1].grads if n else None  # the sums over the steps after t
        for group in (*record.terms, *record.dropped):  # kept first: a dropped one adds 0
            if group.param not in chains:
                continue
            running = before[group.param] if before else np.zeros_like(arrays[group.param])
            chains[group.param] += [
                build_term(config, arrays, views, group.param, k, record.t, running)
                for k in group.ks
            ]
    return {param: _walked(terms) for param, terms in chains.items()}


def _walked(terms: list[Term]) -> tuple[Term, ...]:
    """A parameter's terms in the page's order: by t descending, kept before dropped, by k."""
    return tuple(sorted(terms, key=lambda term: (-term.t, term.dropped, term.k)))

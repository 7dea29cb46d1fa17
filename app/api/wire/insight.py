"""Why the gradient fades or grows: the flow over time, the regime gauge, truncation's cost."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from app.api.wire.base import Array, Divergence, Matrix, Vector, Wire, array
from app.core import GradCheck, Run
from app.core.flow import Flow
from app.core.gradcheck import entry_errors
from app.core.records import Divergence as CoreDivergence
from app.core.regime import REGIMES, Gauge, step_spectra
from app.core.truncation import TruncationGap as CoreGap


class RegimeGauge(Wire):
    """|prod ds_j/ds_{j-1}| against the distance k - t from the last loss step, and why."""

    k: int = Field(description="The loss step the products start from (T).")
    distances: list[int] = Field(description="m = k - t = 0, 1, ..., as far as computed.")
    norms: Vector = array("|ds_k/ds_(k-m)|_2 for each distance (1 at m = 0);")
    log10_norms: Vector = array("log10 of norms (computed in log space: never overflows);")
    matrix: str = Field(
        description='What sigma_max and the spectral radius are of: "W_h" for the Elman cell; '
        'for GRU and LSTM "ds_j/ds_(j-1)", the state Jacobians, which change with j: then both '
        "are the largest over the steps in spectrum_steps."
    )
    sigma_max: float | None = array("Its largest singular value;")
    spectral_radius: float | None = array("Its largest |eigenvalue|;")
    spectrum_steps: list[int] = Field(
        description="The steps j whose state Jacobian ds_j/ds_(j-1) the per-step spectrum "
        "below is of, from T down (the backward steps taken; before any, T from the forward "
        "pass); past the server's work limit only the nearest the loss."
    )
    step_sigma_max: Vector = array("sigma_max(ds_j/ds_(j-1)) for each j in spectrum_steps;")
    step_spectral_radius: Vector = array("Its spectral radius for each j;")
    jacobians_measured: int = Field(
        description="How many state Jacobians are measured (spectrum_steps may hold fewer)."
    )
    gamma: float | None = Field(
        description="The activation's largest derivative (tanh 1, "
        "sigmoid 0.25); null for gated cells."
    )
    bound: float | None = Field(
        description="sigma_max * gamma: below 1 the gradient must "
        "vanish (Pascanu et al.); null for gated cells."
    )
    rate: float | None = Field(
        description="The measured factor per step: 10^slope of the "
        "least-squares line through log10_norms; null before two points."
    )
    regime: Literal[REGIMES] = Field(  # type: ignore[valid-type]
        description="vanishing, exploding, neither, or unknown before a Jacobian is measured."
    )
    sentence: str = Field(description="The regime and why, in numbers.")

    @classmethod
    def of(cls, gauge: Gauge) -> RegimeGauge:
        spectra = gauge.spectra or step_spectra([])
        return cls.make(
            {
                "k": gauge.k,
                "distances": gauge.distances,
                "norms": gauge.norms,
                "log10_norms": gauge.log10_norms,
                "matrix": gauge.matrix,
                "sigma_max": gauge.sigma_max,
                "spectral_radius": gauge.spectral_radius,
                "spectrum_steps": list(spectra.steps),
                "step_sigma_max": spectra.sigma_max,
                "step_spectral_radius": spectra.spectral_radius,
                "jacobians_measured": spectra.measured,
                "gamma": gauge.gamma,
                "bound": gauge.bound,
                "rate": gauge.rate,
                "regime": gauge.regime,
                "sentence": gauge.sentence,
            }
        )


class TruncationGap(Wire):
    """One parameter's truncated and full gradients, and how far apart they are."""

    param: str = Field(description="The parameter.")
    truncated: Array = array("The sum of the kept terms (k - t < tau), shaped like it;")
    full: Array = array("The sum of every term (full BPTT);")
    relative_difference: float | None = array("|truncated - full| / |full|;")

    @classmethod
    def of(cls, gap: CoreGap) -> TruncationGap:
        return cls.make(
            {
                "param": gap.param,
                "truncated": gap.truncated,
                "full": gap.full,
                "relative_difference": gap.relative,
            }
        )


class GradientFlow(Wire):
    """How the gradient flows back in time this epoch (or in a what-if at a W_h scale)."""

    epoch: int = Field(description="The session's epoch.")
    param: str = Field(description="The parameter whose terms `sizes` holds.")
    params: list[str] = Field(description="Every parameter that has terms, for a picker.")
    scale: float | None = Field(
        description="null: the session's own steps, as far as taken. A number: a what-if, the "
        "whole epoch computed with the recurrent weights times it (nothing is changed)."
    )
    complete: bool = Field(description="Every backward step is computed.")
    state_grad_norms: Vector = array("|dL/dh_t| for t = 1..T; null where not computed yet;")
    ks: list[int] = Field(
        description="The loss step k of each row of sizes (one row, k = T, for many-to-one)."
    )
    sizes: Matrix = array("sizes[r][t-1] = |term(ks[r], t)|; null where there is none (yet);")
    size_range: list[float] | None = Field(
        description="[smallest, largest] positive size: the colour scale's ends; null if none."
    )
    gauge: RegimeGauge = Field(description="The regime gauge.")
    diverged: Divergence | None = Field(
        description="null, or the run's first overflow. Once an update has overflowed (the "
        "weights no longer finite), everything here is of the epoch that update ended, passed "
        "again from its starting weights, and this names the update's overflow."
    )
    truncation: int | None = Field(description="The window tau; null for full BPTT.")
    dropped_sizes: Matrix = array(
        "Like sizes, for the terms the window drops (k - t >= tau) at the steps taken; null "
        "for a kept term, a step not taken, or without truncation;"
    )
    gaps: list[TruncationGap] | None = Field(
        description="Per parameter, once the backward pass is complete with truncation: the "
        "truncated and the full gradient; null before, or without truncation."
    )

    @classmethod
    def of(
        cls,
        run: Run,
        flow: Flow,
        gauge: Gauge,
        scale: float | None,
        dropped: np.ndarray,
        gaps: tuple[CoreGap, ...] | None,
        diverged: CoreDivergence | None,
    ) -> GradientFlow:
        size_range = flow.size_range
        return cls.make(
            {
                "epoch": run.epoch,
                "param": flow.param,
                "params": list(run.scenario.config.param_names),
                "scale": scale,
                "complete": flow.complete,
                "state_grad_norms": flow.state_grad_norms,
                "ks": list(flow.ks),
                "sizes": flow.sizes,
                "size_range": None if size_range is None else list(size_range),
                "gauge": RegimeGauge.of(gauge),
                "diverged": Divergence.of(diverged),
                "truncation": run.scenario.config.truncation,
                "dropped_sizes": dropped,
                "gaps": None if gaps is None else [TruncationGap.of(gap) for gap in gaps],
            }
        )


TOLERANCE_SAID = (
    "The largest relative error that passes: 1e-6, or where the pass explodes T * A * 2.2e-16 "
    "(A the Jacobian products' largest norm: rounding grows that much; tolerance_note says so)."
)
NOTE_SAID = "Empty at 1e-6; else a sentence saying why the tolerance is larger, with its numbers."


class EntryCheck(Wire):
    """One entry of a parameter: its two gradients and how far apart they are."""

    index: list[int] = Field(description="Where in the parameter, e.g. [1, 0] (from 0).")
    analytic: float | None = array("The backward pass's value (before any clipping);")
    numeric: float | None = array("The central difference;")
    relative_error: float | None = array(
        "|analytic - numeric| / max(|analytic|, |numeric|, floor);"
    )
    passed: bool = Field(description="relative_error below the tolerance.")


class ParamGradCheck(Wire):
    """One parameter checked: its worst entry, and every entry."""

    shape: list[int] = Field(description="The parameter's shape.")
    relative_error: float | None = array("|analytic - numeric| / max(...) over the whole array;")
    passed: bool = Field(description="relative_error below the tolerance.")
    worst: EntryCheck = Field(description="The entry with the largest relative error.")
    entries: list[EntryCheck] = Field(description="Every entry, row by row.")


class SessionGradCheck(Wire):
    """The session's gradient (this epoch's weights) against central differences."""

    epoch: int = Field(description="The epoch whose weights were checked.")
    cell: str = Field(description="elman, gru or lstm.")
    eps: float = Field(description="The finite-difference step.")
    tolerance: float = Field(description=TOLERANCE_SAID)
    tolerance_note: str = Field(description=NOTE_SAID)
    floor: float = Field(
        description="The smallest size an error is measured against "
        "(1e-4 * max(1, |L|): rounding limits the differences below it)."
    )
    passed: bool = Field(description="No overflow, and every parameter passed.")
    max_relative_error: float | None = array("The largest relative error;")
    diverged: Divergence | None = Field(description="null, or where the run overflowed.")
    params: dict[str, ParamGradCheck] = Field(description="By parameter name.")

    @classmethod
    def of(cls, run: Run, check: GradCheck) -> SessionGradCheck:
        params = {}
        for name, param in check.params.items():
            errors = entry_errors(param, check.floor)
            entries = [
                EntryCheck.make(
                    {
                        "index": list(index),
                        "analytic": float(param.analytic[index]),
                        "numeric": float(param.numeric[index]),
                        "relative_error": float(errors[index]),
                        "passed": bool(errors[index] < check.tolerance),
                    }
                )
                for index in np.ndindex(param.analytic.shape)
            ]
            worst = int(np.nanargmax(errors)) if np.isfinite(errors).any() else 0
            params[name] = ParamGradCheck.make(
                {
                    "shape": list(param.analytic.shape),
                    "relative_error": param.relative_error,
                    "passed": bool(param.relative_error < check.tolerance),
                    "worst": entries[worst],
                    "entries": entries,
                }
            )
        return cls.make(
            {
                "epoch": run.epoch,
                "cell": run.scenario.config.cell,
                "eps": check.eps,
                "tolerance": check.tolerance,
                "tolerance_note": check.note,
                "floor": check.floor,
                "passed": check.passed,
                "max_relative_error": check.max_relative_error,
                "diverged": Divergence.of(check.diverged),
                "params": params,
            }
        )


class JobCurve(Wire):
    """A curve per epoch, thinned to at most 1,000 buckets of consecutive epochs (never cut)."""

    first: list[int] = Field(description="Each bucket's first epoch of the job (from 1).")
    last: list[int] = Field(description="Its last epoch.")
    low: Vector = array("The smallest value in it;")
    high: Vector = array("The largest;")
    mean: Vector = array("The mean;")


class TrainingJob(Wire):
    """A training job: where it is, and its loss and gradient-norm curves."""

    state: Literal["running", "done", "stopped", "not applied", "failed"] = Field(
        description="running; done; stopped (asked to, or the weights overflowed); not applied "
        "(the session changed meanwhile); failed."
    )
    epochs: int = Field(description="The epochs asked for.")
    done: int = Field(description="The epochs trained so far.")
    start_epoch: int = Field(description="The session's epoch when the job started.")
    message: str = Field(description="Why it stopped, when that needs saying; else empty.")
    diverged: Divergence | None = Field(description="The first overflow, with its epoch.")
    loss: JobCurve = Field(description="L before each update.")
    grad_norm: JobCurve = Field(description="The raw gradient's global L2 norm per update.")

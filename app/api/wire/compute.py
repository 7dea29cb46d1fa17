"""The stateless answers: a whole run at once (/api/bptt), the gradient check, health."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field

from app.api.wire.base import Array, Divergence, Wire, array
from app.api.wire.insight import NOTE_SAID, TOLERANCE_SAID
from app.api.wire.scenario import ParamArrays
from app.api.wire.session import RunState
from app.api.wire.terms import TermDetail
from app.core import GradCheck, Run, Term


class BpttResult(RunState):
    """A whole forward and backward pass at once, with nothing stored."""

    grads: ParamArrays = Field(  # type: ignore[valid-type]
        description="dL/dtheta (the last backward record's grads)."
    )
    term_details: list[TermDetail] = Field(
        description='The terms the request named in `terms` (e.g. ["W_h:3:2"]), in full.'
    )

    @classmethod
    def of(cls, run: Run, seed: int, inline_factor_size: int, details: list[Term]) -> Self:  # type: ignore[override]
        """The finished run, and in full the terms the request named (`details`)."""
        terms = [TermDetail.of(run, term, inline_factor_size) for term in details]
        grads = run.backward[-1].grads
        return super().of(run, seed, inline_factor_size, grads=grads, term_details=terms)


class GradCheckParam(Wire):
    """One parameter's two gradients and how far apart they are."""

    analytic: Array = array("The backward pass's gradient, shaped like the parameter;")
    numeric: Array = array("The central-difference gradient (truncated too, with truncation);")
    relative_error: float | None = array("|analytic - numeric| / max(|analytic|, |numeric|);")


class GradCheckResult(Wire):
    """The backward pass's gradients against central differences."""

    eps: float = Field(description="The finite-difference step.")
    tolerance: float = Field(description=TOLERANCE_SAID)
    tolerance_note: str = Field(description=NOTE_SAID)
    passed: bool = Field(description="No overflow, and every relative error below tolerance.")
    max_relative_error: float | None = array("The largest relative_error;")
    diverged: Divergence | None = Field(
        description="null, or where the run overflowed (then passed is false)."
    )
    params: dict[str, GradCheckParam] = Field(description="By parameter name.")

    @classmethod
    def of(cls, check: GradCheck) -> GradCheckResult:
        params = {
            name: GradCheckParam.make(
                {
                    "analytic": param.analytic,
                    "numeric": param.numeric,
                    "relative_error": param.relative_error,
                }
            )
            for name, param in check.params.items()
        }
        return cls.make(
            {
                "eps": check.eps,
                "tolerance": check.tolerance,
                "tolerance_note": check.note,
                "passed": check.passed,
                "max_relative_error": check.max_relative_error,
                "diverged": Divergence.of(check.diverged),
                "params": params,
            }
        )


class Health(Wire):
    """The server is up."""

    status: Literal["ok"] = Field(description='Always "ok".')

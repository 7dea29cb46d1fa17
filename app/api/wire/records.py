"""The step records: forward, and backward with its term summaries.

Big arrays are left out (null) past the sizes below; the route for a term gives the rest.
"""

from __future__ import annotations

from typing import Any, Literal, Self

from pydantic import Field

from app.api.wire.base import (
    JSON,
    NULL,
    Array,
    Divergence,
    Matrix,
    Path,
    Vector,
    Wire,
    array,
    first_overflow,
)
from app.api.wire.scenario import ParamArrays
from app.core import BackwardRecord as CoreBackward
from app.core import ForwardRecord as CoreForward
from app.core import StepTerms as CoreStepTerms

GRADS_INLINE = 2_000  # a backward step sends its gradient sums up to this many numbers
TERM_VALUES_INLINE = 4  # a step's term values of one parameter: up to 4 x inline_factor_size
JACOBIAN_INLINE = 1_024  # a backward record carries its Jacobian (S, S) up to this many numbers


class ForwardRecord(Wire):
    """Forward step t: the cell's step (elman: a_t = W_x x_t + W_h h_{t-1} + b,
    h_t = f(a_t)), and at a loss step the output and its loss."""

    kind: Literal["forward"] = Field(description='Always "forward".')
    t: int = Field(description="The time step, 1..T.")
    x: Vector = array("The input x_t, (d,).")
    h_prev: Vector = array("h_{t-1}, (H,).")
    c_prev: Vector | None = Field(None, description="lstm only: c_{t-1}, (H,)." + NULL)
    h: Vector = array("The hidden state h_t, (H,).")
    c: Vector | None = Field(None, description="lstm only: the cell state c_t, (H,)." + NULL)
    a: Vector | None = array("elman: the pre-activation a_t, (H,); null for gru and lstm;")
    values: dict[str, Vector] = Field(
        description="The step's named values, each (H,): elman a; gru z, r, n; lstm i, f, "
        "o, g, tanh_c." + NULL
    )
    z: Vector | None = array("The logits z_t = W_y h_t + b_y, (K,); null if t is no loss step;")
    yhat: Vector | None = array("The output yhat_t, (K,); null if t is no loss step;")
    y: Vector | None = Field(description="The target y_t, (K,); null if t is no loss step.")
    loss: float | None = array("The loss l_t; null if t is no loss step, or")
    loss_so_far: float | None = array("The sum of l_k over loss steps k <= t;")
    path: Path = Field(description="The part of the graph this step computes.")
    diverged: Divergence | None = first_overflow()

    @classmethod
    def of(cls, record: CoreForward, **more: Any) -> Self:
        """The record's values (the states before and after named h_prev, h, c_prev, c)."""
        states, cache = record.states, record.cache
        values: JSON = {
            "kind": record.kind,
            "t": record.t,
            "x": record.x,
            **{f"{s}_prev": value for s, value in zip(states, cache.state_prev, strict=True)},
            **dict(zip(states, cache.state, strict=True)),
            "a": record.a,
            "values": cache.values,
            "z": record.z,
            "yhat": record.yhat,
            "y": record.y,
            "loss": record.loss,
            "loss_so_far": record.loss_so_far,
            "path": Path.of(record.path),
            "diverged": Divergence.of(record.diverged),
            **more,
        }
        return cls.make(values)


class StepTerms(Wire):
    """The terms a backward step completes for one parameter, as columns."""

    param: str = Field(description="The parameter.")
    t: int = Field(description="The step where it is used (the record's t).")
    ks: list[int] = Field(description="The loss steps k, ascending: term k:t for each.")
    sizes: list[float | None] = array("Each term's Frobenius norm, in the order of ks;")
    values: list[Array] | None = Field(
        description="Each term's value, shaped like the parameter, when it has at most "
        "inline_factor_size numbers; else null (GET .../terms/{param}:{k}:{t})." + NULL
    )

    @classmethod
    def of(cls, summary: CoreStepTerms, inline_factor_size: int) -> StepTerms:
        """The values only while they hold at most TERM_VALUES_INLINE x inline_factor_size
        numbers (and the core kept them: up to app.core.terms.SMALL_TERMS numbers)."""
        values = summary.values
        small = values is not None and values.size <= TERM_VALUES_INLINE * inline_factor_size
        return cls.make(
            {
                "param": summary.param,
                "t": summary.t,
                "ks": summary.ks,
                "sizes": summary.sizes,
                "values": values if small else None,
            }
        )


class BackwardRecord(Wire):
    """Backward step t (T down to 1): dL/ds_t, the cell's local gradients, the gradients so
    far, and a summary of each term the step completes."""

    kind: Literal["backward"] = Field(description='Always "backward".')
    t: int = Field(description="The time step, counting down from T to 1.")
    dz: Vector | None = array("dl_t/dz_t, (K,); null if t is no loss step;")
    dh: Vector = array("dL/dh_t, (H,) (with truncation, the kept terms' share);")
    dc: Vector | None = Field(None, description="lstm only: dL/dc_t, (H,)." + NULL)
    delta: Vector | None = array("elman: delta_t = dL/da_t = dL/dh_t * f'(a_t), (H,); else")
    f_grad: Vector | None = array("elman: f'(a_t), (H,); null for gru and lstm, or")
    local: dict[str, Vector] = Field(
        description="The cell's local gradients, each (H,): elman delta, f_grad; gru da_z, "
        "da_r, da_n; lstm dc_total, da_i, da_f, da_o, da_g." + NULL
    )
    jacobian: Matrix | None = array(
        "ds_t/ds_{t-1} (S, S) with S = H (2H for lstm); null past 1,024 numbers, or"
    )
    grads: ParamArrays | None = Field(  # type: ignore[valid-type]
        description="The recursion's sums over steps T..t (after t = 1, dL/dtheta); null in a "
        "step's answer past 2,000 numbers (the state's last record always has them)."
    )
    terms: list[StepTerms] = Field(
        description="The terms this step completes, by parameter (the cell's, then W_y, b_y): "
        "id param:k:t for each k. Their factors: GET /api/sessions/{id}/terms/{param}:{k}:{t}."
    )
    dropped: list[StepTerms] = Field(
        description="The terms the truncation window drops at this step (k - t >= tau), "
        "summarised like terms: their values, not added to grads (empty without truncation). "
        "GET /api/sessions/{id}/terms/{param}:{k}:{t} builds one, with dropped true."
    )
    path: Path = Field(description="The part of the graph this step goes back along.")
    diverged: Divergence | None = first_overflow()

    @classmethod
    def of(cls, record: CoreBackward, inline_factor_size: int, **more: Any) -> Self:
        """The recursion's values at t; the Jacobian and the gradients only when small
        (`grads=` in `more` gives them whatever their size)."""
        S = record.jacobian.shape[0]
        numbers = sum(g.size for g in record.grads.values())
        values: JSON = {
            "kind": record.kind,
            "t": record.t,
            "dz": record.dz,
            **{f"d{s}": value for s, value in zip(record.states, record.dstate, strict=True)},
            "delta": record.delta,
            "f_grad": record.f_grad,
            "local": record.local,
            "jacobian": record.jacobian if S * S <= JACOBIAN_INLINE else None,
            "grads": record.grads if numbers <= GRADS_INLINE else None,
            "terms": [StepTerms.of(summary, inline_factor_size) for summary in record.terms],
            "dropped": [StepTerms.of(summary, inline_factor_size) for summary in record.dropped],
            "path": Path.of(record.path),
            "diverged": Divergence.of(record.diverged),
            **more,
        }
        return cls.make(values)

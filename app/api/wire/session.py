"""A session's answers: where it stands (`session` of each step), its whole state, a step."""

from __future__ import annotations

from typing import Any, Literal, Self

from pydantic import Field

from app.api.schemas import ConfigIn
from app.api.wire.base import JSON, Divergence, Matrix, Vector, Wire, array
from app.api.wire.records import BackwardRecord, ForwardRecord
from app.api.wire.scenario import CellInfo, Graph, Params, config_json
from app.api.wire.terms import TermDetail
from app.api.wire.update import OptimizerState, UpdateRecord
from app.core import Divergence as CoreDivergence
from app.core import Run, build_graph
from app.sessions import Outcome
from app.settings import Settings

PARAMS_INLINE = 2_000  # a step's `session` carries the parameters up to this many numbers


class SessionSummary(Wire):
    """Where a run stands; each step's answer carries it as `session`."""

    phase: Literal["forward", "backward", "update"] = Field(description="What comes next.")
    t: int | None = Field(description="The next step's t; null when the update comes next.")
    epoch: int = Field(description="The epoch, from 1; each update starts the next.")
    status: str = Field(description="Where the run is and what comes next, in words.")
    T: int = Field(description="Number of time steps.")
    loss: float | None = Field(
        description="L with this epoch's parameters once the forward pass is complete; "
        "null before, or where it overflowed."
    )
    loss_history: list[float | None] = array("L of each completed epoch, in order;")
    diverged: Divergence | None = Field(
        description="This epoch's first overflow, or else the update that began the epoch's; "
        "null if neither overflowed."
    )
    params: Params | None = Field(  # type: ignore[valid-type]
        None,
        description="This epoch's parameters; in a step's `session` only up to 2,000 "
        "numbers (the state always has them).",
    )

    @classmethod
    def of(cls, run: Run) -> SessionSummary:
        return cls.make(summary_values(run))


def summary_values(run: Run) -> JSON:
    """Where a run stands (the parameters only up to PARAMS_INLINE numbers)."""
    params = run.scenario.params.as_dict()
    values = {
        "phase": run.phase,
        "t": run.next_t,
        "epoch": run.epoch,
        "status": run.status(),
        "T": run.T,
        "loss": run.loss,
        "loss_history": run.loss_history,
        "diverged": Divergence.of(run_diverged(run)),
    }
    if sum(value.size for value in params.values()) <= PARAMS_INLINE:
        values["params"] = params
    return values


def run_diverged(run: Run) -> CoreDivergence | None:
    """This epoch's first divergence, or else the update that started the epoch."""
    if run.diverged is not None:
        return run.diverged
    return run.last_update.diverged if run.last_update is not None else None


class RunState(SessionSummary):
    """Everything computed this epoch."""

    params: Params = Field(description="This epoch's parameters.")  # type: ignore[valid-type]
    cell: CellInfo = Field(description="What the cell declares.")
    config: ConfigIn = Field(description="The network, every field filled in.")
    inputs: Matrix = Field(description="x_1..x_T, (T, d).")
    targets: Matrix | Vector = Field(description="(T, K) for many_to_many; (K,) many_to_one.")
    seed: int = Field(description="The seed; the parameters were drawn from it unless given.")
    graph: Graph = Field(description="The unrolled network.")
    forward: list[ForwardRecord] = Field(description="This epoch's forward records so far.")
    backward: list[BackwardRecord] = Field(description="This epoch's backward records so far.")
    last_update: UpdateRecord | None = Field(
        description="The update that began this epoch; null in epoch 1."
    )
    optimizer_state: OptimizerState | None = Field(
        description="The optimiser's state at the start of this epoch (a link holds it); "
        "null: a fresh one (n = 0, no moments)."
    )

    @classmethod
    def of(cls, run: Run, seed: int, inline_factor_size: int, **more: Any) -> Self:  # type: ignore[override]
        """Every record of this epoch (the last backward record with its whole gradients)."""
        scenario = run.scenario
        backward = [BackwardRecord.of(record, inline_factor_size) for record in run.backward]
        if run.backward:
            last = run.backward[-1]
            backward[-1] = BackwardRecord.of(last, inline_factor_size, grads=last.grads)
        values = summary_values(run)
        values |= {
            "params": scenario.params.as_dict(),
            "cell": CellInfo.of(scenario.config),
            "config": config_json(scenario.config),
            "inputs": scenario.inputs,
            "targets": scenario.targets,
            "seed": seed,
            "graph": Graph.of(build_graph(scenario.config, run.T)),
            "forward": [ForwardRecord.of(record) for record in run.forward],
            "backward": backward,
            "last_update": UpdateRecord.of(run.last_update),
            "optimizer_state": OptimizerState.of(run.optimizer_state),
        }
        return cls.make(values | more)


class SessionState(RunState):
    """A session's whole state: a reloaded page shows the same picture from it."""

    id: str = Field(description="The session id: enough to read the session, not to change it.")
    preset: str | None = Field(description="The preset id it was made from, or null.")

    @classmethod
    def of(cls, outcome: Outcome, settings: Settings, **more: Any) -> Self:  # type: ignore[override]
        record = outcome.record
        more |= {"id": record.id, "preset": record.preset}
        return super().of(outcome.run, record.seed, settings.inline_factor_size, **more)


class SessionCreated(SessionState):
    """The new session's state, with its token."""

    token: str = Field(description="Shown only this once: 'Authorization: Bearer <token>'.")

    @classmethod
    def of(cls, outcome: Outcome, settings: Settings, **more: Any) -> Self:
        return super().of(outcome, settings, token=outcome.token, **more)


class TrainResult(SessionState):
    """The state after training, with the losses on the way."""

    losses: list[float | None] = array("L before each update, one per epoch run;")
    diverged: Divergence | None = Field(
        description="The first overflow in any of these epochs (with its epoch), or else "
        "the state's diverged."
    )

    @classmethod
    def of(cls, outcome: Outcome, settings: Settings, **more: Any) -> Self:
        more["losses"] = outcome.losses
        if outcome.first_divergence is not None:  # else the state's own `diverged`
            epoch, divergence = outcome.first_divergence
            more["diverged"] = Divergence.of(divergence, epoch)
        return super().of(outcome, settings, **more)


class ForwardStep(ForwardRecord):
    """The forward record, and where the session stands after it."""

    session: SessionSummary = Field(description="Where the session stands after this step.")


class BackwardStep(BackwardRecord):
    """The backward record, and where the session stands after it."""

    session: SessionSummary = Field(description="Where the session stands after this step.")
    first_term: TermDetail | None = Field(
        None,
        description="Only when asked for (POST .../backward?first_term=true): the step's first "
        "term in full, as GET .../terms/{id} answers it, so that a client showing it needs no "
        "second request; null when the step completes no term. Absent otherwise.",
    )


class UpdateStep(UpdateRecord):
    """The update record, and where the session stands after it (the next epoch)."""

    session: SessionSummary = Field(description="Where the session stands after the update.")


def step_answer(
    outcome: Outcome, settings: Settings, first_term: TermDetail | bool | None = False
) -> Wire:
    """A step's answer: its record, and as `session` where the session stands after it (for
    a backward step, `first_term` given: that term in full as well)."""
    record, session = outcome.step, SessionSummary.of(outcome.run)
    if record.kind == "forward":
        return ForwardStep.of(record, session=session)
    if record.kind == "backward":
        more = {} if first_term is False else {"first_term": first_term}
        return BackwardStep.of(record, settings.inline_factor_size, session=session, **more)
    return UpdateStep.of(record, session=session)

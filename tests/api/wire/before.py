"""The wire format as app/api/serialize.py wrote it before the response models (frozen at
main cb9dfe9, with the compositions the routes made of it): test_unchanged.py checks
every answer of app.api.wire against it. Not used by the app.
"""

from __future__ import annotations

import re
from dataclasses import asdict, fields
from typing import Any

from app.core import (
    BackwardRecord,
    Config,
    Divergence,
    Factor,
    ForwardRecord,
    GradCheck,
    Graph,
    Params,
    Path,
    Run,
    StepTerms,
    Term,
    UpdateRecord,
    build_graph,
    list_presets,
)
from app.core.cells import CELL_NAMES
from app.core.optimizers import OPTIMIZERS, OptimizerState, optimizer_dict
from app.core.trace import running_sums

JSON = dict[str, Any]
GRADS_INLINE = 2_000  # a backward step sends its gradient sums up to this many numbers
TERM_VALUES_INLINE = 4  # a step's term values of one parameter: up to 4 x inline_factor_size
JACOBIAN_INLINE = 1_024  # a backward record carries its Jacobian (S, S) up to this many numbers
PARAMS_INLINE = 2_000  # a step's `session` carries the parameters up to this many numbers


def path_json(path: Path) -> JSON:
    return {"nodes": list(path.nodes), "edges": list(path.edges)}


def graph_json(graph: Graph) -> JSON:
    return {
        "T": graph.T,
        "nodes": [asdict(node) for node in graph.nodes],
        "edges": [asdict(edge) for edge in graph.edges],
    }


def divergence_json(divergence: Divergence | None) -> JSON | None:
    if divergence is None:
        return None
    return {**asdict(divergence), "message": divergence.sentence()}


def params_json(params: Params) -> JSON:
    return dict(params.as_dict())


def config_json(config: Config) -> JSON:
    """The config as ConfigIn reads it: the optimiser as {"name": ..., hyper-parameters}."""
    values = {name: getattr(config, name) for name in config.__dataclass_fields__}
    return {**values, "optimizer": optimizer_dict(config.optimizer)}


def step_symbols(config: Config) -> dict[str, str]:
    """The LaTeX of every [[name]] a step template uses ({t} and {t-1} stand for the step)."""
    cell = config.rnn
    symbols = {"x": "x_{t}"}
    for state in cell.states:
        symbols |= {f"{state}_prev": f"{state}_{{t-1}}", state: f"{state}_{{t}}"}
    names = {
        name
        for line in cell.step_lines()
        for name in re.findall(r"\[\[(\w+)\]\]", line.rhs + line.via)
    }
    symbols |= {name: f"{name}_{{t}}" for name in sorted(names - symbols.keys())}
    symbols |= {spec.name: spec.latex for spec in cell.specs()}
    return symbols | dict(cell.value_latex)


def cell_json(config: Config) -> JSON:
    """What the cell declares, for the page: states, parameters, equations, and the forward
    step as templates (`step`, with the LaTeX of their placeholders in `symbols`)."""
    cell = config.rnn
    return {
        "name": cell.name,
        "states": list(cell.states),
        "params": [
            {"name": spec.name, "role": spec.role, "latex": spec.latex, "shape": list(shape)}
            for spec, shape in zip(cell.specs(), config.param_shapes().values(), strict=False)
        ],
        "equations": list(cell.equations),
        "step": [asdict(line) for line in cell.step_lines()],
        "symbols": step_symbols(config),
    }


def choices_json() -> JSON:
    """What the scenario editor offers: every cell, every optimiser with its hyper-parameters
    and their defaults (the names config.cell and config.optimizer take)."""
    return {
        "cells": list(CELL_NAMES),
        "optimizers": [
            {"name": kind.name, "fields": {f.name: f.default for f in fields(kind)}}
            for kind in OPTIMIZERS
        ],
    }


def factor_json(factor: Factor, inline_factor_size: int) -> JSON:
    too_big = factor.kind == "recurrent" and factor.value.size > inline_factor_size
    return {
        "symbol": factor.symbol,
        "latex": factor.latex,
        "formula": factor.formula,
        "kind": factor.kind,
        "shape": list(factor.shape),
        "value": None if too_big else factor.value,
        "edge": factor.edge,
        "step": factor.step,
        "parts": [
            {
                "symbol": part.symbol,
                "latex": part.latex,
                "formula": part.formula,
                "value": part.value,
                "shape": list(part.value.shape),
                "entry": [list(row) for row in part.entry],  # added with the parts' entries
            }
            for part in factor.parts
        ],
        "entry": [list(row) for row in factor.entry],  # added with issue 9 (worked formulas)
        "blocks": [list(row) for row in factor.blocks],  # added with the blocks' labels
    }


def term_json(term: Term, inline_factor_size: int) -> JSON:
    """One term in full: its factors (large recurrent ones as null), value, running sum."""
    return {
        "id": f"{term.param}:{term.k}:{term.t}",
        "param": term.param,
        "k": term.k,
        "t": term.t,
        "distance": term.distance,
        "factors": [factor_json(factor, inline_factor_size) for factor in term.factors],
        "value": term.value,
        "running": term.running,
        "path": path_json(term.path),
        # added with issue 9 (worked backward formulas):
        "row": term.row,
        "previous": term.previous,
        # added with issue 12 (truncation's dropped terms, struck through on the page):
        "dropped": term.dropped,
        "numbers": [
            {"name": number.name, "latex": number.latex, "value": number.value}
            for number in term.numbers
        ],
    }


def term_detail_json(run: Run, term: Term, inline_factor_size: int) -> JSON:
    """A term in full, with every parameter's running sum at it and the epoch it is of."""
    running = running_sums(run, term)
    return {**term_json(term, inline_factor_size), "epoch": run.epoch, "running_all": running}


def forward_json(record: ForwardRecord) -> JSON:
    """The step's state (h, and c for LSTM) before and after, its named values, the output."""
    states, cache = record.states, record.cache
    return {
        "kind": record.kind,
        "t": record.t,
        "x": record.x,
        **{f"{s}_prev": value for s, value in zip(states, cache.state_prev, strict=True)},
        **{s: value for s, value in zip(states, cache.state, strict=True)},
        "a": record.a,
        "values": dict(cache.values),
        "z": record.z,
        "yhat": record.yhat,
        "y": record.y,
        "loss": record.loss,
        "loss_so_far": record.loss_so_far,
        "path": path_json(record.path),
        "diverged": divergence_json(record.diverged),
    }


def step_terms_json(summary: StepTerms, inline_factor_size: int) -> JSON:
    """The terms of one parameter a backward step completes, as columns (k, size, value);
    the values only while they hold at most TERM_VALUES_INLINE x inline_factor_size numbers
    (and the core kept them: up to app.core.terms.SMALL_TERMS numbers)."""
    values = summary.values
    small = values is not None and values.size <= TERM_VALUES_INLINE * inline_factor_size
    return {
        "param": summary.param,
        "t": summary.t,
        "ks": list(summary.ks),
        "sizes": summary.sizes,
        "values": values if small else None,
    }


def backward_json(record: BackwardRecord, inline_factor_size: int) -> JSON:
    """The recursion's values at t; big arrays (the Jacobian, the gradients) only when small."""
    S = record.jacobian.shape[0]
    numbers = sum(g.size for g in record.grads.values())
    dstate = {f"d{s}": value for s, value in zip(record.states, record.dstate, strict=True)}
    return {
        "kind": record.kind,
        "t": record.t,
        "dz": record.dz,
        **dstate,
        "delta": record.delta,
        "f_grad": record.f_grad,
        "local": dict(record.local),
        "jacobian": record.jacobian if S * S <= JACOBIAN_INLINE else None,
        "grads": dict(record.grads) if numbers <= GRADS_INLINE else None,
        "terms": [step_terms_json(summary, inline_factor_size) for summary in record.terms],
        # added with issue 12: the terms the truncation window drops at t
        "dropped": [step_terms_json(summary, inline_factor_size) for summary in record.dropped],
        "path": path_json(record.path),
        "diverged": divergence_json(record.diverged),
    }


def update_json(record: UpdateRecord | None) -> JSON | None:
    if record is None:
        return None
    values = {name: getattr(record, name) for name in record.__dataclass_fields__}
    # The optimiser's state either side (a link holds it), since links carry it.
    values["state_before"] = optimizer_state_json(record.state_before)
    values["state_after"] = optimizer_state_json(record.state_after)
    values["formula"] = list(record.formula)
    # added with issue 9 (the update's entry worked out under every optimiser):
    values["entry"] = [{"name": name, "template": template} for name, template in record.entry]
    values["quantities"] = [
        {"name": q.name, "latex": q.latex, "values": dict(q.values)} for q in record.quantities
    ]
    return {"kind": record.kind, **values, "diverged": divergence_json(record.diverged)}


def optimizer_state_json(state: OptimizerState | None) -> JSON | None:
    if state is None:
        return None
    return {"n": state.n, "slots": {slot: dict(arrays) for slot, arrays in state.slots.items()}}


def run_diverged(run: Run) -> Divergence | None:
    """This epoch's first divergence, or else the update that started the epoch."""
    if run.diverged is not None:
        return run.diverged
    return run.last_update.diverged if run.last_update is not None else None


def summary_json(run: Run) -> JSON:
    """Where a run stands: what every step's answer carries as `session` (the parameters
    only up to PARAMS_INLINE numbers; the state always has them)."""
    params = run.scenario.params.as_dict()
    small = sum(value.size for value in params.values()) <= PARAMS_INLINE
    return {
        "phase": run.phase,
        "t": run.next_t,
        "epoch": run.epoch,
        "status": run.status(),
        "T": run.T,
        "loss": run.loss,
        "loss_history": list(run.loss_history),
        "diverged": divergence_json(run_diverged(run)),
        **({"params": params} if small else {}),
    }


def run_json(run: Run, graph: Graph, inline_factor_size: int) -> JSON:
    """Everything computed this epoch, as the state and /api/bptt carry it."""
    scenario = run.scenario
    config = scenario.config
    backward = [backward_json(record, inline_factor_size) for record in run.backward]
    if run.backward:  # the state carries whole gradients, whatever their size
        backward[-1]["grads"] = dict(run.backward[-1].grads)
    return {
        "config": config_json(config),
        "cell": cell_json(config),
        "inputs": scenario.inputs,
        "targets": scenario.targets,
        **summary_json(run),
        "params": params_json(scenario.params),
        "graph": graph_json(graph),
        "forward": [forward_json(record) for record in run.forward],
        "backward": backward,
        "last_update": update_json(run.last_update),
        "optimizer_state": optimizer_state_json(run.optimizer_state),
    }


def gradcheck_json(check: GradCheck) -> JSON:
    return {
        "eps": check.eps,
        # issue 12: the stated tolerance, larger (with a note) where the pass explodes
        "tolerance": check.tolerance,
        "tolerance_note": check.note,
        "passed": check.passed,
        "max_relative_error": check.max_relative_error,
        "diverged": divergence_json(check.diverged),
        "params": {
            name: {
                "analytic": param.analytic,
                "numeric": param.numeric,
                "relative_error": param.relative_error,
            }
            for name, param in check.params.items()
        },
    }


# ---- what the routes composed of it --------------------------------------------------------


def state_json(outcome: Any, settings: Any) -> JSON:
    run, record = outcome.run, outcome.record
    graph = build_graph(run.scenario.config, run.T)
    state = run_json(run, graph, settings.inline_factor_size)
    return {"id": record.id, "seed": record.seed, "preset": record.preset, **state}


def step_json(outcome: Any, settings: Any) -> JSON:
    record = outcome.step
    if record.kind == "forward":
        content = forward_json(record)
    elif record.kind == "backward":
        content = backward_json(record, settings.inline_factor_size)
    else:
        content = update_json(record)
    return {**content, "session": summary_json(outcome.run)}


def created_json(outcome: Any, settings: Any) -> JSON:
    return {**state_json(outcome, settings), "token": outcome.token}


def train_json(outcome: Any, settings: Any) -> JSON:
    state, first = state_json(outcome, settings), outcome.first_divergence
    diverged = {"epoch": first[0], **divergence_json(first[1])} if first else None
    return {**state, "losses": outcome.losses, "diverged": diverged or state["diverged"]}


def bptt_json(run: Run, seed: int, details: list[Term], inline_factor_size: int) -> JSON:
    graph = build_graph(run.scenario.config, run.T)
    state = run_json(run, graph, inline_factor_size)
    grads = run.backward[-1].grads
    terms = [term_detail_json(run, term, inline_factor_size) for term in details]
    return {"seed": seed, **state, "grads": grads, "term_details": terms}


def presets_json() -> list[JSON]:
    return [
        {
            "id": preset.id,
            "title": preset.title,
            "description": preset.description,
            "config": config_json(preset.scenario.config),
            "T": preset.scenario.T,
            "seed": preset.seed,
            "params": params_json(preset.scenario.params),
            "inputs": preset.scenario.inputs,
            "targets": preset.scenario.targets,
        }
        for preset in list_presets()
    ]

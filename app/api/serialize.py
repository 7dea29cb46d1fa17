"""Core objects to the JSON of docs/json.md (arrays stay NumPy; StrictJSONResponse finishes).

No maths here: each function only names and arranges what the core computed.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from app.core import (
    BackwardRecord,
    Divergence,
    Factor,
    ForwardRecord,
    GradCheck,
    Graph,
    Params,
    Path,
    Run,
    Term,
    UpdateRecord,
)
from app.core.gradcheck import TOLERANCE

JSON = dict[str, Any]


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
            }
            for part in factor.parts
        ],
    }


def term_json(term: Term, inline_factor_size: int) -> JSON:
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
    }


def forward_json(record: ForwardRecord) -> JSON:
    return {
        "kind": record.kind,
        "t": record.t,
        "x": record.x,
        "h_prev": record.h_prev,
        "a": record.a,
        "h": record.h,
        "z": record.z,
        "yhat": record.yhat,
        "y": record.y,
        "loss": record.loss,
        "loss_so_far": record.loss_so_far,
        "path": path_json(record.path),
        "diverged": divergence_json(record.diverged),
    }


def backward_json(record: BackwardRecord, inline_factor_size: int) -> JSON:
    return {
        "kind": record.kind,
        "t": record.t,
        "dz": record.dz,
        "dh": record.dh,
        "delta": record.delta,
        "f_grad": record.f_grad,
        "jacobian": record.jacobian,
        "grads": dict(record.grads),
        "terms": [term_json(term, inline_factor_size) for term in record.terms],
        "path": path_json(record.path),
        "diverged": divergence_json(record.diverged),
    }


def update_json(record: UpdateRecord | None) -> JSON | None:
    if record is None:
        return None
    values = {name: getattr(record, name) for name in record.__dataclass_fields__}
    return {"kind": record.kind, **values, "diverged": divergence_json(record.diverged)}


def run_diverged(run: Run) -> Divergence | None:
    """This epoch's first divergence, or else the update that started the epoch."""
    if run.diverged is not None:
        return run.diverged
    return run.last_update.diverged if run.last_update is not None else None


def summary_json(run: Run) -> JSON:
    """Where a run stands: what every step's answer carries as `session`."""
    return {
        "phase": run.phase,
        "t": run.next_t,
        "epoch": run.epoch,
        "status": run.status(),
        "T": run.T,
        "loss": run.loss,
        "loss_history": list(run.loss_history),
        "diverged": divergence_json(run_diverged(run)),
        "params": params_json(run.scenario.params),
    }


def run_json(run: Run, graph: Graph, inline_factor_size: int) -> JSON:
    """Everything computed this epoch, as the state and /api/bptt carry it."""
    scenario = run.scenario
    return {
        "config": asdict(scenario.config),
        "inputs": scenario.inputs,
        "targets": scenario.targets,
        **summary_json(run),
        "graph": graph_json(graph),
        "forward": [forward_json(record) for record in run.forward],
        "backward": [backward_json(record, inline_factor_size) for record in run.backward],
        "last_update": update_json(run.last_update),
    }


def gradcheck_json(check: GradCheck) -> JSON:
    return {
        "eps": check.eps,
        "tolerance": TOLERANCE,
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

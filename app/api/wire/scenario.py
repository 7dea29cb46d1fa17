"""The scenario's parts as answers carry them: the graph, the parameters, the cell, a preset."""

from __future__ import annotations

import re
from dataclasses import fields
from typing import Any, Literal

from pydantic import BaseModel, Field, create_model

from app.api.schemas import ConfigIn, ParamsIn, ScenarioIn
from app.api.wire.base import JSON, NULL, Array, Matrix, Vector, Wire
from app.core import Config
from app.core import Graph as CoreGraph
from app.core.cells import CELL_NAMES
from app.core.optimizers import OPTIMIZERS, optimizer_dict
from app.core.presets import Preset as CorePreset


class GraphNode(Wire):
    """A node of the unrolled network."""

    id: str = Field(
        description="x_t, h_t (and c_t for lstm; t from 0), yhat_k, loss_k, L, or a parameter."
    )
    kind: Literal["input", "hidden", "cell", "output", "loss", "total_loss", "param"] = Field(
        description="What the node is (cell: an LSTM's c_t)."
    )
    t: int | None = Field(description="Its time step; null for L and the parameters.")
    label: str = Field(description='What to write on it, e.g. "ŷ_3" or "ℓ_3".')


class GraphEdge(Wire):
    """An edge of the unrolled network."""

    id: str = Field(description='"source->target", e.g. "h_1->h_2" or "W_h->h_2".')
    source: str = Field(description="The id of the node it leaves.")
    target: str = Field(description="The id of the node it enters.")
    kind: Literal["input", "recurrent", "state", "output", "loss", "sum", "param"] = Field(
        description="What the edge carries (state: within a step, lstm's c_t->h_t)."
    )


class Graph(Wire):
    """The network unrolled over T steps, as the page draws it."""

    T: int = Field(description="Number of time steps.")
    nodes: list[GraphNode] = Field(description="Parameters, h_0, then each step's nodes, then L.")
    edges: list[GraphEdge] = Field(description="Every edge, parameter edges included.")

    @classmethod
    def of(cls, graph: CoreGraph) -> Graph:
        node_fields, edge_fields = tuple(GraphNode.model_fields), tuple(GraphEdge.model_fields)
        nodes = [GraphNode.make(attributes(node, node_fields)) for node in graph.nodes]
        edges = [GraphEdge.make(attributes(edge, edge_fields)) for edge in graph.edges]
        return cls.make({"T": graph.T, "nodes": nodes, "edges": edges})


def attributes(source: Any, names: tuple[str, ...]) -> JSON:
    """The attributes `names` of a core object, as a model's values."""
    return {name: getattr(source, name) for name in names}


def _param_array_fields() -> dict[str, Any]:
    fields = {}
    for name, info in ParamsIn.model_fields.items():
        if name not in ("h0", "c0"):
            text = f"For {name}: {info.description[0].lower()}{info.description[1:]}"
            fields[name] = (Array | None, Field(None, description=text + NULL))
    return fields


# Answers carry these maps by parameter name as the core's dicts of arrays: the models
# document them (a cell has only some of these names).
ParamArrays = create_model(
    "ParamArrays",
    __base__=Wire,
    __doc__="One array per trained parameter, shaped like it (parameters, or their "
    "gradients): the cell's (see config.cell), W_y, and b_y with an output bias.",
    **_param_array_fields(),
)


class Params(ParamArrays):  # type: ignore[misc, valid-type]
    """The parameters, and the initial states (given, not trained)."""

    h0: Vector = Field(description="The initial hidden state h_0, (H,).")
    c0: Vector | None = Field(None, description="lstm: the initial cell state c_0, (H,).")


def config_json(config: Config) -> JSON:
    """The config as ConfigIn reads it: the optimiser as {"name": ..., hyper-parameters}."""
    values = {name: getattr(config, name) for name in config.__dataclass_fields__}
    return {**values, "optimizer": optimizer_dict(config.optimizer)}


class CellParam(Wire):
    """One trained parameter of the cell."""

    name: str = Field(description='Its name, e.g. "W_xz".')
    role: str = Field(description="What it does in the cell, in words.")
    latex: str = Field(description="How the equations write it.")
    shape: list[int] = Field(description="Its shape, e.g. [H, d].")


class StepLine(Wire):
    """One line of the forward step as a template the page fills with a step's numbers."""

    lhs: str = Field(description='What the line defines, in LaTeX, e.g. "z_{t}".')
    rhs: str = Field(
        description="Its right-hand side: [[name]] is a parameter, x, a state (h, c), a "
        "previous state (h_prev, c_prev) or a named value of the step; [[*]] is a product; "
        "{t} and {t-1} stand for the step."
    )
    via: str = Field(description="An intermediate form written with numbers, or empty.")
    result: str = Field(description="The name of the value the line computes.")


class CellInfo(Wire):
    """What the cell declares: its states, parameters and forward equations."""

    name: str = Field(description="elman, gru or lstm.")
    states: list[str] = Field(description='["h"], or ["h", "c"] for lstm.')
    params: list[CellParam] = Field(description="Each trained parameter of the cell.")
    equations: list[str] = Field(description="The forward step in LaTeX, one line each.")
    step: list[StepLine] = Field(description="The forward step as templates, one per line.")
    symbols: dict[str, str] = Field(
        description="The LaTeX of every [[name]] of the templates, e.g. h_prev: h_{t-1}."
    )

    @classmethod
    def of(cls, config: Config) -> CellInfo:
        cell = config.rnn
        shapes = config.param_shapes().values()
        params = [
            CellParam.make(
                {"name": spec.name, "role": spec.role, "latex": spec.latex, "shape": list(shape)}
            )
            for spec, shape in zip(cell.specs(), shapes, strict=False)
        ]
        line_fields = tuple(StepLine.model_fields)
        lines = [StepLine.make(attributes(line, line_fields)) for line in cell.step_lines()]
        return cls.make(
            {
                "name": cell.name,
                "states": list(cell.states),
                "params": params,
                "equations": list(cell.equations),
                "step": lines,
                "symbols": step_symbols(config),
            }
        )


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


def choices_json() -> JSON:
    """What the scenario editor offers and checks before a request (the page's, not an
    answer): every cell, every optimiser with its hyper-parameters and their defaults, each
    cell's weights in the core's order with their shapes in d, H, K, and the bounds the
    create body declares."""
    return {
        "cells": list(CELL_NAMES),
        "optimizers": [
            {"name": kind.name, "fields": {f.name: f.default for f in fields(kind)}}
            for kind in OPTIMIZERS
        ],
        "weights": {name: weight_shapes(name) for name in CELL_NAMES},
        "bounds": field_bounds(ConfigIn) | {"seed": field_bounds(ScenarioIn)["seed"]},
    }


# Distinct sizes, so that each number of a shape says which of d, H, K it is.
_SIZE_LETTERS = {2: "d", 3: "H", 5: "K"}


def weight_shapes(cell: str) -> list[JSON]:
    """The core's parameters for `cell` in its order, each shape in letters ([{"name": "W_x",
    "shape": ["H", "d"]}, ...]); b_y is there only with an output bias."""
    config = Config(2, 3, 5, cell=cell, output_bias=True)
    shapes = config.param_shapes()
    return [
        {"name": name, "shape": [_SIZE_LETTERS[size] for size in shape]}
        for name, shape in shapes.items()
    ]


def field_bounds(model: type[BaseModel]) -> dict[str, dict[str, float]]:
    """The numeric bounds (gt, ge, lt, le) each field of `model` declares."""
    bounds = {}
    for name, info in model.model_fields.items():
        found = {
            kind: getattr(item, kind)
            for item in info.metadata
            for kind in ("gt", "ge", "lt", "le")
            if hasattr(item, kind)
        }
        if found:
            bounds[name] = found
    return bounds


class Preset(Wire):
    """A ready-made scenario: POST /api/sessions {"preset": id} makes a session of it."""

    id: str = Field(description='Its id, e.g. "seed-3-step".')
    title: str = Field(description="A one-line title.")
    description: str = Field(description="A paragraph for the teacher: what to look at.")
    config: ConfigIn = Field(description="The network, every field filled in.")
    T: int = Field(description="Number of time steps.")
    seed: int = Field(description="The seed its parameters were drawn from.")
    params: Params = Field(description="The starting parameters.")  # type: ignore[valid-type]
    inputs: Matrix = Field(description="x_1..x_T, (T, d).")
    targets: Matrix | Vector = Field(description="(T, K) for many_to_many; (K,) many_to_one.")

    @classmethod
    def of(cls, preset: CorePreset) -> Preset:
        scenario = preset.scenario
        return cls.make(
            {
                "id": preset.id,
                "title": preset.title,
                "description": preset.description,
                "config": config_json(scenario.config),
                "T": scenario.T,
                "seed": preset.seed,
                "params": scenario.params.as_dict(),
                "inputs": scenario.inputs,
                "targets": scenario.targets,
            }
        )

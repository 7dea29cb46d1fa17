"""The NumPy core: model, stepper, chain-rule terms, graph, gradient check, presets.

Imports only NumPy and the standard library, so it runs in a notebook on its own:

    from app.core import bptt, get_preset
    run = bptt(get_preset("seed-3-step").scenario)
    run.loss, run.backward[-1].grads
"""

from app.core.epochs import bptt, reset, train
from app.core.gradcheck import GradCheck, gradcheck
from app.core.graph import Graph, Path, build_graph
from app.core.model import Config, Params, Scenario, ScenarioError, init_params
from app.core.presets import Preset, get_preset, list_presets
from app.core.records import BackwardRecord, Divergence, ForwardRecord, UpdateRecord
from app.core.stepper import (
    Run,
    StepOrderError,
    backward_step,
    forward_step,
    start,
    step,
    update,
    whole_forward,
)
from app.core.terms import Factor, StepTerms, Term
from app.core.trace import TermNotFoundError, epoch_terms, term_detail, term_sizes, terms_at

__all__ = [
    "BackwardRecord",
    "Config",
    "Divergence",
    "Factor",
    "ForwardRecord",
    "GradCheck",
    "Graph",
    "Params",
    "Path",
    "Preset",
    "Run",
    "Scenario",
    "ScenarioError",
    "StepOrderError",
    "StepTerms",
    "Term",
    "TermNotFoundError",
    "UpdateRecord",
    "backward_step",
    "bptt",
    "build_graph",
    "epoch_terms",
    "forward_step",
    "get_preset",
    "gradcheck",
    "init_params",
    "list_presets",
    "reset",
    "start",
    "step",
    "term_detail",
    "term_sizes",
    "terms_at",
    "train",
    "update",
    "whole_forward",
]

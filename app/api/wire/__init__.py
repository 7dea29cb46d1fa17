"""The wire format, declared once: response models that document each answer (/docs,
docs/json.md) and build it from the core's objects (`Model.of(...)`)."""

from app.api.wire.base import Divergence, Path, Wire
from app.api.wire.classroom import ClassView, JoinCode, SavedLink, ViewEvent
from app.api.wire.compute import BpttResult, GradCheckParam, GradCheckResult, Health
from app.api.wire.events import EventCursor, SessionEvent
from app.api.wire.insight import (
    EntryCheck,
    GradientFlow,
    ParamGradCheck,
    RegimeGauge,
    SessionGradCheck,
    TruncationGap,
)
from app.api.wire.records import BackwardRecord, ForwardRecord, StepTerms
from app.api.wire.scenario import (
    CellInfo,
    CellParam,
    Graph,
    GraphEdge,
    GraphNode,
    ParamArrays,
    Params,
    Preset,
    StepLine,
    choices_json,
)
from app.api.wire.session import (
    BackwardStep,
    ForwardStep,
    RunState,
    SessionCreated,
    SessionState,
    SessionSummary,
    TrainResult,
    UpdateStep,
    step_answer,
)
from app.api.wire.terms import Factor, FactorPart, Number, Term, TermDetail
from app.api.wire.update import Quantity, UpdateRecord

__all__ = [
    "BackwardRecord",
    "BackwardStep",
    "BpttResult",
    "CellInfo",
    "CellParam",
    "ClassView",
    "Divergence",
    "EntryCheck",
    "EventCursor",
    "Factor",
    "FactorPart",
    "ForwardRecord",
    "ForwardStep",
    "GradCheckParam",
    "GradCheckResult",
    "GradientFlow",
    "Graph",
    "GraphEdge",
    "GraphNode",
    "Health",
    "JoinCode",
    "Number",
    "ParamArrays",
    "ParamGradCheck",
    "Params",
    "Path",
    "Preset",
    "Quantity",
    "RegimeGauge",
    "RunState",
    "SavedLink",
    "SessionCreated",
    "SessionEvent",
    "SessionGradCheck",
    "SessionState",
    "SessionSummary",
    "StepLine",
    "StepTerms",
    "Term",
    "TermDetail",
    "TrainResult",
    "TruncationGap",
    "UpdateRecord",
    "UpdateStep",
    "ViewEvent",
    "Wire",
    "choices_json",
    "step_answer",
]

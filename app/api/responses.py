"""Response models for /docs only (docs/json.md in OpenAPI form).

Routes answer StrictJSONResponse built by app.api.serialize and are never validated
against these: answers can be large, and a value that overflowed is written as null.
tests/api/test_docs.py checks that these fields match the keys of real answers.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, create_model

from app.api.schemas import ConfigIn, ParamsIn

Vector = list[float | None]
Matrix = list[list[float | None]]
Array = Matrix | Vector
NULL = " null where the value overflowed."


def array(text: str) -> Any:
    return Field(description=text + NULL)


class Path(BaseModel):
    """The graph ids to light: the nodes and edges a step or a term runs along."""

    nodes: list[str] = Field(description='Node ids, e.g. ["L", "loss_3", "yhat_3", "h_3"].')
    edges: list[str] = Field(description='Edge ids "source->target", e.g. ["loss_3->L"].')


class GraphNode(BaseModel):
    """A node of the unrolled network."""

    id: str = Field(
        description="x_t, h_t (and c_t for lstm; t from 0), yhat_k, loss_k, L, or a parameter."
    )
    kind: Literal["input", "hidden", "cell", "output", "loss", "total_loss", "param"] = Field(
        description="What the node is (cell: an LSTM's c_t)."
    )
    t: int | None = Field(description="Its time step; null for L and the parameters.")
    label: str = Field(description='What to write on it, e.g. "ŷ_3" or "ℓ_3".')


class GraphEdge(BaseModel):
    """An edge of the unrolled network."""

    id: str = Field(description='"source->target", e.g. "h_1->h_2" or "W_h->h_2".')
    source: str = Field(description="The id of the node it leaves.")
    target: str = Field(description="The id of the node it enters.")
    kind: Literal["input", "recurrent", "state", "output", "loss", "sum", "param"] = Field(
        description="What the edge carries (state: within a step, lstm's c_t->h_t)."
    )


class Graph(BaseModel):
    """The network unrolled over T steps, as the page draws it."""

    T: int = Field(description="Number of time steps.")
    nodes: list[GraphNode] = Field(description="Parameters, h_0, then each step's nodes, then L.")
    edges: list[GraphEdge] = Field(description="Every edge, parameter edges included.")


class Divergence(BaseModel):
    """The first quantity that stopped being a finite number, and the step that made it."""

    phase: Literal["forward", "backward", "update"] = Field(description="The pass it happened in.")
    t: int | None = Field(description="The time step; null in the update.")
    quantity: str = Field(description='What overflowed, e.g. "h_2".')
    message: str = Field(description="A sentence for a person: what happened and what to do.")
    epoch: int | None = Field(
        None, description="Only in the answer of train: the epoch it happened in. Absent elsewhere."
    )


def first_overflow() -> Any:
    return Field(description="null, or the first step whose numbers overflowed.")


def _param_array_fields() -> dict[str, Any]:
    fields = {}
    for name, info in ParamsIn.model_fields.items():
        if name not in ("h0", "c0"):
            text = f"For {name}: {info.description[0].lower()}{info.description[1:]}"
            fields[name] = (Array | None, Field(None, description=text + NULL))
    return fields


ParamArrays = create_model(
    "ParamArrays",
    __doc__="One array per trained parameter, shaped like it (parameters, or their "
    "gradients): the cell's (see config.cell), W_y, and b_y with an output bias.",
    **_param_array_fields(),
)


class Params(ParamArrays):  # type: ignore[misc, valid-type]
    """The parameters, and the initial states (given, not trained)."""

    h0: Vector = Field(description="The initial hidden state h_0, (H,).")
    c0: Vector | None = Field(None, description="lstm: the initial cell state c_0, (H,).")


class CellInfo(BaseModel):
    """What the cell declares: its states, parameters and forward equations."""

    name: str = Field(description="elman, gru or lstm.")
    states: list[str] = Field(description='["h"], or ["h", "c"] for lstm.')
    params: list[dict[str, Any]] = Field(
        description="Each trained parameter of the cell: name, role, latex, shape."
    )
    equations: list[str] = Field(description="The forward step in LaTeX, one line each.")
    step: list[dict[str, str]] = Field(
        description="The forward step as templates the page fills with a step's numbers, one "
        "per line: {lhs, rhs, via, result}; [[name]] in rhs and via is a parameter, x, a state "
        "(h, c), a previous state (h_prev, c_prev) or a named value of the step; [[*]] is a "
        "product; {t} and {t-1} stand for the step. result names the value the line computes."
    )
    symbols: dict[str, str] = Field(
        description="The LaTeX of every [[name]] of the templates, e.g. h_prev: h_{t-1}."
    )


class ForwardRecord(BaseModel):
    """Forward step t: the cell's step (elman: a_t = W_x x_t + W_h h_{t-1} + b,
    h_t = f(a_t)), and at a loss step the output and its loss."""

    kind: Literal["forward"] = Field(description='Always "forward".')
    t: int = Field(description="The time step, 1..T.")
    x: Vector = array("The input x_t, (d,).")
    h_prev: Vector = array("h_{t-1}, (H,).")
    h: Vector = array("The hidden state h_t, (H,).")
    c_prev: Vector | None = Field(None, description="lstm only: c_{t-1}, (H,)." + NULL)
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


class FactorPart(BaseModel):
    """A piece of a factor as the notes write it (dl/dyhat, dyhat/dz for sigmoid_bce)."""

    symbol: str = Field(description='Plain text, e.g. "∂ℓ_3/∂ŷ_3".')
    latex: str = Field(description="The derivative in LaTeX.")
    formula: str = Field(description="What it equals, in LaTeX.")
    value: Array = array("Its value; the parts' element-wise product is the factor's value;")
    shape: list[int] = Field(description="The shape of value.")


class Factor(BaseModel):
    """One matrix of a chain-rule term; a term's factors, multiplied left to right, give it."""

    symbol: str = Field(description='Plain text, e.g. "∂h_3/∂h_2".')
    latex: str = Field(description="The derivative in LaTeX, e.g. \\frac{\\partial h_{3}}{...}.")
    formula: str = Field(description="What it equals, in LaTeX, e.g. diag(1 - h_3^2) W_h.")
    kind: Literal["loss", "output", "recurrent", "direct"] = Field(
        description="loss: dl_k/dz_k, a row (1, K); output: dz_k/dh_k = W_y, (K, H); "
        "recurrent: dh_j/dh_{j-1}, (H, H); direct: the direct partial (earlier steps "
        "held fixed), shaped like the parameter, last."
    )
    shape: list[int] = Field(description="The shape of value (given even when value is null).")
    value: Array | None = Field(
        description="The matrix. null for a recurrent factor of more than inline_factor_size "
        "numbers (use the jacobian of the backward record at `step`), or where it overflowed."
    )
    edge: str = Field(description='The graph edge it runs along, e.g. "h_2->h_3".')
    step: int = Field(description="The time step it belongs to (the t of the edge's target).")
    parts: list[FactorPart] = Field(
        description="Usually empty; for sigmoid_bce the loss factor as dl/dyhat · dyhat/dz "
        "(left out where yhat saturates to 0 or 1)."
    )


class Term(BaseModel):
    """One chain-rule path: how the loss at step k reaches a parameter used at step t."""

    id: str = Field(description='"param:k:t", e.g. "W_h:3:2".')
    param: str = Field(description="The parameter: one of the cell's, W_y or b_y.")
    k: int = Field(description="The loss step.")
    t: int = Field(description="The step where the parameter is used (t <= k).")
    distance: int = Field(description="k - t: how many recurrent factors the path crosses.")
    factors: list[Factor] = Field(description="The factors, in the order multiplied.")
    value: Array = array("The term, shaped like the parameter;")
    running: Array = array(
        "dL/dparam so far: this parameter's terms up to and including this one, in the "
        "order the backward pass completes them;"
    )
    path: Path = Field(description="The graph path from L to the parameter.")


class TermDetail(Term):
    """A term built on request, with every parameter's running sum at it."""

    epoch: int = Field(description="The epoch whose records it was built from.")
    running_all: dict[str, Array | None] = Field(
        description="dL/dtheta so far for every parameter at this term (null for one with "
        "no term yet)." + NULL
    )


class StepTerms(BaseModel):
    """The terms a backward step completes for one parameter, as columns."""

    param: str = Field(description="The parameter.")
    t: int = Field(description="The step where it is used (the record's t).")
    ks: list[int] = Field(description="The loss steps k, ascending: term k:t for each.")
    sizes: list[float | None] = array("Each term's Frobenius norm, in the order of ks;")
    values: list[Array] | None = Field(
        description="Each term's value, shaped like the parameter, when it has at most "
        "inline_factor_size numbers; else null (GET .../terms/{param}:{k}:{t})." + NULL
    )


class BackwardRecord(BaseModel):
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
    path: Path = Field(description="The part of the graph this step goes back along.")
    diverged: Divergence | None = first_overflow()


class Quantity(BaseModel):
    """One named quantity of the optimiser's update, per parameter."""

    name: str = Field(description='An identifier: "g", "v", "m_hat", ...')
    latex: str = Field(description="How the formula writes it.")
    values: dict[str, Array] = Field(description="By parameter, shaped like it." + NULL)


class UpdateRecord(BaseModel):
    """The weight update (clipping, then the optimiser's rule), which ends an epoch."""

    kind: Literal["update"] = Field(description='Always "update".')
    epoch: int = Field(description="The epoch this update ended.")
    learning_rate: float = Field(description="eta.")
    params_old: ParamArrays = Field(description="The parameters before the update.")
    grads: ParamArrays = Field(description="dL/dtheta as the backward pass computed it.")
    grads_applied: ParamArrays = Field(description="The gradients used: after clipping, if any.")
    grad_norm: float | None = array("The global L2 norm of grads;")
    clip_norm: float | None = Field(description="The config's clip_norm; null without clipping.")
    clipped: bool = Field(description="Whether the gradients were scaled down.")
    params_new: ParamArrays = Field(description="The parameters after the update.")
    loss_before: float | None = array("L with the old parameters;")
    loss_after: float | None = array("L with the new parameters;")
    diverged: Divergence | None = first_overflow()
    optimizer: str = Field(description="The optimiser's name (config.optimizer.name).")
    hyper: dict[str, float] = Field(description="Its hyper-parameters (sgd: none).")
    formula: list[str] = Field(description="Its rule in LaTeX, one line per assignment.")
    quantities: list[Quantity] = Field(
        description="What the rule computed (g, then e.g. v, m, m_hat), per parameter."
    )
    update_number: int = Field(description="n: the optimiser's count of updates, this one too.")


class SessionSummary(BaseModel):
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


class SessionState(RunState):
    """A session's whole state: a reloaded page shows the same picture from it."""

    id: str = Field(description="The session id: enough to read the session, not to change it.")
    preset: str | None = Field(description="The preset id it was made from, or null.")


class SessionCreated(SessionState):
    """The new session's state, with its token."""

    token: str = Field(description="Shown only this once: 'Authorization: Bearer <token>'.")


class TrainResult(SessionState):
    """The state after training, with the losses on the way."""

    losses: list[float | None] = array("L before each update, one per epoch run;")
    diverged: Divergence | None = Field(
        description="The first overflow in any of these epochs (with its epoch), or else "
        "the state's diverged."
    )


class ForwardStep(ForwardRecord):
    """The forward record, and where the session stands after it."""

    session: SessionSummary = Field(description="Where the session stands after this step.")


class BackwardStep(BackwardRecord):
    """The backward record, and where the session stands after it."""

    session: SessionSummary = Field(description="Where the session stands after this step.")


class UpdateStep(UpdateRecord):
    """The update record, and where the session stands after it (the next epoch)."""

    session: SessionSummary = Field(description="Where the session stands after the update.")


class BpttResult(RunState):
    """A whole forward and backward pass at once, with nothing stored."""

    grads: ParamArrays = Field(  # type: ignore[valid-type]
        description="dL/dtheta (the last backward record's grads)."
    )
    term_details: list[TermDetail] = Field(
        description='The terms the request named in `terms` (e.g. ["W_h:3:2"]), in full.'
    )


class GradCheckParam(BaseModel):
    """One parameter's two gradients and how far apart they are."""

    analytic: Array = array("The backward pass's gradient, shaped like the parameter;")
    numeric: Array = array("The central-difference gradient (truncated too, with truncation);")
    relative_error: float | None = array("|analytic - numeric| / max(|analytic|, |numeric|);")


class GradCheckResult(BaseModel):
    """The backward pass's gradients against central differences."""

    eps: float = Field(description="The finite-difference step.")
    tolerance: float = Field(description="The largest relative error that passes.")
    passed: bool = Field(description="No overflow, and every relative error below tolerance.")
    max_relative_error: float | None = array("The largest relative_error;")
    diverged: Divergence | None = Field(
        description="null, or where the run overflowed (then passed is false)."
    )
    params: dict[str, GradCheckParam] = Field(description="By parameter name.")


class Preset(BaseModel):
    """A ready-made scenario: POST /api/sessions {"preset": id} makes a session of it."""

    id: str = Field(description='Its id, e.g. "seed-3-step".')
    title: str = Field(description="A one-line title.")
    description: str = Field(description="A paragraph for the teacher: what to look at.")
    config: ConfigIn = Field(description="The network, every field filled in.")
    T: int = Field(description="Number of time steps.")
    seed: int = Field(description="The seed its parameters were drawn from.")
    params: Params = Field(description="The starting parameters.")
    inputs: Matrix = Field(description="x_1..x_T, (T, d).")
    targets: Matrix | Vector = Field(description="(T, K) for many_to_many; (K,) many_to_one.")


class Health(BaseModel):
    """The server is up."""

    status: Literal["ok"] = Field(description='Always "ok".')

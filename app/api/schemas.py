"""Request bodies. Unknown fields are refused and numbers must be finite (no NaN/Infinity).

Shapes and the rules that need the whole scenario (targets in [0, 1], distributions,
T >= 1) are checked by the core; the size limits by app.api.limits against Settings.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from app.core.cells import CELLS
from app.core.optimizers import OPTIMIZERS

Vector = list[float]
Matrix = list[list[float]]


class Strict(BaseModel):
    """No unknown fields, no NaN or Infinity, no coercion ("2" is not 2, true is not 1)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)


class OptimizerIn(Strict):
    """The update rule and its hyper-parameters (each only for the optimisers that have it;
    eta is config.learning_rate for all). As torch.optim writes them."""

    name: Literal[tuple(kind.name for kind in OPTIMIZERS)] = Field(  # type: ignore[valid-type]
        "sgd",
        description="sgd: theta <- theta - eta g. momentum: v <- mu v + g; theta <- theta - "
        "eta v. adagrad: G <- G + g^2; theta <- theta - eta g / (sqrt(G) + eps). rmsprop: "
        "s <- rho s + (1 - rho) g^2; theta <- theta - eta g / (sqrt(s) + eps). adam: m, v "
        "moving averages of g and g^2 with bias correction at update n.",
    )
    momentum: float | None = Field(None, description="momentum: mu (default 0.9).")
    eps: float | None = Field(
        None, description="adagrad (1e-10), rmsprop (1e-8), adam (1e-8): added to the root."
    )
    rho: float | None = Field(None, description="rmsprop: decay of s (default 0.99).")
    beta1: float | None = Field(None, description="adam: decay of m (default 0.9).")
    beta2: float | None = Field(None, description="adam: decay of v (default 0.999).")


class ConfigIn(Strict):
    """The network: the cell, sizes, functions, and how it learns."""

    cell: Literal[tuple(kind.name for kind in CELLS)] = Field(  # type: ignore[valid-type]
        "elman",
        description="elman: h_t = f(W_x x_t + W_h h_{t-1} + b). gru: update gate z, reset "
        "gate r, candidate n (as in d2l.ai). lstm: gates i, f, o, candidate g, cell state c.",
    )

    input_size: int = Field(description="d: numbers per input x_t.", ge=1)
    hidden_size: int = Field(description="H: size of the hidden state h_t.", ge=1)
    output_size: int = Field(description="K: size of the output yhat_t.", ge=1)
    activation: Literal["tanh", "sigmoid", "relu", "identity"] = Field(
        "tanh",
        description="f in h_t = f(W_x x_t + W_h h_{t-1} + b), for the elman cell; gru and "
        "lstm take tanh or leave it out.",
    )
    output: Literal["identity_mse", "sigmoid_bce", "softmax_ce"] = Field(
        "identity_mse", description="The output function and its loss."
    )
    mode: Literal["many_to_one", "many_to_many"] = Field(
        "many_to_many", description="A loss at every step, or only at the last one."
    )
    output_bias: bool = Field(True, description="Whether the output has a bias b_y.")
    learning_rate: float = Field(0.1, gt=0, description="eta in theta <- theta - eta dL/dtheta.")
    truncation: int | None = Field(
        None, ge=1, description="Truncated BPTT window tau (drop terms with k - t >= tau)."
    )
    clip_norm: float | None = Field(
        None, gt=0, description="Clip the global gradient norm to this before the update."
    )
    optimizer: OptimizerIn = Field(
        default_factory=OptimizerIn, description='The update rule; {"name": "sgd"} by default.'
    )


def _param_fields() -> dict[str, Any]:
    """Every parameter name of every cell, with its shape and which cells have it."""
    owners: dict[str, list[str]] = {}
    roles: dict[str, str] = {}
    for kind in CELLS:
        for spec in kind().specs():
            owners.setdefault(spec.name, []).append(kind.name)
            shape = {"d": "H x d", "H": "H x H", "": "H"}[spec.cols]
            roles[spec.name] = f"{spec.role[0].upper()}{spec.role[1:]}, {shape}"
    fields: dict[str, Any] = {
        name: (
            Matrix | Vector | None,
            Field(None, description=f"{roles[name]} ({', '.join(cells)})."),
        )
        for name, cells in owners.items()
    }
    fields["W_y"] = (Matrix | None, Field(None, description="Output weights, K x H (every cell)."))
    fields["b_y"] = (
        Vector | None,
        Field(None, description="Output bias, K (only with output_bias)."),
    )
    fields["h0"] = (
        Vector | None,
        Field(None, description="Initial hidden state, H (zeros if left out)."),
    )
    fields["c0"] = (
        Vector | None,
        Field(None, description="Initial cell state, H (lstm; zeros if left out)."),
    )
    return fields


ParamsIn = create_model(
    "ParamsIn",
    __base__=Strict,
    __doc__="Starting parameters: exactly the cell's (see each field), W_y, b_y with an "
    "output bias, and optionally the initial states; every shape must match the config.",
    **_param_fields(),
)


class ScenarioIn(Strict):
    """Everything one run needs: the network, its parameters, a sequence and its targets."""

    config: ConfigIn = Field(description="The network and how it learns.")
    params: ParamsIn | None = Field(
        None, description="Starting parameters; left out, they are drawn from `seed`."
    )
    inputs: Matrix = Field(description="The sequence x_1..x_T: T lists of input_size numbers.")
    targets: Matrix | Vector = Field(
        description="T lists of output_size numbers (many_to_many) or one list (many_to_one)."
    )
    seed: int = Field(0, ge=0, le=2**32 - 1, description="Seed for drawing parameters.")


class SessionIn(Strict):
    """A scenario spelt out, or {"preset": id} for a ready-made one."""

    preset: str | None = Field(None, description="A preset id from GET /api/presets.")
    config: ConfigIn | None = Field(None, description="The network (required without preset).")
    params: ParamsIn | None = Field(None, description="Starting parameters (optional).")
    inputs: Matrix | None = Field(None, description="The sequence (required without preset).")
    targets: Matrix | Vector | None = Field(
        None, description="The targets (required without preset)."
    )
    seed: int | None = Field(None, ge=0, le=2**32 - 1, description="Seed for drawn parameters.")


class BpttIn(SessionIn):
    """A scenario (or a preset), and optionally the terms to answer in full."""

    terms: list[str] | None = Field(
        None,
        description='Term ids "param:k:t" (e.g. "W_h:3:2") to answer in full, with their '
        "factors, in `term_details`; the backward records carry every term's summary.",
        max_length=100,
    )


class TrainIn(Strict):
    """How many whole epochs to run (each a forward pass, a backward pass and an update)."""

    epochs: int = Field(description="Number of updates to make; at least 1.", ge=1)


MAX_SCALE = 3.0  # the what-if slider's and the scale command's largest factor


class ScaleIn(Strict):
    """The factor the recurrent weights are multiplied by."""

    factor: float = Field(
        description="0 to 3: W_h (a gated cell's W_h*) times this.", ge=0, le=MAX_SCALE
    )


class TruncationIn(Strict):
    """Truncated BPTT's window."""

    truncation: int | None = Field(
        description="null: full BPTT; tau >= 1: keep term(k, t) only where k - t < tau.", ge=1
    )


class OptimizerChoiceIn(Strict):
    """The optimiser to train with from now on."""

    optimizer: OptimizerIn = Field(description="Its name and hyper-parameters.")


class JobIn(Strict):
    """How many epochs a training job runs."""

    epochs: int = Field(
        description="Updates to make; at least 1 (at most BPTT_MAX_JOB_EPOCHS).", ge=1
    )


class ResetIn(Strict):
    """Where to go back to."""

    to: Literal["epoch", "start"] = Field(
        "epoch",
        description='"epoch": the start of the current epoch, same parameters (the default). '
        '"start": the session\'s first parameters, epoch 1, no loss history; the way back '
        "after the numbers overflowed.",
    )


class ViewIn(Strict):
    """The view the owner's page shows, for the session's followers."""

    view: str = Field(
        description='As the page names it: "e<epoch>-start", "e<epoch>-forward-<t>", '
        '"e<epoch>-backward-<t>[-<term>]" or "e<epoch>-update".',
        max_length=40,
    )


class ExploreIn(Strict):
    """Where in the session's current epoch its copy starts."""

    steps: int = Field(
        ge=0,
        description="Steps into the epoch (0: its start; T: the forward pass done; 2T: the "
        "backward pass done), at most the steps the session has taken.",
    )


class OptimizerStateIn(Strict):
    """What the optimiser carries into an epoch: the count of updates done and its slots."""

    n: int = Field(ge=0, le=10**9, description="Updates done so far (Adam's bias correction).")
    slots: dict[str, dict[str, Matrix | Vector]] = Field(
        description="Slot (momentum: v; adagrad: G; rmsprop: s; adam: m, v; sgd: none) -> "
        "trained parameter -> array shaped like it, as the session's optimizer_state gives."
    )


class SavedIn(SessionIn):
    """A scenario and the weights at the start of an epoch: what a link holds, kept on the
    server when it is too large for an address."""

    weights: ParamsIn | None = Field(
        None,
        description="The parameters at the start of the view's epoch, when they are not "
        "the scenario's (left out: the scenario's own, or the preset's).",
    )
    optimizer_state: OptimizerStateIn | None = Field(
        None,
        description="The optimiser's state at the start of the view's epoch, when it is not "
        "a fresh one (left out: n = 0, no moments).",
    )


class LinkIn(SavedIn):
    """A link's view rebuilt: the scenario, the weights at the start of the view's epoch,
    and how far into that epoch the view is."""

    epoch: int = Field(1, ge=1, le=10**9, description="The view's epoch, from 1.")
    steps: int = Field(
        0,
        ge=0,
        description="Steps into the epoch: 0 its start, T the forward pass done, 2T the "
        "backward pass done, 2T + 1 its update too (the view of the update).",
    )
    trained: bool = Field(
        False,
        description="The view's update was made on the training path (POST .../train), "
        "whose numbers equal the steps' only to rounding: it is made the same way again.",
    )

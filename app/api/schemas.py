"""Request bodies. Unknown fields are refused and numbers must be finite (no NaN/Infinity).

Shapes and the rules that need the whole scenario (targets in [0, 1], distributions,
T >= 1) are checked by the core; the size limits by app.api.limits against Settings.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Vector = list[float]
Matrix = list[list[float]]


class Strict(BaseModel):
    """No unknown fields, no NaN or Infinity, no coercion ("2" is not 2, true is not 1)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)


class ConfigIn(Strict):
    """The network: sizes, functions, and how it learns."""

    input_size: int = Field(description="d: numbers per input x_t.", ge=1)
    hidden_size: int = Field(description="H: size of the hidden state h_t.", ge=1)
    output_size: int = Field(description="K: size of the output yhat_t.", ge=1)
    activation: Literal["tanh", "sigmoid", "relu", "identity"] = Field(
        "tanh", description="f in h_t = f(W_x x_t + W_h h_{t-1} + b)."
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


class ParamsIn(Strict):
    """Starting parameters; every shape must match the config."""

    W_x: Matrix = Field(description="Input weights, H x d.")
    W_h: Matrix = Field(description="Recurrent weights, H x H.")
    b: Vector = Field(description="Hidden bias, H.")
    W_y: Matrix = Field(description="Output weights, K x H.")
    b_y: Vector | None = Field(None, description="Output bias, K (only with output_bias).")
    h0: Vector | None = Field(None, description="Initial hidden state, H (zeros if left out).")


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


class TrainIn(Strict):
    """How many whole epochs to run (each a forward pass, a backward pass and an update)."""

    epochs: int = Field(description="Number of updates to make; at least 1.", ge=1)


class ResetIn(Strict):
    """Where to go back to."""

    to: Literal["epoch", "start"] = Field(
        "epoch",
        description='"epoch": the start of the current epoch, same parameters (the default). '
        '"start": the session\'s first parameters, epoch 1, no loss history; the way back '
        "after the numbers overflowed.",
    )

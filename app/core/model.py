"""The model's configuration, parameters and scenario (docs/design.md section 1).

Shapes, with d = input_size, H = hidden_size, K = output_size, T = len(inputs):

    the cell's parameters (its specs: (H, d), (H, H) or (H,), e.g. Elman's W_x, W_h, b)
    W_y (K, H)   b_y (K,) or absent   h0 (H,)   c0 (H,) for a cell with a c state
    inputs (T, d)   targets (T, K) for many_to_many, (K,) for many_to_one
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from functools import cached_property

import numpy as np

from app.core.cells import CELL_NAMES, Cell, make_cell
from app.core.errors import ScenarioError
from app.core.optimizers import SGD, Optimizer

ACTIVATIONS = ("tanh", "sigmoid", "relu", "identity")
OUTPUTS = ("identity_mse", "sigmoid_bce", "softmax_ce")
MODES = ("many_to_one", "many_to_many")
OUTPUT_PARAMS = ("W_y", "b_y")


def frozen_array(value: object, field_name: str) -> np.ndarray:
    """A read-only float64 copy of `value`, refusing NaN and infinities."""
    try:
        array = np.array(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ScenarioError(field_name, "must be numbers in a (nested) list") from error
    if not np.all(np.isfinite(array)):
        raise ScenarioError(field_name, "must be finite numbers (no NaN or Infinity)")
    array.setflags(write=False)
    return array


@dataclass(frozen=True)
class Config:
    input_size: int
    hidden_size: int
    output_size: int
    activation: str = "tanh"
    output: str = "identity_mse"
    mode: str = "many_to_many"
    output_bias: bool = True
    learning_rate: float = 0.1
    truncation: int | None = None
    clip_norm: float | None = None
    cell: str = "elman"
    optimizer: Optimizer = field(default_factory=SGD)

    def __post_init__(self) -> None:
        for name in ("input_size", "hidden_size", "output_size"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 1:
                raise ScenarioError(name, "must be an integer >= 1")
        if self.cell not in CELL_NAMES:
            raise ScenarioError("cell", f"must be one of {', '.join(CELL_NAMES)}")
        if self.cell != "elman" and self.activation != "tanh":
            raise ScenarioError("activation", f"must be tanh or left out for the {self.cell} cell")
        for name, allowed in (
            ("activation", ACTIVATIONS),
            ("output", OUTPUTS),
            ("mode", MODES),
        ):
            if getattr(self, name) not in allowed:
                raise ScenarioError(name, f"must be one of {', '.join(allowed)}")
        if not np.isfinite(self.learning_rate) or self.learning_rate <= 0:
            raise ScenarioError("learning_rate", "must be a finite number > 0")
        if self.truncation is not None and self.truncation < 1:
            raise ScenarioError("truncation", "must be null or an integer >= 1")
        if self.clip_norm is not None and not (np.isfinite(self.clip_norm) and self.clip_norm > 0):
            raise ScenarioError("clip_norm", "must be null or a finite number > 0")

    @cached_property
    def rnn(self) -> Cell:
        """The cell object: its parameters, steps and derivatives (made once per config:
        the config and the cell are both frozen)."""
        return make_cell(self.cell, self.activation)

    @cached_property
    def cell_params(self) -> tuple[str, ...]:
        """The cell's trained parameters, in the order of its specs."""
        return tuple(spec.name for spec in self.rnn.specs())

    @cached_property
    def output_params(self) -> tuple[str, ...]:
        return OUTPUT_PARAMS if self.output_bias else OUTPUT_PARAMS[:1]

    @cached_property
    def param_names(self) -> tuple[str, ...]:
        """The trained parameters: the cell's, then W_y (and b_y with an output bias)."""
        return self.cell_params + self.output_params

    @property
    def initial_states(self) -> tuple[str, ...]:
        """h0 (and c0): given or zeros, not trained."""
        return tuple(f"{state}0" for state in self.rnn.states)

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        """Every parameter's shape, the initial states last."""
        d, H, K = self.input_size, self.hidden_size, self.output_size
        shapes = {spec.name: spec.shape(d, H) for spec in self.rnn.specs()}
        shapes |= {"W_y": (K, H), "b_y": (K,)}
        if not self.output_bias:
            del shapes["b_y"]
        return shapes | {name: (H,) for name in self.initial_states}

    def loss_steps(self, T: int) -> tuple[int, ...]:
        """S: the time steps whose output has a loss (1-based)."""
        return tuple(range(1, T + 1)) if self.mode == "many_to_many" else (T,)

    def kept_losses(self, t: int, T: int) -> tuple[int, ...]:
        """The loss steps k whose terms reach the hidden layer's use at t: k in S, k >= t, kept."""
        return tuple(k for k in self.loss_steps(T) if k >= t and self.keeps_term(k, t))

    def keeps_term(self, k: int, t: int) -> bool:
        """Truncated BPTT keeps term(k, t) iff k - t < tau."""
        return self.truncation is None or k - t < self.truncation


@dataclass(frozen=True, eq=False)
class Params:
    """The parameters by name (read-only float64 arrays): the cell's, W_y, b_y (only with
    an output bias), then the initial states h0 (and c0). `params.W_h` reads one."""

    arrays: Mapping[str, np.ndarray]
    trained_names: tuple[str, ...]

    @classmethod
    def from_dict(cls, config: Config, values: Mapping[str, object]) -> Params:
        """Check every shape against `config`; the initial states default to zeros."""
        shapes = config.param_shapes()
        unknown = sorted(set(values) - set(shapes))
        if unknown:
            raise ScenarioError(f"params.{unknown[0]}", f"is not a parameter of {_names(config)}")
        arrays: dict[str, np.ndarray] = {}
        for name, shape in shapes.items():
            if name not in values:
                if name not in config.initial_states:
                    raise ScenarioError(f"params.{name}", f"is missing (shape {_shape(shape)})")
                values = {**values, name: np.zeros(shape)}
            array = frozen_array(values[name], f"params.{name}")
            if array.shape != shape:
                raise ScenarioError(
                    f"params.{name}", f"must have shape {_shape(shape)}, not {_shape(array.shape)}"
                )
            arrays[name] = array
        return cls(arrays, config.param_names)

    def __getattr__(self, name: str) -> np.ndarray | None:
        if name.startswith("__") or name in ("arrays", "trained_names", "finite"):
            raise AttributeError(name)
        if name == "b_y":
            return self.arrays.get("b_y")
        try:
            return self.arrays[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str) -> np.ndarray:
        return self.arrays[name]

    def trained(self) -> dict[str, np.ndarray]:
        """The trained parameters by name (the initial states are given, not trained)."""
        return {name: self.arrays[name] for name in self.trained_names}

    def initial_state(self) -> tuple[np.ndarray, ...]:
        """(h0,) or (h0, c0)."""
        return tuple(value for name, value in self.arrays.items() if name not in self.trained_names)

    def as_dict(self) -> dict[str, np.ndarray]:
        return dict(self.arrays)

    @cached_property
    def finite(self) -> bool:
        """False once an overflowing update has left NaN or infinity in a parameter (the
        arrays are read-only, so this is checked once)."""
        return all(np.isfinite(value).all() for value in self.arrays.values())

    def is_finite(self) -> bool:
        return self.finite

    def with_values(self, changes: Mapping[str, np.ndarray]) -> Params:
        frozen = {name: frozen_array_unchecked(value) for name, value in changes.items()}
        return Params({**self.arrays, **frozen}, self.trained_names)


def frozen_array_unchecked(value: np.ndarray) -> np.ndarray:
    """A read-only float64 copy that may hold non-finite values (an overflowed update)."""
    array = np.array(value, dtype=np.float64)
    array.setflags(write=False)
    return array


def init_params(config: Config, seed: int) -> Params:
    """Reproducible initialisation: U(-1/sqrt(H), 1/sqrt(H)) as in PyTorch's nn.RNN, h0 = 0.

    Drawn in the order of config.param_shapes(), so an Elman config draws as it always has.
    """
    rng = np.random.default_rng(seed)
    bound = 1.0 / np.sqrt(config.hidden_size)
    values = {
        name: rng.uniform(-bound, bound, size=shape)
        for name, shape in config.param_shapes().items()
        if name not in config.initial_states
    }
    return Params.from_dict(config, values)


@dataclass(frozen=True, eq=False)
class Scenario:
    """Everything one run needs: config, parameters, inputs and targets."""

    config: Config
    params: Params
    inputs: np.ndarray
    targets: np.ndarray
    targets_by_step: dict[int, np.ndarray] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        inputs = frozen_array(self.inputs, "inputs")
        targets = frozen_array(self.targets, "targets")
        object.__setattr__(self, "inputs", inputs)
        object.__setattr__(self, "targets", targets)
        _check_inputs(self.config, inputs)
        by_step = _check_targets(self.config, targets, inputs.shape[0])
        object.__setattr__(self, "targets_by_step", by_step)

    @property
    def T(self) -> int:
        return self.inputs.shape[0]

    def with_params(self, params: Params) -> Scenario:
        """The same scenario with other parameters (of the same config): the inputs and
        targets were checked when it was made, so they are not checked again."""
        if params.trained_names != self.params.trained_names:
            values = {f.name: getattr(self, f.name) for f in fields(self) if f.init}
            return Scenario(**{**values, "params": params})
        changed = object.__new__(Scenario)
        for name in ("config", "inputs", "targets", "targets_by_step"):
            object.__setattr__(changed, name, getattr(self, name))
        object.__setattr__(changed, "params", params)
        return changed


def _check_inputs(config: Config, inputs: np.ndarray) -> None:
    if inputs.ndim != 2 or inputs.shape[0] < 1 or inputs.shape[1] != config.input_size:
        raise ScenarioError(
            "inputs",
            f"must be a list of T >= 1 time steps, each a list of input_size = "
            f"{config.input_size} numbers (got shape {_shape(inputs.shape)})",
        )


def _check_targets(config: Config, targets: np.ndarray, T: int) -> dict[int, np.ndarray]:
    K = config.output_size
    if config.mode == "many_to_many":
        expected, rows = (T, K), targets
    else:
        expected, rows = (K,), targets[None, :] if targets.ndim == 1 else targets
    if targets.shape != expected:
        raise ScenarioError(
            "targets",
            f"must have shape {_shape(expected)} for {config.mode}, not {_shape(targets.shape)}",
        )
    if config.output == "sigmoid_bce" and np.any((rows < 0) | (rows > 1)):
        raise ScenarioError("targets", "must lie in [0, 1] for sigmoid_bce")
    if config.output == "softmax_ce" and (
        np.any(rows < 0) or not np.allclose(rows.sum(axis=1), 1.0, rtol=0, atol=1e-9)
    ):
        raise ScenarioError(
            "targets", "must be probability distributions (>= 0, each summing to 1) for softmax_ce"
        )
    return {k: row for k, row in zip(config.loss_steps(T), rows, strict=True)}


def _shape(shape: tuple[int, ...]) -> str:
    return str(tuple(shape))


def _names(config: Config) -> str:
    return ", ".join(config.param_shapes())

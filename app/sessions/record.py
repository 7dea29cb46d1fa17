"""A session as a small record, and its versioned JSON.

The record holds what cannot be recomputed: the scenario with the parameters at the
start of the current epoch, the parameters the session was created with, those at the
start of the previous epoch (to rebuild `last_update`), the bounded loss history and the
cursor (epoch, steps taken in the epoch). Everything a step shows is replayed from it by
the deterministic core (app/sessions/replay.py).

Numbers keep their bits: every array is its float64 bytes (little-endian) in base64 with
its shape, so NaN and infinities after an overflow come back as they were; scalars in the
config are JSON floats, which Python writes in their shortest round-tripping form.

Sizes, for H hidden units, d inputs, K outputs and T steps: three parameter sets of
H*d + H*H + 2H + K*H + K numbers (about 10.7 bytes each in base64), T*d inputs and T*K
targets, and at most LOSS_HISTORY_KEPT losses: about 50 KB at T = 50, H = 32, d = K = 1.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.core import Config, Params, Scenario
from app.core.optimizers import OptimizerState, make_optimizer, optimizer_dict

RECORD_VERSION = 1
LOSS_HISTORY_KEPT = 1000  # the chart's last 1,000 epochs; `losses_seen` counts them all


class RecordUnreadableError(Exception):
    """A stored record that is corrupt or written by an incompatible version."""


@dataclass(frozen=True)
class Cursor:
    """Where a session stands: its epoch and how many steps of it are taken (0 .. 2T)."""

    epoch: int
    steps: int

    def phase(self, T: int) -> str:
        if self.steps < T:
            return "forward"
        return "backward" if self.steps < 2 * T else "update"

    def next_t(self, T: int) -> int | None:
        """The time step of the next step (None when the update comes next)."""
        if self.steps < T:
            return self.steps + 1
        return 2 * T - self.steps if self.steps < 2 * T else None

    def as_json(self, T: int) -> dict[str, Any]:
        """{phase, t, epoch}: what an event carries."""
        return {"phase": self.phase(T), "t": self.next_t(T), "epoch": self.epoch}


@dataclass(frozen=True, eq=False)
class SessionRecord:
    """One session, all a store keeps of it. `revision` counts its changes (0 at creation)."""

    id: str
    token_hash: str  # sha256 of the token: the record never holds the token itself
    seed: int
    preset: str | None
    scenario: Scenario  # params: those at the start of the current epoch
    first_params: Params  # as created, for a reset to the start
    previous_params: Params | None  # at the start of the previous epoch (None in epoch 1)
    cursor: Cursor
    loss_history: tuple[float, ...] = ()  # the last LOSS_HISTORY_KEPT epochs' losses
    losses_seen: int = 0  # every epoch's loss, kept or not
    revision: int = 0
    # The optimiser's state at the start of the current and of the previous epoch
    # (None: its initial state, as at the start of the session).
    optimizer_state: OptimizerState | None = None
    previous_optimizer_state: OptimizerState | None = None
    # How the previous epoch was computed: by its steps, or on the training path (train),
    # whose numbers equal the steps' only to rounding; its replay takes the same path.
    previous_trained: bool = False

    @property
    def T(self) -> int:
        return self.scenario.T


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def bounded_history(history: tuple[float, ...]) -> tuple[float, ...]:
    return tuple(history[-LOSS_HISTORY_KEPT:])


# ---- arrays and the scenario ---------------------------------------------------------------


def encode_array(array: np.ndarray) -> dict[str, Any]:
    """{shape, f8}: the float64 bytes, little-endian, in base64."""
    data = np.ascontiguousarray(array, dtype="<f8").tobytes()
    return {"shape": list(np.shape(array)), "f8": base64.b64encode(data).decode("ascii")}


def decode_array(value: Mapping[str, Any]) -> np.ndarray:
    data = base64.b64decode(value["f8"], validate=True)
    array = np.frombuffer(data, dtype="<f8").astype(np.float64).reshape(value["shape"])
    array.setflags(write=False)
    return array


def encode_config(config: Config) -> dict[str, Any]:
    """The one place a config becomes JSON: its fields, the optimiser in its API form."""
    values = {f.name: getattr(config, f.name) for f in dataclasses.fields(config)}
    return {**values, "optimizer": optimizer_dict(config.optimizer)}


def decode_config(values: Mapping[str, Any]) -> Config:
    """The inverse of encode_config."""
    known = {f.name for f in dataclasses.fields(Config)}
    fields = {name: value for name, value in values.items() if name in known}
    return Config(**{**fields, "optimizer": make_optimizer(values.get("optimizer", {}))})


def encode_params(params: Params) -> dict[str, Any]:
    return {name: encode_array(value) for name, value in params.as_dict().items()}


def decode_params(config: Config, values: Mapping[str, Any]) -> Params:
    """Params by name; shapes checked by the core, non-finite values (an overflow) kept."""
    arrays = {name: decode_array(value) for name, value in values.items()}
    checked = Params.from_dict(config, {name: np.zeros(a.shape) for name, a in arrays.items()})
    return checked.with_values(arrays)


def encode_optimizer_state(state: OptimizerState | None) -> dict[str, Any] | None:
    """{n, slots: {slot: {param: array}}}; None is the optimiser's initial state."""
    if state is None:
        return None
    slots = {
        slot: {name: encode_array(value) for name, value in arrays.items()}
        for slot, arrays in state.slots.items()
    }
    return {"n": state.n, "slots": slots}


def decode_optimizer_state(value: Mapping[str, Any] | None) -> OptimizerState | None:
    if value is None:
        return None
    slots = {
        slot: {name: decode_array(array) for name, array in arrays.items()}
        for slot, arrays in value["slots"].items()
    }
    return OptimizerState(int(value["n"]), slots)


# ---- the record ----------------------------------------------------------------------------


def encode_record(record: SessionRecord) -> str:
    """The record as versioned JSON text (strict: no NaN, arrays as bytes)."""
    scenario = record.scenario
    previous = record.previous_params
    content = {
        "version": RECORD_VERSION,
        "id": record.id,
        "token_hash": record.token_hash,
        "seed": record.seed,
        "preset": record.preset,
        "revision": record.revision,
        "config": encode_config(scenario.config),
        "inputs": encode_array(scenario.inputs),
        "targets": encode_array(scenario.targets),
        "params": encode_params(scenario.params),
        "first_params": encode_params(record.first_params),
        "previous_params": None if previous is None else encode_params(previous),
        "cursor": {"epoch": record.cursor.epoch, "steps": record.cursor.steps},
        "loss_history": encode_array(np.array(record.loss_history, dtype=np.float64)),
        "losses_seen": record.losses_seen,
        "optimizer_state": encode_optimizer_state(record.optimizer_state),
        "previous_optimizer_state": encode_optimizer_state(record.previous_optimizer_state),
        "previous_trained": record.previous_trained,
    }
    return json.dumps(content, allow_nan=False, separators=(",", ":"))


def decode_record(text: str | bytes) -> SessionRecord:
    """The record from encode_record's JSON; RecordUnreadableError if corrupt or another version."""
    try:
        content = json.loads(text)
    except (ValueError, UnicodeDecodeError) as error:
        raise RecordUnreadableError("the stored session is not valid JSON") from error
    if not isinstance(content, dict) or content.get("version") != RECORD_VERSION:
        found = content.get("version") if isinstance(content, dict) else None
        raise RecordUnreadableError(
            f"the stored session has version {found!r}; this server reads {RECORD_VERSION}"
        )
    try:
        return _decode_fields(content)
    except Exception as error:  # any malformed field: the record cannot be trusted
        raise RecordUnreadableError(f"the stored session is corrupt ({error})") from error


def _decode_fields(content: dict[str, Any]) -> SessionRecord:
    config = decode_config(content["config"])
    params = decode_params(config, content["params"])
    inputs, targets = decode_array(content["inputs"]), decode_array(content["targets"])
    previous = content["previous_params"]
    cursor = Cursor(int(content["cursor"]["epoch"]), int(content["cursor"]["steps"]))
    scenario = Scenario(config, params, inputs, targets)
    if not 0 <= cursor.steps <= 2 * scenario.T or cursor.epoch < 1:
        raise ValueError(f"cursor {cursor} out of range")
    return SessionRecord(
        id=str(content["id"]),
        token_hash=str(content["token_hash"]),
        seed=int(content["seed"]),
        preset=content["preset"],
        scenario=scenario,
        first_params=decode_params(config, content["first_params"]),
        previous_params=None if previous is None else decode_params(config, previous),
        cursor=cursor,
        loss_history=tuple(float(v) for v in decode_array(content["loss_history"])),
        losses_seen=int(content["losses_seen"]),
        revision=int(content["revision"]),
        optimizer_state=decode_optimizer_state(content["optimizer_state"]),
        previous_optimizer_state=decode_optimizer_state(content["previous_optimizer_state"]),
        previous_trained=bool(content["previous_trained"]),
    )

"""A record encodes to versioned JSON and back to the same numbers, and stays small."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from app.api.wire import RunState
from app.core import (
    Config,
    Run,
    Scenario,
    get_preset,
    init_params,
    list_presets,
    step,
    train,
)
from app.core.optimizers import make_optimizer
from app.sessions import MemoryStore, RunCache, Sessions, decode_record, encode_record, replay
from app.sessions.record import (
    LOSS_HISTORY_KEPT,
    RECORD_VERSION,
    Cursor,
    RecordUnreadableError,
    SessionRecord,
)
from app.sessions.replay import run_weight
from tests.sessions.conftest import same_bits


def shown(run: Run) -> dict:
    """Everything the API shows of a run (with NumPy arrays, before JSON)."""
    return RunState.of(run, seed=0, inline_factor_size=10**9)


def uncached_sessions() -> Sessions:
    """Sessions that keep no Run: every command replays its record."""
    return Sessions(MemoryStore(max_sessions=10, ttl=3600), RunCache(0))


@pytest.mark.parametrize("preset", [p.id for p in list_presets()])
def test_every_cursor_of_every_preset_round_trips_to_the_same_numbers(preset: str) -> None:
    scenario = get_preset(preset).scenario
    sessions = uncached_sessions()
    created = sessions.create(scenario, seed=0, preset=preset)
    token, session_id = created.token, created.record.id
    live = Run(scenario)
    for _ in range(2 * (2 * scenario.T + 1) + 2):  # two whole epochs and two steps more
        stored = sessions.store.load(session_id)
        text = encode_record(stored)
        decoded = decode_record(text)
        assert encode_record(decoded) == text
        same_bits(shown(replay(decoded)), shown(live), preset)
        if not live.scenario.params.is_finite():
            break
        sessions.step(session_id, token, live.phase)
        live, _ = step(live)


def test_a_record_keeps_overflowed_weights_as_they_were() -> None:
    config = Config(1, 2, 1, learning_rate=1e300)
    scenario = Scenario(config, init_params(config, 1), np.ones((2, 1)), np.full((2, 1), 1e150))
    sessions = uncached_sessions()
    created = sessions.create(scenario, seed=1, preset=None)
    for command in ("forward", "forward", "backward", "backward", "update"):
        outcome = sessions.step(created.record.id, created.token, command)
    assert not outcome.run.scenario.params.is_finite()
    decoded = decode_record(encode_record(sessions.store.load(created.record.id)))
    same_bits(shown(replay(decoded)), shown(outcome.run))


def largest_record() -> SessionRecord:
    """T = 50, H = 32, d = K = 1 after a full loss history: the largest a session gets."""
    config = Config(1, 32, 1)
    params = init_params(config, 3)
    scenario = Scenario(config, params, np.linspace(-1, 1, 50)[:, None], np.zeros((50, 1)))
    return SessionRecord(
        id="x" * 22,
        token_hash="0" * 64,
        seed=3,
        preset=None,
        scenario=scenario,
        first_params=init_params(config, 4),
        previous_params=init_params(config, 5),
        cursor=Cursor(epoch=5000, steps=99),
        loss_history=tuple(np.random.default_rng(0).random(LOSS_HISTORY_KEPT) * 1e-3),
        losses_seen=4999,
    )


def test_the_largest_record_stays_under_64_kb() -> None:
    text = encode_record(largest_record())
    assert len(text.encode()) < 64 * 1024
    assert json.loads(text)["version"] == RECORD_VERSION


def test_training_keeps_only_the_last_losses_but_counts_them_all() -> None:
    sessions = uncached_sessions()
    created = sessions.create(get_preset("seed-3-step").scenario, seed=0, preset=None)
    for _ in range(3):
        sessions.train(created.record.id, created.token, 600, check=lambda scenario: None)
    record = sessions.store.load(created.record.id)
    assert record.losses_seen == 1800 and len(record.loss_history) == LOSS_HISTORY_KEPT
    assert record.cursor == Cursor(epoch=1801, steps=0)


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],
        lambda text: text.replace(f'"version":{RECORD_VERSION}', '"version":99'),
        lambda text: text.replace('"f8":"', '"f8":"!!'),
        lambda text: json.dumps({**json.loads(text), "cursor": {"epoch": 1, "steps": 999}}),
        lambda text: "[]",
    ],
)
def test_a_damaged_or_foreign_record_is_refused_with_a_reason(damage) -> None:
    text = encode_record(largest_record())
    with pytest.raises(RecordUnreadableError) as refused:
        decode_record(damage(text))
    assert "stored session" in str(refused.value)


def test_a_worker_behind_by_a_few_steps_catches_up_to_the_same_numbers() -> None:
    scenario = get_preset("sine-next-value").scenario
    store = MemoryStore(max_sessions=10, ttl=3600)
    behind, ahead = Sessions(store, RunCache(4)), Sessions(store, RunCache(4))
    created = behind.create(scenario, seed=0, preset=None)
    session_id, token = created.record.id, created.token
    live = Run(scenario)
    for _ in range(scenario.T + 3):
        ahead.step(session_id, token, live.phase)
        live, _ = step(live)
    same_bits(shown(behind.read(session_id).run), shown(live))


def test_the_run_cache_keeps_within_its_count_and_its_bytes() -> None:
    small = get_preset("seed-3-step").scenario
    weight = run_weight(small)
    by_count, by_bytes = RunCache(size=2), RunCache(size=100, budget_bytes=int(2.5 * weight))
    for cache in (by_count, by_bytes):
        sessions = Sessions(MemoryStore(max_sessions=10, ttl=3600), cache)
        made = [sessions.create(small, seed=0, preset=None).record for _ in range(3)]
        assert cache.get(made[0]) is None  # the least recently used went first
        assert cache.get(made[1]) is not None and cache.get(made[2]) is not None
    config = Config(1, 32, 1)
    large = Scenario(config, init_params(config, 0), np.zeros((50, 1)), np.zeros((50, 1)))
    assert run_weight(large) > 1000 * weight  # the worst case weighs what it holds


@pytest.mark.parametrize("optimizer", ["momentum", "adagrad", "rmsprop", "adam"])
def test_an_optimisers_state_survives_the_record_through_steps_and_training(optimizer) -> None:
    """Epoch 3's update (its m, v, ... and new weights) needs the state epochs 1 and 2 left."""
    preset = get_preset("sine-next-value").scenario
    config = replace(preset.config, optimizer=make_optimizer({"name": optimizer}))
    scenario = Scenario(config, preset.params, preset.inputs[:4], preset.targets[:4])
    sessions = uncached_sessions()
    created = sessions.create(scenario, seed=0, preset=None)
    session_id, token = created.record.id, created.token
    sessions.train(session_id, token, 2, check=lambda scenario: None)
    live, _, _ = train(Run(scenario), 2)
    for _ in range(2 * scenario.T + 1):  # the third epoch, step by step, and its update
        sessions.step(session_id, token, live.phase)
        live, _ = step(live)
        decoded = decode_record(encode_record(sessions.store.load(session_id)))
        same_bits(shown(replay(decoded)), shown(live), optimizer)
    assert live.last_update.update_number == 3
    assert decoded.optimizer_state.n == 3 and decoded.previous_optimizer_state.n == 2

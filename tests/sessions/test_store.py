"""The same store tests for every store (memory, Redis): records, cap, expiry, events, races."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from app.core import Config, Scenario, get_preset, init_params
from app.sessions import RunCache, SessionBusyError, Sessions, encode_record
from app.sessions.events import make_event
from tests.sessions.stores import StoreMaker


def new_sessions(make_store: StoreMaker, **options) -> Sessions:
    return Sessions(make_store(**options), RunCache(8))


def create(sessions: Sessions, preset: str = "seed-3-step") -> tuple[str, str]:
    outcome = sessions.create(get_preset(preset).scenario, seed=0, preset=preset)
    return outcome.record.id, outcome.token


def test_a_stored_record_comes_back_as_it_went_in(make_store: StoreMaker) -> None:
    sessions = new_sessions(make_store)
    session_id, token = create(sessions, "sine-next-value")
    sessions.step(session_id, token, "forward")
    stored = sessions.store.load(session_id)
    assert stored.revision == 1 and stored.cursor.steps == 1
    assert encode_record(stored) == encode_record(sessions.read(session_id).record)
    assert sessions.store.load("no-such-session") is None


def test_a_save_from_a_stale_revision_changes_nothing(make_store: StoreMaker) -> None:
    sessions = new_sessions(make_store)
    session_id, token = create(sessions)
    sessions.step(session_id, token, "forward")
    stale = sessions.store.load(session_id)
    sessions.step(session_id, token, "forward")
    assert not sessions.store.save(stale, make_event(stale, "forward"))
    assert sessions.store.load(session_id).cursor.steps == 2


def test_every_command_is_one_numbered_event_without_the_state_or_token(
    make_store: StoreMaker,
) -> None:
    sessions = new_sessions(make_store)
    session_id, token = create(sessions)
    for command in ("forward", "forward", "forward", "backward"):
        sessions.step(session_id, token, command)
    sessions.reset(session_id, token, "epoch")
    sessions.train(session_id, token, 2, check=lambda scenario: None)
    sessions.reset(session_id, token, "start")
    events = sessions.store.events_since(session_id, 0)
    assert [event["seq"] for event in events] == list(range(1, 8))
    assert [event["command"] for event in events] == [
        *["forward"] * 3,
        "backward",
        "reset",
        "train",
        "reset",
    ]
    assert events[3]["cursor"] == {"phase": "backward", "t": 2, "epoch": 1}
    assert events[5]["cursor"] == {"phase": "forward", "t": 1, "epoch": 3}
    assert all(set(event) == {"seq", "command", "cursor"} for event in events)
    assert token not in repr(events)
    assert sessions.store.events_since(session_id, 5) == events[5:]


def test_the_event_log_keeps_only_the_last_events(make_store: StoreMaker) -> None:
    sessions = new_sessions(make_store, event_log_size=4)
    session_id, token = create(sessions, "sine-next-value")
    for _ in range(10):
        sessions.step(session_id, token, "forward")
    assert [event["seq"] for event in sessions.store.events_since(session_id, 0)] == [
        7,
        8,
        9,
        10,
    ]


def test_the_least_recently_used_session_goes_past_the_cap(make_store: StoreMaker) -> None:
    sessions = new_sessions(make_store, max_sessions=2)
    first, _ = create(sessions)
    second, _ = create(sessions)
    assert sessions.store.load(first) is not None  # first is now the most recent
    third, _ = create(sessions)
    assert sessions.store.load(second) is None
    assert sessions.store.load(first) is not None and sessions.store.load(third) is not None


def test_an_idle_session_expires(make_store: StoreMaker, idle) -> None:
    sessions = new_sessions(make_store, ttl=1)
    session_id, token = create(sessions)
    sessions.step(session_id, token, "forward")
    idle(sessions.store, 0.6)
    assert sessions.store.load(session_id) is not None
    idle(sessions.store, 1.2)  # past ttl since creation, not since the last use
    assert sessions.store.load(session_id) is not None
    idle(sessions.store, 2.5)
    assert sessions.store.load(session_id) is None
    assert sessions.store.events_since(session_id, 0) == []


def test_delete_forgets_the_session_and_logs_nothing_more(make_store: StoreMaker) -> None:
    sessions = new_sessions(make_store)
    session_id, token = create(sessions)
    sessions.delete(session_id, token)
    assert sessions.store.load(session_id) is None


def test_racing_steps_never_skip_or_repeat_a_time_step(make_store: StoreMaker) -> None:
    config = Config(1, 2, 1)
    inputs = np.arange(12.0)[:, None]
    scenario = Scenario(config, init_params(config, 0), inputs, np.zeros((12, 1)))
    # Two workers' views of one store: each has its own cache of Runs.
    store = make_store()
    workers = [Sessions(store, RunCache(8)), Sessions(store, RunCache(8))]
    outcome = workers[0].create(scenario, seed=0, preset=None)
    session_id, token = outcome.record.id, outcome.token

    def forward(index: int) -> int | None:
        try:
            return workers[index % 2].step(session_id, token, "forward").step.t
        except SessionBusyError:
            return None

    with ThreadPoolExecutor(max_workers=6) as pool:
        taken = [t for t in pool.map(forward, range(12)) if t is not None]
    assert sorted(taken) == list(range(1, len(taken) + 1))
    record = store.load(session_id)
    assert record.cursor.steps == len(taken) >= 1
    run = workers[0].read(session_id).run
    assert [float(r.x[0]) for r in run.forward] == list(inputs[: len(taken), 0])

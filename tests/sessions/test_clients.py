"""Fair sharing in every store (memory, Redis): a client's cap evicts only its own sessions,
and a full store evicts from the client holding the most."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import redis

from app.core import get_preset
from app.sessions import RunCache, Sessions
from app.sessions.redis import RedisStore
from tests.sessions.stores import StoreMaker

SCENARIO = get_preset("seed-3-step").scenario


def new_sessions(make_store: StoreMaker, **options) -> Sessions:
    return Sessions(make_store(**options), RunCache(8))


def create(sessions: Sessions, owner: str, count: int = 1) -> list[str]:
    """`count` new sessions held by client `owner`: their ids, oldest first."""
    made = [sessions.create(SCENARIO, seed=0, preset=None, owner=owner) for _ in range(count)]
    return [outcome.record.id for outcome in made]


def alive(sessions: Sessions, ids: list[str]) -> list[bool]:
    return [sessions.store.load(session_id) is not None for session_id in ids]


def test_past_its_cap_a_client_loses_its_own_least_recently_used(
    make_store: StoreMaker,
) -> None:
    sessions = new_sessions(make_store, max_sessions=20, max_per_client=3)
    others = create(sessions, "school")
    mine = create(sessions, "flooder", 3)
    sessions.store.load(mine[0])  # used again: now mine[1] is its least recently used
    later = create(sessions, "flooder", 2)
    assert alive(sessions, mine) == [True, False, False]
    assert alive(sessions, later) == [True, True]
    assert alive(sessions, others) == [True]
    assert (sessions.store.owned("flooder"), sessions.store.owned("school")) == (3, 1)


def test_one_client_creating_without_end_evicts_nobody_else(make_store: StoreMaker) -> None:
    sessions = new_sessions(make_store, max_sessions=8, max_per_client=6)
    students = [create(sessions, f"student-{index}")[0] for index in range(3)]
    flood = create(sessions, "flooder", 40)
    assert alive(sessions, students) == [True, True, True]
    assert sum(alive(sessions, flood)) == 5  # the store is full: 3 + 5 = 8
    assert alive(sessions, flood[-5:]) == [True] * 5


def test_a_full_store_evicts_from_the_client_holding_the_most(make_store: StoreMaker) -> None:
    sessions = new_sessions(make_store, max_sessions=6, max_per_client=5)
    big = create(sessions, "big", 4)
    small = create(sessions, "small", 2)
    newcomer = create(sessions, "newcomer")
    assert alive(sessions, big) == [False, True, True, True]
    assert alive(sessions, small + newcomer) == [True, True, True]
    assert sessions.store.owned("big") == 3


def test_a_deleted_or_expired_session_no_longer_counts(make_store: StoreMaker, idle) -> None:
    sessions = new_sessions(make_store, max_sessions=10, max_per_client=2, ttl=1.0)
    first = sessions.create(SCENARIO, seed=0, preset=None, owner="a")
    create(sessions, "a")
    sessions.delete(first.record.id, first.token)
    assert sessions.store.owned("a") == 1
    idle(sessions.store, 1.5)
    assert sessions.store.owned("a") == 0
    again = create(sessions, "a", 2)
    assert alive(sessions, again) == [True, True]


def test_two_redis_workers_creating_at_once_keep_both_caps(redis_url: str) -> None:
    workers = [RedisStore(redis_url, 12, 3600, max_per_client=5) for _ in range(2)]
    sessions = [Sessions(store, RunCache(8)) for store in workers]
    with ThreadPoolExecutor(8) as pool:
        jobs = [
            pool.submit(create, sessions[index % 2], f"client-{index % 3}", 4)
            for index in range(24)
        ]
        ids = [session_id for job in jobs for session_id in job.result()]
    counts = [workers[0].owned(f"client-{index}") for index in range(3)]
    assert sum(counts) == 12 and max(counts) <= 5 and min(counts) >= 3  # full, shared fairly
    assert sum(alive(sessions[0], ids)) == 12
    assert redis.Redis.from_url(redis_url).zcard("bptt:lru") == sum(counts)
    for store in workers:
        store.close()

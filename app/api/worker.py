"""Where a command runs: inline on the event loop when it is small, else in a thread.

An in-process store with this worker's Run cached makes a step a few tens of
microseconds of NumPy: it runs inline, with no thread-pool hop. Anything else (a Redis
round trip, a replay, training, a whole state's JSON) runs in one hop to a worker thread,
at most `THREADS` at a time, so heavy maths never holds up the event loop.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Annotated, TypeVar

import anyio
from anyio.lowlevel import RunVar
from fastapi import Depends, Request

from app.sessions import Sessions

Result = TypeVar("Result")
THREADS = 8  # commands running in threads at once, per worker
LIGHT_STEP_SIZE = 20_000  # T * H * H at most: a step inline costs well under a millisecond


def tune_gc() -> None:
    """Fewer, cheaper garbage collections for a server holding many sessions' steps.

    Every cached Run is long-lived, so CPython's full collections (which walk every object,
    ~100 ms with a thousand sessions cached) come every few hundred steps and stall the
    event loop; the data here is acyclic, freed by reference counting. Young collections
    come every 10,000 allocations instead of 700; full ones after 1,000 of the middle ones.
    """
    gc.set_threshold(10_000, 50, 1_000)


async def get_sessions(request: Request) -> Sessions:
    return request.app.state.sessions


SessionsDep = Annotated[Sessions, Depends(get_sessions)]


_LIMITER: RunVar[anyio.CapacityLimiter] = RunVar("bptt_session_threads")


def _limiter() -> anyio.CapacityLimiter:
    """This event loop's limiter (a RunVar: one per loop, made on first use)."""
    try:
        return _LIMITER.get()
    except LookupError:
        limiter = anyio.CapacityLimiter(THREADS)
        _LIMITER.set(limiter)
        return limiter


def is_light(sessions: Sessions, session_id: str) -> bool:
    """A step of an in-process session whose Run this worker holds, on a small scenario."""
    if not getattr(sessions.store, "in_process", False):
        return False
    record = sessions.store.load(session_id)
    if record is None or sessions.cache.get(record) is None:
        return record is None  # unknown: the 404 is cheap
    config = record.scenario.config
    return record.T * config.hidden_size**2 <= LIGHT_STEP_SIZE


async def call(sessions: Sessions, work: Callable[[], Result], light: str | None = None) -> Result:
    """Run `work` inline if `light` names a session whose step is small, else in a thread."""
    if light is not None and is_light(sessions, light):
        return work()
    return await anyio.to_thread.run_sync(work, limiter=_limiter())

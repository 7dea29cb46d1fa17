"""Where a command runs: inline on the event loop when it is small, else in a thread.

An in-process store with this worker's Run cached makes a step a few tens of
microseconds of NumPy: it runs inline, with no thread-pool hop. Anything else (a Redis
round trip, a replay, a whole state's JSON) runs in one hop to a worker thread, at most
`THREADS` at a time. Heavy maths (train, bptt, gradcheck) runs in threads of its own, at
most BPTT_HEAVY_JOBS at once (default: the number of cores), the rest waiting their turn
without a thread, so the event loop always finds a core (and the GIL) to answer on.
Callers build their StrictJSONResponse inside `work`: the JSON of a big answer is
written in the thread too, never on the event loop.
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


_THREADS: RunVar[anyio.CapacityLimiter] = RunVar("bptt_session_threads")
_HEAVY: RunVar[anyio.CapacityLimiter] = RunVar("bptt_heavy_jobs")


def _limiter(var: RunVar[anyio.CapacityLimiter], size: int) -> anyio.CapacityLimiter:
    """This event loop's limiter in `var` (a RunVar: one per loop, made on first use)."""
    try:
        limiter = var.get()
    except LookupError:
        limiter = anyio.CapacityLimiter(size)
        var.set(limiter)
    if limiter.total_tokens != size:
        limiter.total_tokens = size
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
    return await anyio.to_thread.run_sync(work, limiter=_limiter(_THREADS, THREADS))


async def heavy(jobs: int, work: Callable[[], Result]) -> Result:
    """Run heavy maths in a thread, at most `jobs` (BPTT_HEAVY_JOBS) at once per worker."""
    return await anyio.to_thread.run_sync(work, limiter=_limiter(_HEAVY, jobs))

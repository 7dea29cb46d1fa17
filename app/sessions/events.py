"""A session's events: numbered, small, never the state and never the token.

Every change of a session (forward, backward, update, reset, train, scale, truncate,
optimizer, delete) makes one event {seq, command, cursor: {phase, t, epoch}}; seq is the record's
revision after the change, so a session's events are numbered 1, 2, 3, ... without gaps
and a follower that comes back with Last-Event-ID = n asks for those after n.

LocalBroker hands events to the followers connected to this worker: each follower has an
asyncio queue on its event loop, and `publish` may be called from any thread.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from app.sessions.record import SessionRecord

Event = dict[str, Any]
COMMANDS = (
    "forward",
    "backward",
    "update",
    "reset",
    "train",
    "scale",
    "truncate",
    "optimizer",
    "delete",
)
FOLLOWER_QUEUE = 1000  # events a slow follower may fall behind before it is told to catch up


def make_event(record: SessionRecord, command: str) -> Event:
    """The event of `command`, which left the session as `record` (seq = its revision)."""
    return {"seq": record.revision, "command": command, "cursor": record.cursor.as_json(record.T)}


class LocalBroker:
    """Followers on this worker, by session id."""

    def __init__(self) -> None:
        self._followers: dict[str, set[tuple[asyncio.AbstractEventLoop, asyncio.Queue]]] = {}
        self._guard = threading.Lock()

    def publish(self, session_id: str, event: Event) -> None:
        with self._guard:
            followers = list(self._followers.get(session_id, ()))
        for loop, queue in followers:
            loop.call_soon_threadsafe(_offer, queue, event)

    @asynccontextmanager
    async def follow(self, session_id: str) -> AsyncIterator[asyncio.Queue]:
        """A queue receiving the session's events from now until the block ends."""
        entry = (asyncio.get_running_loop(), asyncio.Queue(FOLLOWER_QUEUE))
        with self._guard:
            self._followers.setdefault(session_id, set()).add(entry)
        try:
            yield entry[1]
        finally:
            with self._guard:
                followers = self._followers.get(session_id, set())
                followers.discard(entry)
                if not followers:
                    self._followers.pop(session_id, None)

    def follower_count(self) -> int:
        with self._guard:
            return sum(len(followers) for followers in self._followers.values())


def _offer(queue: asyncio.Queue, event: Event) -> None:
    """Queue the event; a full queue is skipped, and the follower fills the gap from the log."""
    if not queue.full():
        queue.put_nowait(event)

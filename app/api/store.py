"""Where sessions live, behind one small interface (DESIGN.md section 7).

`SessionStore` is what the routes use: `add`, `get`, `locked` (held across
read-step-write, so two requests racing on one session never skip or repeat a
step), `put` and `delete`. `MemoryStore` is the one-process default; a Redis store
would keep the same methods, with a Redis lock behind `locked`.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Protocol

from app.core import Run


@dataclass(frozen=True, eq=False)
class Session:
    """One learner's run. Immutable: a step makes a new Session, stored only on success."""

    id: str
    token: str
    run: Run
    seed: int
    preset: str | None = None
    first: Run | None = None  # the run as created, for a reset to the start


class SessionStore(Protocol):
    def add(self, session: Session) -> None:
        """Keep a new session (making room by evicting old ones)."""

    def get(self, session_id: str) -> Session | None:
        """The session as last stored, or None if unknown or expired."""

    def locked(self, session_id: str) -> AbstractContextManager[Session | None]:
        """Hold the session's lock; yields the session as stored (None if unknown)."""

    def put(self, session: Session) -> None:
        """Store a changed session (call inside `locked`); a deleted one stays deleted."""

    def delete(self, session_id: str) -> bool:
        """Forget a session; True if it was there."""


@dataclass(eq=False)
class _Entry:
    session: Session
    last_used: float
    lock: threading.Lock = field(default_factory=threading.Lock)


class MemoryStore:
    """In-process sessions, at most `max_sessions`, each forgotten after `ttl` idle seconds."""

    def __init__(
        self, max_sessions: int, ttl: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_sessions, self.ttl, self.clock = max_sessions, ttl, clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()  # least recently used first
        self._guard = threading.Lock()  # held only briefly, for the dict itself

    def __len__(self) -> int:
        with self._guard:
            self._evict_expired()
            return len(self._entries)

    def add(self, session: Session) -> None:
        with self._guard:
            self._evict_expired()
            while len(self._entries) >= self.max_sessions:
                self._entries.popitem(last=False)
            self._entries[session.id] = _Entry(session, self.clock())

    def get(self, session_id: str) -> Session | None:
        entry = self._touch(session_id)
        return entry.session if entry else None

    @contextmanager
    def locked(self, session_id: str) -> Iterator[Session | None]:
        entry = self._touch(session_id)
        if entry is None:
            yield None
            return
        with entry.lock:
            with self._guard:
                current = self._entries.get(session_id)
            yield current.session if current is entry else None

    def put(self, session: Session) -> None:
        with self._guard:
            entry = self._entries.get(session.id)
            if entry is not None:
                entry.session = session
                entry.last_used = self.clock()
                self._entries.move_to_end(session.id)

    def delete(self, session_id: str) -> bool:
        with self._guard:
            return self._entries.pop(session_id, None) is not None

    def _touch(self, session_id: str) -> _Entry | None:
        with self._guard:
            self._evict_expired()
            entry = self._entries.get(session_id)
            if entry is not None:
                entry.last_used = self.clock()
                self._entries.move_to_end(session_id)
            return entry

    def _evict_expired(self) -> None:
        """Drop sessions idle longer than ttl (the oldest are at the front)."""
        now = self.clock()
        while self._entries:
            oldest_id, oldest = next(iter(self._entries.items()))
            if now - oldest.last_used <= self.ttl:
                return
            del self._entries[oldest_id]

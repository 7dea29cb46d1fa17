"""The in-process store: `make run` needs nothing else. One worker only.

At most `max_sessions` records, at most `max_per_client` of them held by one client,
each forgotten after `ttl` idle seconds; each session's last `event_log_size` events;
followers on this process's event loop(s).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from app.sessions.events import Event, LocalBroker
from app.sessions.record import SessionRecord
from app.sessions.store import SessionBusyError

LOCK_WAIT_SECONDS = 2.0  # past this a racing request answers 409 instead of waiting on


@dataclass(eq=False)
class _Entry:
    record: SessionRecord
    last_used: float
    events: deque
    owner: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)


class MemoryStore:
    """In-process sessions, at most `max_sessions`, each forgotten after `ttl` idle seconds."""

    in_process = True  # every call is a few dict operations: fine on the event loop

    def __init__(
        self,
        max_sessions: int,
        ttl: float,
        clock: Callable[[], float] = time.monotonic,
        event_log_size: int = 100,
        max_per_client: int | None = None,
    ) -> None:
        self.max_sessions, self.ttl, self.clock = max_sessions, ttl, clock
        self.max_per_client = max_per_client or max_sessions
        self.event_log_size = event_log_size
        self._entries: OrderedDict[str, _Entry] = OrderedDict()  # least recently used first
        self._owned: dict[str, OrderedDict[str, None]] = {}  # client -> its ids, LRU first
        self._guard = threading.Lock()  # held only briefly, for the dict itself
        self._broker = LocalBroker()
        self._notes: dict[tuple[str, str], tuple[str, float]] = {}  # (name, id) -> (text, until)

    def __len__(self) -> int:
        with self._guard:
            self._evict_expired()
            return len(self._entries)

    def create(self, record: SessionRecord, owner: str = "") -> None:
        with self._guard:
            self._evict_expired()
            while len(self._owned.get(owner, ())) >= self.max_per_client:
                self._forget(next(iter(self._owned[owner])))  # the client's own LRU
            while len(self._entries) >= self.max_sessions:
                self._forget(next(iter(self._owned[self._biggest(owner)])))
            events = deque(maxlen=self.event_log_size)
            self._entries[record.id] = _Entry(record, self.clock(), events, owner)
            self._owned.setdefault(owner, OrderedDict())[record.id] = None

    def owned(self, owner: str) -> int:
        """How many live sessions client `owner` holds."""
        with self._guard:
            self._evict_expired()
            return len(self._owned.get(owner, ()))

    def _biggest(self, owner: str) -> str:
        """The client holding the most sessions: `owner` itself if it holds as many."""
        most = max(self._owned, key=lambda client: len(self._owned[client]))
        return owner if len(self._owned.get(owner, ())) >= len(self._owned[most]) else most

    def _forget(self, session_id: str) -> _Entry | None:
        """Drop a session from the store and from its client's ids."""
        entry = self._entries.pop(session_id, None)
        if entry is not None:
            owned = self._owned.get(entry.owner)
            if owned is not None:
                owned.pop(session_id, None)
                if not owned:
                    del self._owned[entry.owner]
        return entry

    def load(self, session_id: str) -> SessionRecord | None:
        entry = self._touch(session_id)
        return entry.record if entry else None

    @contextmanager
    def lock(self, session_id: str) -> Iterator[None]:
        entry = self._touch(session_id)
        if entry is None:
            yield  # nothing to lock: load() answers None inside
            return
        if not entry.lock.acquire(timeout=LOCK_WAIT_SECONDS):
            raise SessionBusyError(session_id)
        try:
            yield
        finally:
            entry.lock.release()

    def save(self, record: SessionRecord, event: Event) -> bool:
        with self._guard:
            entry = self._entries.get(record.id)
            if entry is None or entry.record.revision != record.revision - 1:
                return False
            entry.record, entry.last_used = record, self.clock()
            entry.events.append(event)
            self._used(record.id, entry)
        self._broker.publish(record.id, event)
        return True

    def delete(self, session_id: str, event: Event) -> bool:
        with self._guard:
            found = self._forget(session_id) is not None
        if found:
            self._broker.publish(session_id, event)
        return found

    # ---- a training job's notes: its progress and stop flag ---------------------------------

    def publish(self, session_id: str, event: Event) -> None:
        """Hand an unlogged event (a job's progress) to the session's followers."""
        self._broker.publish(session_id, event)

    def put_note(self, session_id: str, name: str, text: str, ttl_seconds: float) -> None:
        with self._guard:
            self._notes[(name, session_id)] = (text, self.clock() + ttl_seconds)

    def get_note(self, session_id: str, name: str) -> str | None:
        with self._guard:
            text, until = self._notes.get((name, session_id), (None, 0.0))
        return text if until > self.clock() else None

    def events_since(self, session_id: str, seq: int) -> list[Event]:
        with self._guard:
            entry = self._entries.get(session_id)
            return [event for event in entry.events if event["seq"] > seq] if entry else []

    def follow(self, session_id: str):
        return self._broker.follow(session_id)

    def announce(self, session_id: str, event: Event) -> None:
        """Tell the session's followers something that changes no record (not logged)."""
        self._broker.publish(session_id, event)

    def close(self) -> None:
        return None

    def _touch(self, session_id: str) -> _Entry | None:
        with self._guard:
            self._evict_expired()
            entry = self._entries.get(session_id)
            if entry is not None:
                entry.last_used = self.clock()
                self._used(session_id, entry)
            return entry

    def _used(self, session_id: str, entry: _Entry) -> None:
        """The session is now the most recently used, in the store and in its client's."""
        self._entries.move_to_end(session_id)
        owned = self._owned.get(entry.owner)
        if owned is not None and session_id in owned:
            owned.move_to_end(session_id)

    def _evict_expired(self) -> None:
        """Drop sessions idle longer than ttl (the oldest are at the front)."""
        now = self.clock()
        while self._entries:
            oldest_id, oldest = next(iter(self._entries.items()))
            if now - oldest.last_used <= self.ttl:
                return
            self._forget(oldest_id)

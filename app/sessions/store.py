"""The one interface every session store keeps, and the errors it raises.

A store keeps SessionRecords (app/sessions/record.py) and each session's bounded event
log. `lock` holds across read-step-write (across processes for Redis), and `save` is also a
version check: it stores the record only if the stored revision is the one before it, so
two racing requests never skip or repeat a step even if a lock expired.
"""

from __future__ import annotations

import asyncio
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from typing import Protocol

from app.sessions.events import Event
from app.sessions.record import SessionRecord


class StoreUnavailableError(Exception):
    """The store cannot be reached (Redis down or too slow)."""


class SessionBusyError(Exception):
    """Another request holds the session's lock, or changed it first."""


class SessionStore(Protocol):
    event_log_size: int

    def create(self, record: SessionRecord, owner: str = "") -> None:
        """Keep a new session held by client `owner`. Past the client's cap its own least
        recently used session goes; past the store's cap, the least recently used of the
        client holding the most (the owner's own if it holds as many): one client never
        evicts another's sessions while it holds as many as they do."""

    def load(self, session_id: str) -> SessionRecord | None:
        """The record as stored, or None if unknown or expired; touches its idle time."""

    def lock(self, session_id: str) -> AbstractContextManager[None]:
        """Hold the session's lock; SessionBusyError if it is not free within a short wait."""

    def save(self, record: SessionRecord, event: Event) -> bool:
        """Store a changed record and append its event, if the stored revision is
        record.revision - 1; False (nothing changed) otherwise or if the session is gone."""

    def delete(self, session_id: str, event: Event) -> bool:
        """Forget a session and tell its followers; True if it was there."""

    def events_since(self, session_id: str, seq: int) -> list[Event]:
        """The logged events after `seq`, oldest first (the log keeps the last few)."""

    def publish(self, session_id: str, event: Event) -> None:
        """Hand an unlogged event (a training job's progress) to the session's followers."""

    def put_note(self, session_id: str, name: str, text: str, ttl_seconds: float) -> None:
        """Keep a short text for a while (a job's progress or stop flag), for every worker."""

    def get_note(self, session_id: str, name: str) -> str | None:
        """The note, or None if never put or expired."""

    def follow(self, session_id: str) -> AbstractAsyncContextManager[asyncio.Queue]:
        """A queue of the session's events from now on, on the caller's event loop."""

    def announce(self, session_id: str, event: Event) -> None:
        """Hand followers an event that changes no record (the owner's view); not logged."""

    def close(self) -> None:
        """Release connections."""

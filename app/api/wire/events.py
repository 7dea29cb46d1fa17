"""The data of a session's server-sent events (app.sessions.events makes them)."""

from __future__ import annotations

from pydantic import Field

from app.api.wire.base import Wire


class EventCursor(Wire):
    """Where the session stands after the change."""

    phase: str = Field(description="What comes next: forward, backward or update.")
    t: int | None = Field(description="The time step of the next step (null before an update).")
    epoch: int = Field(description="The epoch, from 1.")


class SessionEvent(Wire):
    """One change of a session: the `data` of a server-sent event whose `id` is `seq`."""

    seq: int = Field(description="1, 2, 3, ... per session: the SSE id, for Last-Event-ID.")
    command: str = Field(
        description="forward, backward, update, reset, train, scale, truncate, optimizer or delete."
    )
    cursor: EventCursor = Field(description="Where the session stands after it.")

"""GET /api/sessions/{id}/events: a session's changes as server-sent events.

Anyone with the read-only id may follow. Each event's SSE `id` is its seq, its `event` the
command, its `data` {seq, command, cursor: {phase, t, epoch}}: never the state, never the
token. A client that reconnects with `Last-Event-ID: n` first gets the logged events after
n (the log keeps the last BPTT_EVENT_LOG_SIZE), then live ones; an idle stream sends a
keep-alive comment every BPTT_EVENTS_KEEPALIVE_SECONDS. After `delete` the stream ends.

Between them come `view` events (no SSE id: they change nothing and are not logged), sent
when the owner of a classroom session shows another step or term: data {seq, command:
"view", view}. A follower that reconnects asks GET /api/sessions/{id}/view for the latest.
A training job's `progress` events come the same way (no id, not logged).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import anyio
from fastapi import APIRouter, Header, Request
from sse_starlette import EventSourceResponse, ServerSentEvent

from app.api.deps import SettingsDep
from app.api.openapi import ERRORS
from app.api.wire import SessionEvent
from app.api.worker import SessionsDep
from app.sessions import SessionNotFoundError, Sessions
from app.sessions.events import Event

router = APIRouter(prefix="/sessions", tags=["sessions"])


def sse(event: Event) -> ServerSentEvent:
    data = json.dumps(event, separators=(",", ":"))
    if event["command"] == "view":  # no id: a reconnecting follower resumes after steps only
        return ServerSentEvent(data, event="view")
    return ServerSentEvent(data, event=event["command"], id=str(event["seq"]))


def last_seen(last_event_id: str | None, current: int) -> int:
    """The seq the client last saw: Last-Event-ID, or now (a new follower starts live)."""
    try:
        return max(0, int(last_event_id)) if last_event_id is not None else current
    except ValueError:
        return current


async def stream(
    sessions: Sessions, session_id: str, seen: int, request: Request
) -> AsyncIterator[ServerSentEvent]:
    """Logged events after `seen`, then live ones in order; gaps filled from the log."""
    store = sessions.store
    async with store.follow(session_id) as queue:
        backlog = await anyio.to_thread.run_sync(store.events_since, session_id, seen)
        while True:
            for event in backlog:
                if event["command"] == "view":
                    yield sse(event)
                    continue
                if event["seq"] <= seen:
                    continue
                seen = event["seq"]
                yield sse(event)
                if event["command"] == "delete":
                    return
            if await request.is_disconnected():
                return
            try:
                event = await asyncio.wait_for(queue.get(), timeout=5.0)
            except TimeoutError:
                backlog = []
                continue
            if event["command"] == "progress":  # a training job's, not logged: no id
                yield ServerSentEvent(json.dumps(event, separators=(",", ":")), event="progress")
                backlog = []
                continue
            missed = event["seq"] > (seen if event["command"] == "view" else seen + 1)
            if missed and event["command"] != "delete":  # fill the gap from the log first
                backlog = await anyio.to_thread.run_sync(store.events_since, session_id, seen)
                backlog += [event] if event["command"] == "view" else []
            else:
                backlog = [event]


@router.get(
    "/{session_id}/events",
    summary="Follow the session's changes live (server-sent events)",
    response_class=EventSourceResponse,
    responses={
        200: {
            "model": SessionEvent,
            "description": "text/event-stream: one event per change, `id` = seq, `event` = "
            "the command, `data` = the SessionEvent as JSON; keep-alive comments between.",
            "content": {"text/event-stream": {}},
        },
        404: ERRORS[404],
        410: ERRORS[410],
        503: ERRORS[503],
    },
)
async def follow_session(
    session_id: str,
    request: Request,
    sessions: SessionsDep,
    settings: SettingsDep,
    last_event_id: str | None = Header(None, include_in_schema=False),
) -> EventSourceResponse:
    """Needs only the id. Send `Last-Event-ID` to resume after an event already seen."""
    record = await anyio.to_thread.run_sync(sessions.store.load, session_id)
    if record is None:
        raise SessionNotFoundError(session_id)
    seen = last_seen(last_event_id, record.revision)
    return EventSourceResponse(
        stream(sessions, session_id, seen, request),
        ping=settings.events_keepalive_seconds,
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )

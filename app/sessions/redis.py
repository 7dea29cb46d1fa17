"""Sessions in Redis (BPTT_REDIS_URL): any worker serves any session, a restart keeps them.

Keys, for a session id S (all expire after `ttl` idle seconds, touched on every use):
    bptt:s:S     hash {record: the encoded record as last written in full, base: its
                 revision, revision and cursor: the session's now (a step writes only these)}
    bptt:e:S     stream of its last `event_log_size` events, entry id "<seq>-0"
    bptt:lru     sorted set id -> last use, for the cap of `max_sessions`
    bptt:c:C     sorted set id -> last use of client C's sessions (the hash's `owner`),
                 for the cap of `max_per_client`
    bptt:clients sorted set client -> how many sessions it holds, to find the biggest
Creating a session is one Lua script (CREATE) doing all of that bookkeeping at once, so
with several workers two creations never both see room for one; its keys for other
sessions are built inside the script (one Redis, not a cluster).
Events are also published on the channel bptt:events, which one listener per worker
(redis.asyncio) hands to that worker's followers. A change is one round trip: a Lua
compare-and-set (SAVE) stores the record only over the revision before it, so of two
requests racing on one session, on one worker or two, one takes the step and the other
answers 409; nothing is skipped or repeated. A step is thus two round trips (load, save),
and within an epoch it writes a few bytes (the cursor), not the record.

Every call has short socket timeouts: Redis unreachable raises StoreUnavailableError
within about a second, never a hang.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import replace
from typing import Any

import redis
import redis.asyncio
from redis.exceptions import RedisError

from app.sessions.events import Event, LocalBroker
from app.sessions.record import Cursor, SessionRecord, decode_record, encode_record
from app.sessions.redis_scripts import CREATE, DELETE, LOAD, SAVE
from app.sessions.store import StoreUnavailableError
from app.settings import Settings

CHANNEL = "bptt:events"
DECODED_KEPT = 1000  # sessions whose newest record this worker keeps decoded


def _cursor_text(cursor: Cursor) -> str:
    return f"{cursor.epoch}:{cursor.steps}"


def _cursor(text: bytes) -> Cursor:
    epoch, steps = text.split(b":")
    return Cursor(int(epoch), int(steps))


def _same_base(held: SessionRecord, record: SessionRecord) -> bool:
    """True if `record` differs from `held` only in its cursor and revision (a step)."""
    return all(
        getattr(held, name) is getattr(record, name)
        for name in (
            "scenario",
            "first_params",
            "previous_params",
            "loss_history",
            "optimizer_state",
            "previous_optimizer_state",
        )
    ) and (held.losses_seen, held.token_hash, held.previous_trained) == (
        record.losses_seen,
        record.token_hash,
        record.previous_trained,
    )


def _record_key(session_id: str) -> str:
    return f"bptt:s:{session_id}"


def _events_key(session_id: str) -> str:
    return f"bptt:e:{session_id}"


@contextmanager
def _reachable() -> Iterator[None]:
    """Redis errors (down, timed out, refused) as StoreUnavailableError."""
    try:
        yield
    except RedisError as error:
        raise StoreUnavailableError(str(error)) from error


class RedisStore:
    """The SessionStore interface on one Redis database."""

    in_process = False

    def __init__(
        self,
        url: str,
        max_sessions: int,
        ttl: float,
        event_log_size: int = 100,
        timeout: float = 0.5,
        max_per_client: int | None = None,
    ) -> None:
        self.url, self.max_sessions, self.ttl = url, max_sessions, ttl
        self.max_per_client = max_per_client or max_sessions
        self.event_log_size, self.timeout = event_log_size, timeout
        self.redis = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout, retry_on_timeout=False
        )
        self._load = self.redis.register_script(LOAD)
        self._save = self.redis.register_script(SAVE)
        self._create = self.redis.register_script(CREATE)
        self._delete = self.redis.register_script(DELETE)
        # the newest record this worker knows of each session, and its base revision
        self._decoded: OrderedDict[str, tuple[SessionRecord, int]] = OrderedDict()
        self._broker = LocalBroker()
        self._listeners: dict[asyncio.AbstractEventLoop, tuple[asyncio.Task, asyncio.Event]] = {}
        self._guard = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> RedisStore:
        assert settings.redis_url
        return cls(
            settings.redis_url,
            settings.max_sessions,
            settings.session_ttl_seconds,
            settings.event_log_size,
            settings.redis_timeout_seconds,
            settings.max_sessions_per_client,
        )

    @property
    def _ttl_ms(self) -> int:
        return max(1, int(self.ttl * 1000))

    # ---- records -----------------------------------------------------------------------

    def create(self, record: SessionRecord, owner: str = "") -> None:
        arguments = (
            self._ttl_ms,
            time.time(),
            self.ttl,
            owner,
            self.max_sessions,
            self.max_per_client,
            record.id,
            encode_record(record),
            record.revision,
            _cursor_text(record.cursor),
        )
        with _reachable():
            self._create(keys=(_record_key(record.id),), args=arguments)

    def owned(self, owner: str) -> int:
        """How many live sessions client `owner` holds."""
        with _reachable():
            self.redis.zremrangebyscore(f"bptt:c:{owner}", "-inf", time.time() - self.ttl)
            return int(self.redis.zcard(f"bptt:c:{owner}"))

    def load(self, session_id: str) -> SessionRecord | None:
        keys = (_record_key(session_id), _events_key(session_id), "bptt:lru")
        with self._guard:
            held = self._decoded.get(session_id)
        arguments = (self._ttl_ms, time.time(), session_id, held[1] if held else -1)
        with _reachable():
            found = self._load(keys=keys, args=arguments)
        if not found:
            return None
        revision, cursor, base, text = int(found[0]), _cursor(found[1]), int(found[2]), found[3]
        if held is not None and held[0].revision == revision:
            return held[0]  # this worker wrote or read this very revision
        if text is None:  # the record this worker holds, a few steps on
            record = replace(held[0], revision=revision, cursor=cursor)
        else:
            record = replace(decode_record(text), revision=revision, cursor=cursor)
        self._remember(record, base)
        return record

    def _remember(self, record: SessionRecord, base: int) -> None:
        with self._guard:
            self._decoded[record.id] = (record, base)
            self._decoded.move_to_end(record.id)
            while len(self._decoded) > DECODED_KEPT:
                self._decoded.popitem(last=False)

    @contextmanager
    def lock(self, session_id: str) -> Iterator[None]:
        """No lock across processes: `save` is the version check (a loser answers 409)."""
        yield

    def save(self, record: SessionRecord, event: Event) -> bool:
        with self._guard:
            held = self._decoded.get(record.id)
        step_only = (
            held is not None
            and held[0].revision == record.revision - 1
            and _same_base(held[0], record)
        )
        message = json.dumps({"session": record.id, "event": event}, separators=(",", ":"))
        keys = (_record_key(record.id), _events_key(record.id))
        arguments = (
            record.revision,
            _cursor_text(record.cursor),
            "" if step_only else encode_record(record),
            self._ttl_ms,
            f"{event['seq']}-0",
            json.dumps(event, separators=(",", ":")),
            self.event_log_size,
            CHANNEL,
            message,
        )
        with _reachable():
            saved = bool(self._save(keys=keys, args=arguments))
        if saved:
            self._remember(record, held[1] if step_only and held else record.revision)
        return saved

    def delete(self, session_id: str, event: Event) -> bool:
        message = json.dumps({"session": session_id, "event": event}, separators=(",", ":"))
        arguments = (self._ttl_ms, time.time(), self.ttl, session_id, CHANNEL, message)
        with _reachable():
            found = self._delete(keys=(_record_key(session_id),), args=arguments)
        return bool(found)

    # ---- a training job's notes: its progress and stop flag, seen by every worker ----------

    def publish(self, session_id: str, event: Event) -> None:
        """Hand an unlogged event (a job's progress) to the session's followers on any worker."""
        message = json.dumps({"session": session_id, "event": event}, separators=(",", ":"))
        with _reachable():
            self.redis.publish(CHANNEL, message)

    def put_note(self, session_id: str, name: str, text: str, ttl_seconds: float) -> None:
        with _reachable():
            self.redis.set(f"bptt:n:{name}:{session_id}", text, px=int(ttl_seconds * 1000))

    def get_note(self, session_id: str, name: str) -> str | None:
        with _reachable():
            value = self.redis.get(f"bptt:n:{name}:{session_id}")
        return None if value is None else value.decode()

    def events_since(self, session_id: str, seq: int) -> list[Event]:
        with _reachable():
            entries = self.redis.xrange(_events_key(session_id), min=f"({seq}-0", max="+")
        return [json.loads(fields[b"event"]) for _, fields in entries]

    # ---- followers -------------------------------------------------------------------------

    def announce(self, session_id: str, event: Event) -> None:
        """Tell the session's followers, on every worker, something that changes no record
        (not logged)."""
        message = json.dumps({"session": session_id, "event": event}, separators=(",", ":"))
        with _reachable():
            self.redis.publish(CHANNEL, message)

    @asynccontextmanager
    async def follow(self, session_id: str) -> AsyncIterator[asyncio.Queue]:
        """Followed from the moment this worker's listener is subscribed (at most ~1 s)."""
        subscribed = self._ensure_listener()
        async with self._broker.follow(session_id) as queue:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(subscribed.wait(), timeout=1.0)
            yield queue

    def _ensure_listener(self) -> asyncio.Event:
        loop = asyncio.get_running_loop()
        with self._guard:
            task, subscribed = self._listeners.get(loop, (None, asyncio.Event()))
            if task is None or task.done():
                subscribed = asyncio.Event()
                task = loop.create_task(self._listen(subscribed))
                self._listeners[loop] = (task, subscribed)
            return subscribed

    async def _listen(self, subscribed: asyncio.Event) -> None:
        """Hand every published event to this worker's followers; reconnect if Redis drops."""
        while True:
            client = redis.asyncio.Redis.from_url(self.url, socket_connect_timeout=self.timeout)
            try:
                async with client.pubsub() as pubsub:
                    await pubsub.subscribe(CHANNEL)
                    subscribed.set()
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            self._deliver(message["data"])
            except (RedisError, OSError):
                await asyncio.sleep(1.0)
            finally:
                with contextlib.suppress(RedisError, OSError):
                    await client.aclose()

    def _deliver(self, data: bytes) -> None:
        content: dict[str, Any] = json.loads(data)
        self._broker.publish(content["session"], content["event"])

    def close(self) -> None:
        with self._guard:
            tasks = [task for task, _ in self._listeners.values()]
            self._listeners.clear()
        for task in tasks:
            with contextlib.suppress(RuntimeError):
                task.get_loop().call_soon_threadsafe(task.cancel)
        self.redis.close()

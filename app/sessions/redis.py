"""Sessions in Redis (BPTT_REDIS_URL): any worker serves any session, a restart keeps them.

Keys, for a session id S (all expire after `ttl` idle seconds, touched on every use):
    bptt:s:S     hash {record: the encoded record, revision}
    bptt:e:S     stream of its last `event_log_size` events, entry id "<seq>-0"
    bptt:lock:S  the lock held across read-step-write (a random value, a few seconds' PX)
    bptt:lru     sorted set id -> last use, for the cap of `max_sessions`
Events are also published on the channel bptt:events, which one listener per worker
(redis.asyncio) hands to that worker's followers.

Every call has short socket timeouts: Redis unreachable raises StoreUnavailableError
within about a second, never a hang.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import redis
import redis.asyncio
from redis.exceptions import RedisError, WatchError

from app.sessions.events import Event, LocalBroker
from app.sessions.record import SessionRecord, decode_record, encode_record
from app.sessions.store import SessionBusyError, StoreUnavailableError
from app.settings import Settings

CHANNEL = "bptt:events"
LOCK_SECONDS = 10.0  # a lock outlives a crashed holder this long at most
LOCK_WAIT_SECONDS = 2.0  # past this a racing request answers 409
RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end"


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
    ) -> None:
        self.url, self.max_sessions, self.ttl = url, max_sessions, ttl
        self.event_log_size, self.timeout = event_log_size, timeout
        self.redis = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout, retry_on_timeout=False
        )
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
        )

    @property
    def _ttl_ms(self) -> int:
        return max(1, int(self.ttl * 1000))

    # ---- records -----------------------------------------------------------------------

    def create(self, record: SessionRecord) -> None:
        key, now = _record_key(record.id), time.time()
        with _reachable():
            pipe = self.redis.pipeline(transaction=True)
            pipe.hset(key, mapping={"record": encode_record(record), "revision": record.revision})
            pipe.pexpire(key, self._ttl_ms)
            pipe.zremrangebyscore("bptt:lru", "-inf", now - self.ttl)
            pipe.zadd("bptt:lru", {record.id: now})
            pipe.zcard("bptt:lru")
            count = pipe.execute()[-1]
            if count > self.max_sessions:
                for evicted, _ in self.redis.zpopmin("bptt:lru", count - self.max_sessions):
                    name = evicted.decode()
                    self.redis.delete(_record_key(name), _events_key(name))

    def load(self, session_id: str) -> SessionRecord | None:
        key = _record_key(session_id)
        with _reachable():
            pipe = self.redis.pipeline(transaction=False)
            pipe.hget(key, "record")
            pipe.pexpire(key, self._ttl_ms)
            pipe.pexpire(_events_key(session_id), self._ttl_ms)
            pipe.zadd("bptt:lru", {session_id: time.time()}, xx=True)
            text = pipe.execute()[0]
        return None if text is None else decode_record(text)

    @contextmanager
    def lock(self, session_id: str) -> Iterator[None]:
        key, value = f"bptt:lock:{session_id}", secrets.token_hex(8)
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        with _reachable():
            while not self.redis.set(key, value, nx=True, px=int(LOCK_SECONDS * 1000)):
                if time.monotonic() > deadline:
                    raise SessionBusyError(session_id)
                time.sleep(0.002)
        try:
            yield
        finally:
            with _reachable():
                self.redis.eval(RELEASE, 1, key, value)

    def save(self, record: SessionRecord, event: Event) -> bool:
        key, events = _record_key(record.id), _events_key(record.id)
        message = json.dumps({"session": record.id, "event": event}, separators=(",", ":"))
        with _reachable(), self.redis.pipeline(transaction=True) as pipe:
            try:
                pipe.watch(key)
                stored = pipe.hget(key, "revision")
                if stored is None or int(stored) != record.revision - 1:
                    return False
                pipe.multi()
                pipe.hset(
                    key, mapping={"record": encode_record(record), "revision": record.revision}
                )
                pipe.pexpire(key, self._ttl_ms)
                pipe.xadd(
                    events,
                    {"event": json.dumps(event)},
                    id=f"{event['seq']}-0",
                    maxlen=self.event_log_size,
                    approximate=False,
                )
                pipe.pexpire(events, self._ttl_ms)
                pipe.publish(CHANNEL, message)
                pipe.execute()
            except WatchError:
                return False
        return True

    def delete(self, session_id: str, event: Event) -> bool:
        message = json.dumps({"session": session_id, "event": event}, separators=(",", ":"))
        with _reachable():
            pipe = self.redis.pipeline(transaction=True)
            pipe.delete(_record_key(session_id), _events_key(session_id))
            pipe.zrem("bptt:lru", session_id)
            pipe.publish(CHANNEL, message)
            found = pipe.execute()[0]
        return bool(found)

    def events_since(self, session_id: str, seq: int) -> list[Event]:
        with _reachable():
            entries = self.redis.xrange(_events_key(session_id), min=f"({seq}-0", max="+")
        return [json.loads(fields[b"event"]) for _, fields in entries]

    # ---- followers -------------------------------------------------------------------------

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

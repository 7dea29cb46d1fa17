"""Sessions in Redis (BPTT_REDIS_URL): any worker serves any session, a restart keeps them.

Keys, for a session id S (all expire after `ttl` idle seconds, touched on every use):
    bptt:s:S     hash {record: the encoded record, revision}
    bptt:e:S     stream of its last `event_log_size` events, entry id "<seq>-0"
    bptt:lru     sorted set id -> last use, for the cap of `max_sessions`
Events are also published on the channel bptt:events, which one listener per worker
(redis.asyncio) hands to that worker's followers. A change is one round trip: a Lua
compare-and-set (SAVE) stores the record only over the revision before it, so of two
requests racing on one session, on one worker or two, one takes the step and the other
answers 409; nothing is skipped or repeated. A step is thus two round trips (load, save).

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
from typing import Any

import redis
import redis.asyncio
from redis.exceptions import RedisError

from app.sessions.events import Event, LocalBroker
from app.sessions.record import SessionRecord, decode_record, encode_record
from app.sessions.store import StoreUnavailableError
from app.settings import Settings

CHANNEL = "bptt:events"
DECODED_KEPT = 1000  # records this worker has decoded, by (id, revision)
# Load and touch, in one round trip: the revision and the record, and the idle clocks
# reset. KEYS: record, events, lru; ARGV: ttl ms, now, id.
LOAD = """
local found = redis.call('hmget', KEYS[1], 'revision', 'record')
if found[1] then
  redis.call('pexpire', KEYS[1], ARGV[1])
  redis.call('pexpire', KEYS[2], ARGV[1])
  redis.call('zadd', KEYS[3], 'XX', ARGV[2], ARGV[3])
end
return found
"""

# Compare and set, in one round trip: store the record and log and publish its event only
# if the stored revision is the one before it. KEYS: record, events; ARGV: revision,
# record, ttl ms, event id, event, max log length, channel, message.
SAVE = """
local stored = redis.call('hget', KEYS[1], 'revision')
if not stored or tonumber(stored) ~= tonumber(ARGV[1]) - 1 then return 0 end
redis.call('hset', KEYS[1], 'record', ARGV[2], 'revision', ARGV[1])
redis.call('pexpire', KEYS[1], ARGV[3])
redis.call('xadd', KEYS[2], 'MAXLEN', ARGV[6], ARGV[4], 'event', ARGV[5])
redis.call('pexpire', KEYS[2], ARGV[3])
redis.call('publish', ARGV[7], ARGV[8])
return 1
"""


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
        self._load = self.redis.register_script(LOAD)
        self._save = self.redis.register_script(SAVE)
        self._decoded: OrderedDict[tuple[str, int], SessionRecord] = OrderedDict()
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
        keys = (_record_key(session_id), _events_key(session_id), "bptt:lru")
        with _reachable():
            revision, text = self._load(keys=keys, args=(self._ttl_ms, time.time(), session_id))
        if text is None:
            return None
        known = self._decoded.get((session_id, int(revision)))
        if known is not None:
            return known  # this worker wrote or read this very revision: no decoding
        record = decode_record(text)
        self._remember(record)
        return record

    def _remember(self, record: SessionRecord) -> None:
        with self._guard:
            self._decoded[(record.id, record.revision)] = record
            while len(self._decoded) > DECODED_KEPT:
                self._decoded.popitem(last=False)

    @contextmanager
    def lock(self, session_id: str) -> Iterator[None]:
        """No lock across processes: `save` is the version check (a loser answers 409)."""
        yield

    def save(self, record: SessionRecord, event: Event) -> bool:
        message = json.dumps({"session": record.id, "event": event}, separators=(",", ":"))
        keys = (_record_key(record.id), _events_key(record.id))
        arguments = (
            record.revision,
            encode_record(record),
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
            self._remember(record)
        return saved

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

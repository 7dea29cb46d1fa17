"""A classroom: a session's join code, and the view its owner shows the room.

A join code is six characters from CODE_ALPHABET (no 0/O, 1/I/L: easy to read aloud and to
type); it maps to the session's read-only id, never to its token. With the code the store
also keeps the owner's view (the page's cursor: "e2-backward-3-1" is epoch 2, backward step
t = 3, its first chain-rule term), so a student who joins late starts where the teacher is.
Both live as long as the session: `ttl` idle seconds, touched whenever they are used, and a
code whose session has gone resolves to nothing (the caller checks the session).

MemoryCodes keeps them in this process (with MemoryStore); RedisCodes beside RedisStore's
keys, for every worker:
    bptt:c:CODE   the session id              bptt:cs:S   hash {code, view}
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from redis.exceptions import RedisError

from app.sessions.store import StoreUnavailableError

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0, O, 1, I, L
CODE_LENGTH = 6
CODE_RULE = f"must be {CODE_LENGTH} characters from {CODE_ALPHABET} (spaces and dashes ignored)"
VIEW_PATTERN = re.compile(
    r"e[1-9][0-9]{0,8}-(start|update|forward-[1-9][0-9]{0,3}|backward-[1-9][0-9]{0,3}(-[1-9][0-9]{0,4})?)"
)
VIEW_RULE = (
    'must name a view as the page does: "e<epoch>-start", "e<epoch>-forward-<t>", '
    '"e<epoch>-backward-<t>", "e<epoch>-backward-<t>-<term>" or "e<epoch>-update"'
)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normal_code(text: str) -> str | None:
    """The code as stored (upper case, no spaces or dashes), or None if it cannot be one."""
    code = re.sub(r"[\s-]", "", text).upper()
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return None
    return code


def is_view(text: str) -> bool:
    return VIEW_PATTERN.fullmatch(text) is not None


def view_event(seq: int, view: str) -> dict[str, Any]:
    """What followers are told when the owner shows another view: not a change, not logged."""
    return {"seq": seq, "command": "view", "view": view}


class Classroom(Protocol):
    def code_for(self, session_id: str) -> str:
        """The session's join code, made on first asking; the same one after that."""

    def session_for(self, code: str) -> str | None:
        """The session id a (normalised) code opens, or None."""

    def set_view(self, session_id: str, view: str) -> None:
        """Keep the view the owner shows."""

    def view_of(self, session_id: str) -> str | None:
        """The view the owner last showed, or None."""


@dataclass
class _Room:
    code: str | None
    view: str | None
    last_used: float


class MemoryCodes:
    """Codes and views in this process, each forgotten after `ttl` idle seconds."""

    def __init__(
        self, ttl: float, max_rooms: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl, self.max_rooms, self.clock = ttl, max_rooms, clock
        self._rooms: OrderedDict[str, _Room] = OrderedDict()  # by session id, oldest first
        self._by_code: dict[str, str] = {}
        self._guard = threading.Lock()

    def code_for(self, session_id: str) -> str:
        with self._guard:
            room = self._room(session_id)
            while room.code is None:
                code = new_code()
                if code not in self._by_code:
                    room.code, self._by_code[code] = code, session_id
            return room.code

    def session_for(self, code: str) -> str | None:
        with self._guard:
            self._evict()
            session_id = self._by_code.get(code)
            if session_id is not None:
                self._room(session_id)
            return session_id

    def set_view(self, session_id: str, view: str) -> None:
        with self._guard:
            self._room(session_id).view = view

    def view_of(self, session_id: str) -> str | None:
        with self._guard:
            self._evict()
            room = self._rooms.get(session_id)
            return room.view if room else None

    def _room(self, session_id: str) -> _Room:
        """The session's room, touched (made if new); the guard is held."""
        self._evict()
        room = self._rooms.pop(session_id, None) or _Room(None, None, 0.0)
        room.last_used = self.clock()
        self._rooms[session_id] = room
        while len(self._rooms) > self.max_rooms:
            self._forget(*self._rooms.popitem(last=False))
        return room

    def _evict(self) -> None:
        now = self.clock()
        while self._rooms:
            session_id, oldest = next(iter(self._rooms.items()))
            if now - oldest.last_used <= self.ttl:
                return
            self._forget(session_id, self._rooms.pop(session_id))

    def _forget(self, session_id: str, room: _Room) -> None:
        if room.code is not None and self._by_code.get(room.code) == session_id:
            del self._by_code[room.code]


def _reachable(method: Callable[..., Any]) -> Callable[..., Any]:
    """Redis errors (down, timed out) as StoreUnavailableError, as RedisStore raises them."""

    def call(*args: Any) -> Any:
        try:
            return method(*args)
        except RedisError as error:
            raise StoreUnavailableError(str(error)) from error

    return call


class RedisCodes:
    """Codes and views in Redis (the client RedisStore uses), expiring with the session."""

    def __init__(self, client: Any, ttl: float) -> None:
        self.redis, self.ttl_ms = client, max(1, int(ttl * 1000))

    @_reachable
    def code_for(self, session_id: str) -> str:
        room = f"bptt:cs:{session_id}"
        found = self.redis.hget(room, "code")
        while found is None:
            code = new_code()
            if self.redis.set(f"bptt:c:{code}", session_id, nx=True, px=self.ttl_ms):
                self.redis.hset(room, "code", code)
                found = code.encode()
        code = found.decode()
        self._touch(session_id, code)
        return code

    @_reachable
    def session_for(self, code: str) -> str | None:
        found = self.redis.get(f"bptt:c:{code}")
        if found is None:
            return None
        self._touch(found.decode(), code)
        return found.decode()

    @_reachable
    def set_view(self, session_id: str, view: str) -> None:
        room = f"bptt:cs:{session_id}"
        pipe = self.redis.pipeline(transaction=True)
        pipe.hset(room, "view", view)
        pipe.pexpire(room, self.ttl_ms)
        pipe.hget(room, "code")
        code = pipe.execute()[-1]
        if code is not None:
            self.redis.pexpire(f"bptt:c:{code.decode()}", self.ttl_ms)

    @_reachable
    def view_of(self, session_id: str) -> str | None:
        found = self.redis.hget(f"bptt:cs:{session_id}", "view")
        return found.decode() if found is not None else None

    def _touch(self, session_id: str, code: str) -> None:
        pipe = self.redis.pipeline(transaction=False)
        pipe.pexpire(f"bptt:cs:{session_id}", self.ttl_ms)
        pipe.pexpire(f"bptt:c:{code}", self.ttl_ms)
        pipe.execute()


def make_classroom(store: Any) -> Classroom:
    """Codes kept where the store keeps its sessions: Redis beside Redis, else memory."""
    client = getattr(store, "redis", None)
    if client is not None:
        return RedisCodes(client, store.ttl)
    max_rooms = getattr(store, "max_sessions", 1000)
    clock = getattr(store, "clock", time.monotonic)  # the store's, so both expire together
    return MemoryCodes(getattr(store, "ttl", 7200.0), max_rooms, clock)

"""Saved scenarios: a link's scenario kept on the server when it is too large for an address.

A saved scenario is the JSON text of a SavedIn body (the scenario and the weights at the
start of an epoch), named by the first 16 characters of its SHA-256 in base32, so the same
scenario saved twice has one name and a name cannot be guessed from another. They outlive
sessions: SAVED_TTL_SECONDS idle (30 days), in this process (at most `max_saved`) or in
Redis (key bptt:saved:NAME) when the sessions are there.
"""

from __future__ import annotations

import base64
import hashlib
import threading
from collections import OrderedDict
from typing import Any, Protocol

from redis.exceptions import RedisError

from app.sessions.store import StoreUnavailableError

SAVED_TTL_SECONDS = 30 * 24 * 3600
NAME_LENGTH = 16


def saved_name(text: str) -> str:
    digest = hashlib.sha256(text.encode()).digest()
    return base64.b32encode(digest).decode("ascii").lower()[:NAME_LENGTH]


class SavedScenarios(Protocol):
    def save(self, text: str) -> str:
        """Keep the JSON text; its name."""

    def load(self, name: str) -> str | None:
        """The JSON text saved under `name`, or None."""


class MemorySaved:
    """At most `max_saved` scenarios in this process, the least recently used going first."""

    def __init__(self, max_saved: int = 1000) -> None:
        self.max_saved = max_saved
        self._texts: OrderedDict[str, str] = OrderedDict()
        self._guard = threading.Lock()

    def save(self, text: str) -> str:
        name = saved_name(text)
        with self._guard:
            self._texts[name] = text
            self._texts.move_to_end(name)
            while len(self._texts) > self.max_saved:
                self._texts.popitem(last=False)
        return name

    def load(self, name: str) -> str | None:
        with self._guard:
            text = self._texts.get(name)
            if text is not None:
                self._texts.move_to_end(name)
            return text


class RedisSaved:
    """Saved scenarios in Redis, each forgotten after SAVED_TTL_SECONDS unused."""

    def __init__(self, client: Any) -> None:
        self.redis = client

    def save(self, text: str) -> str:
        name = saved_name(text)
        try:
            self.redis.set(f"bptt:saved:{name}", text, ex=SAVED_TTL_SECONDS)
        except RedisError as error:
            raise StoreUnavailableError(str(error)) from error
        return name

    def load(self, name: str) -> str | None:
        try:
            found = self.redis.getex(f"bptt:saved:{name}", ex=SAVED_TTL_SECONDS)
        except RedisError as error:
            raise StoreUnavailableError(str(error)) from error
        return found.decode() if found is not None else None


def make_saved(store: Any) -> SavedScenarios:
    """Saved where the store keeps its sessions: Redis beside Redis, else memory."""
    client = getattr(store, "redis", None)
    return RedisSaved(client) if client is not None else MemorySaved()

"""Saved scenarios: a link's scenario kept on the server when it is too large for an address.

A saved scenario is the JSON text of a SavedIn body (the scenario and the weights at the
start of an epoch), named by the first 16 characters of its SHA-256 in base32, so the same
scenario saved twice has one name and a name cannot be guessed from another. They outlive
sessions and restarts: SAVED_TTL_SECONDS idle (30 days), in Redis (key bptt:saved:NAME)
when the sessions are there, else one file each in BPTT_SAVED_DIR (at most `max_saved`, the
least recently used going first), or, with no directory, in this process's memory only.
"""

from __future__ import annotations

import base64
import hashlib
import os
import tempfile
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any, Protocol

from redis.exceptions import RedisError

from app.sessions.store import StoreUnavailableError

SAVED_TTL_SECONDS = 30 * 24 * 3600
NAME_LENGTH = 16


def saved_name(text: str) -> str:
    digest = hashlib.sha256(text.encode()).digest()
    return base64.b32encode(digest).decode("ascii").lower()[:NAME_LENGTH]


def _is_name(text: str) -> bool:
    """A name saved_name could have given: NAME_LENGTH characters of lower-case base32."""
    return len(text) == NAME_LENGTH and all(c in "abcdefghijklmnopqrstuvwxyz234567" for c in text)


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


class DirectorySaved:
    """One file NAME.json each in `directory`, so a link outlives a restart of the server;
    a file's modification time is its last use (SAVED_TTL_SECONDS, at most `max_saved`)."""

    def __init__(self, directory: Path, max_saved: int = 1000) -> None:
        self.directory, self.max_saved = directory, max_saved
        self._guard = threading.Lock()
        directory.mkdir(parents=True, exist_ok=True)

    def save(self, text: str) -> str:
        name = saved_name(text)
        with self._guard:
            # written whole, then renamed: a reader never sees half a file
            handle, temporary = tempfile.mkstemp(dir=self.directory, suffix=".part")
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(text)
            os.replace(temporary, self._path(name))
            self._forget_oldest()
        return name

    def load(self, name: str) -> str | None:
        if not _is_name(name):  # no file could hold it (and no path may leave the directory)
            return None
        path = self._path(name)
        with self._guard:
            try:
                if time.time() - path.stat().st_mtime > SAVED_TTL_SECONDS:
                    path.unlink()
                    return None
                text = path.read_text(encoding="utf-8")
                os.utime(path)  # used now
            except FileNotFoundError:
                return None
        return text

    def _path(self, name: str) -> Path:
        return self.directory / f"{name}.json"

    def _forget_oldest(self) -> None:
        files = sorted(self.directory.glob("*.json"), key=lambda path: path.stat().st_mtime)
        for path in files[: max(0, len(files) - self.max_saved)]:
            path.unlink(missing_ok=True)


def make_saved(store: Any, directory: Path | None = None) -> SavedScenarios:
    """Saved where the store keeps its sessions: Redis beside Redis, else in `directory`,
    else in memory."""
    client = getattr(store, "redis", None)
    if client is not None:
        return RedisSaved(client)
    return DirectorySaved(directory) if directory is not None else MemorySaved()

"""Fair sharing: who a request comes from, and a token bucket per client and kind of call.

A client is its address (the connection's, or with BPTT_TRUST_FORWARDED_FOR the last
X-Forwarded-For entry, the one a reverse proxy appended), kept only as a short hash.
Each client has a bucket per kind ("create": new sessions; "heavy": train, bptt,
gradcheck) holding at most `burst` tokens and refilled at `per_second`; a call takes one
token, and with none left answers 429 with Retry-After (whole seconds until a token is
back) and a sentence naming the limit. Steps take no token. The buckets live in this
worker (several workers each count their own), at most MAX_CLIENTS of them: a client
not seen for a while is forgotten, which only ever gives it a full bucket again.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from app.settings import Settings

MAX_CLIENTS = 10_000  # buckets kept per kind; the least recently seen client goes first
LIMITED = {
    "create": ("sessions created", "BPTT_CREATE_BURST", "BPTT_CREATE_PER_SECOND"),
    "heavy": ("heavy calls (train, bptt, gradcheck)", "BPTT_HEAVY_BURST", "BPTT_HEAVY_PER_SECOND"),
}


def client_address(request: Request, trust_forwarded_for: bool) -> str:
    """The address a request comes from: the last X-Forwarded-For entry if trusted."""
    if trust_forwarded_for:
        forwarded = request.headers.get("x-forwarded-for", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.client.host if request.client else "unknown"


def client_key(request: Request, settings: Settings) -> str:
    """A short hash of the client's address: what stores and buckets know it by."""
    address = client_address(request, settings.trust_forwarded_for)
    return hashlib.sha256(address.encode("utf-8", "replace")).hexdigest()[:16]


@dataclass
class _Bucket:
    tokens: float
    stamp: float


class TokenBuckets:
    """One token bucket per client: `burst` at most, `per_second` back, one per call."""

    def __init__(
        self, burst: int, per_second: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.burst, self.per_second, self.clock = burst, per_second, clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._guard = threading.Lock()

    def take(self, client: str) -> float:
        """Take a token for `client`: 0.0 if it had one, else the seconds until it will."""
        now = self.clock()
        with self._guard:
            bucket = self._buckets.pop(client, None) or _Bucket(float(self.burst), now)
            bucket.tokens = min(
                float(self.burst), bucket.tokens + (now - bucket.stamp) * self.per_second
            )
            bucket.stamp = now
            self._buckets[client] = bucket  # the most recently seen at the end
            while len(self._buckets) > MAX_CLIENTS:
                self._buckets.popitem(last=False)
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self.per_second


@dataclass(frozen=True, eq=False)
class RateLimits:
    """This worker's buckets for each kind of limited call."""

    create: TokenBuckets
    heavy: TokenBuckets

    @classmethod
    def from_settings(
        cls, settings: Settings, clock: Callable[[], float] = time.monotonic
    ) -> RateLimits:
        return cls(
            TokenBuckets(settings.create_burst, settings.create_per_second, clock),
            TokenBuckets(settings.heavy_burst, settings.heavy_per_second, clock),
        )


def too_many(kind: str, wait: float, settings: Settings) -> HTTPException:
    """The 429: Retry-After in whole seconds, and a sentence naming the limit."""
    what, burst_name, rate_name = LIMITED[kind]
    burst = getattr(settings, f"{kind}_burst")
    rate = getattr(settings, f"{kind}_per_second")
    retry = max(1, math.ceil(wait))
    sentence = (
        f"too many {what} from your address: at most {burst} at once, then {rate:g} per "
        f"second ({burst_name}, {rate_name}); try again in {retry} s"
    )
    return HTTPException(
        status.HTTP_429_TOO_MANY_REQUESTS, sentence, headers={"Retry-After": str(retry)}
    )


def limit(kind: str) -> Callable[[Request], Coroutine[None, None, str]]:
    """A route dependency taking one token of `kind` for the request's client (else 429);
    it answers the client's key."""

    async def take_token(request: Request) -> str:
        settings: Settings = request.app.state.settings
        buckets: TokenBuckets = getattr(request.app.state.rate_limits, kind)
        client = client_key(request, settings)
        wait = buckets.take(client)
        if wait > 0:
            raise too_many(kind, wait, settings)
        return client

    return take_token


CreateLimitDep = Annotated[str, Depends(limit("create"))]  # the creating client's key
HEAVY = Depends(limit("heavy"))

"""Refuse a request body before it is read into memory: too big (413), not JSON (415),
or too slow (408).

A pure ASGI middleware, so an oversized upload is cut off while it streams in and
never reaches the JSON parser, and a client that stops mid-body (or sends less than its
Content-Length) is answered 408 and dropped after `body_timeout_seconds`. Headers are
read as Latin-1, as HTTP defines them: a byte that is not UTF-8 is no error here.
"""

from __future__ import annotations

import json

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class RequestGuard:
    def __init__(self, app: ASGIApp, max_body_bytes: int, body_timeout_seconds: float) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.body_timeout_seconds = body_timeout_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        refusal = self._check_headers(scope["headers"])
        if refusal is not None:
            await self._refuse(send, *refusal)
            return
        watch = _BodyWatch(self, receive, send)
        await self.app(scope, watch.receive, watch.send)

    def _check_headers(self, raw_headers: list[tuple[bytes, bytes]]) -> tuple[int, str] | None:
        """The status and sentence refusing a body its headers already rule out, or None."""
        headers = {
            key.decode("latin-1").lower(): value.decode("latin-1") for key, value in raw_headers
        }
        length_header = headers.get("content-length", "0").strip() or "0"
        if not length_header.isdigit():
            return 400, "the Content-Length header must be a number of bytes"
        length = int(length_header)
        if length > self.max_body_bytes:
            return 413, self._too_large(length)
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if length and content_type != "application/json":
            return 415, "send the body as JSON, with the header Content-Type: application/json"
        return None

    def _too_large(self, length: int | None) -> str:
        size = f"{length:,} bytes" if length is not None else "too big"
        return (
            f"the request body is {size}: the server's limit is {self.max_body_bytes:,} bytes "
            "(BPTT_MAX_BODY_BYTES)"
        )

    def _too_slow(self) -> str:
        return (
            f"the request body did not arrive within {self.body_timeout_seconds:g} s "
            "(BPTT_BODY_TIMEOUT_SECONDS): send it again, whole"
        )

    @staticmethod
    async def _refuse(send: Send, status: int, sentence: str) -> None:
        body = json.dumps({"detail": sentence}).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", b"%d" % len(body)),
            (b"connection", b"close"),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class _BodyWatch:
    """One request's body as it streams in: past the limit or the deadline, answer now and
    tell the app the client has gone."""

    def __init__(self, guard: RequestGuard, receive: Receive, send: Send) -> None:
        self.guard, self._receive, self._send = guard, receive, send
        self.started = self.refused = self.whole = False
        self.received = 0
        self.deadline = anyio.current_time() + guard.body_timeout_seconds

    async def receive(self) -> Message:
        if self.whole or self.refused:
            return await self._receive()  # after the body: a disconnect, whenever it comes
        with anyio.move_on_after(self.deadline - anyio.current_time()):
            message = await self._receive()
            self.received += len(message.get("body", b""))
            self.whole = not message.get("more_body", False)
            if self.received <= self.guard.max_body_bytes:
                return message
            return await self._cut_off(413, self.guard._too_large(None))
        return await self._cut_off(408, self.guard._too_slow())

    async def _cut_off(self, status: int, sentence: str) -> Message:
        self.refused = True
        if not self.started:
            await self.guard._refuse(self._send, status, sentence)
        return {"type": "http.disconnect"}

    async def send(self, message: Message) -> None:
        if self.refused:
            return  # the refusal has been sent; whatever the app answers is dropped
        self.started = self.started or message["type"] == "http.response.start"
        await self._send(message)

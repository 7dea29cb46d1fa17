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
        headers = {
            key.decode("latin-1").lower(): value.decode("latin-1")
            for key, value in scope["headers"]
        }
        length_header = headers.get("content-length", "0").strip() or "0"
        if not length_header.isdigit():
            await self._refuse(send, 400, "the Content-Length header must be a number of bytes")
            return
        length = int(length_header)
        if length > self.max_body_bytes:
            await self._refuse(send, 413, self._too_large(length))
            return
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if length and content_type != "application/json":
            sentence = "send the body as JSON, with the header Content-Type: application/json"
            await self._refuse(send, 415, sentence)
            return
        started, refused, received, whole = False, False, 0, False
        deadline = anyio.current_time() + self.body_timeout_seconds

        async def counted_receive() -> Message:
            # past the limit or the deadline: answer now and tell the app the client has gone
            nonlocal received, refused, whole
            if whole or refused:
                return await receive()  # after the body: a disconnect, whenever it comes
            with anyio.move_on_after(deadline - anyio.current_time()):
                message = await receive()
                received += len(message.get("body", b""))
                whole = not message.get("more_body", False)
                if received <= self.max_body_bytes:
                    return message
                refused = True
                if not started:
                    await self._refuse(send, 413, self._too_large(None))
                return {"type": "http.disconnect"}
            refused = True
            if not started:
                await self._refuse(send, 408, self._too_slow())
            return {"type": "http.disconnect"}

        async def watched_send(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 has been sent; whatever the app answers is dropped
            started = started or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, counted_receive, watched_send)

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

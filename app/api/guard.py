"""Refuse a request body before it is read into memory: too big (413) or not JSON (415).

A pure ASGI middleware, so an oversized upload is cut off while it streams in and
never reaches the JSON parser.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class RequestGuard:
    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        headers = {key.decode().lower(): value.decode() for key, value in scope["headers"]}
        length = int(headers.get("content-length", "0") or 0)
        if length > self.max_body_bytes:
            await self._refuse(send, 413, self._too_large(length))
            return
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if length and content_type != "application/json":
            sentence = "send the body as JSON, with the header Content-Type: application/json"
            await self._refuse(send, 415, sentence)
            return
        started, refused, received = False, False, 0

        async def counted_receive() -> Message:
            # past the limit: answer 413 now and tell the app the client has gone
            nonlocal received, refused
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_body_bytes and not refused:
                refused = True
                if not started:
                    await self._refuse(send, 413, self._too_large(None))
                return {"type": "http.disconnect"}
            return message

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

    @staticmethod
    async def _refuse(send: Send, status: int, sentence: str) -> None:
        body = json.dumps({"detail": sentence}).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

"""OPTIONS and 405 answer the right Allow header: every method any route of the path takes.

Starlette answers a method a path does not take with the methods of the first route that
matched the path alone (GET /api/sessions/{id} hides DELETE). Here, before routing, the
methods some route takes at the path are gathered: OPTIONS answers 204 with them
(and OPTIONS), any other method not among them 405 with the same Allow and a sentence.
Paths no route matches (static files, 404s) pass through untouched.
"""

from __future__ import annotations

import json

from starlette.routing import Match, Mount, Router
from starlette.types import ASGIApp, Receive, Scope, Send

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


class AllowedMethods:
    """A pure ASGI middleware answering OPTIONS and wrong methods from `router`'s routes."""

    def __init__(self, app: ASGIApp, router: Router) -> None:
        self.app, self.router = app, router

    def allowed(self, scope: Scope) -> set[str]:
        """The methods some route (or included router) takes at this request's path; only
        the request's own when a route takes it (the usual case: one pass)."""
        routes = [route for route in self.router.routes if not isinstance(route, Mount)]

        def taken(method: str) -> bool:
            return any(
                route.matches({**scope, "method": method})[0] is Match.FULL for route in routes
            )

        if taken(scope["method"]):
            return {scope["method"]}
        return {method for method in METHODS if taken(method)}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        methods = self.allowed(scope)
        method = scope["method"]
        if not methods or method in methods:
            await self.app(scope, receive, send)
            return
        allow = ", ".join(sorted(methods | {"OPTIONS"}))
        if method == "OPTIONS":
            await self._answer(send, 204, allow, b"")
            return
        sentence = f"{method} is not allowed here: this path takes {allow}"
        await self._answer(send, 405, allow, json.dumps({"detail": sentence}).encode())

    @staticmethod
    async def _answer(send: Send, status: int, allow: str, body: bytes) -> None:
        headers = [(b"allow", allow.encode())]
        if body:
            headers += [(b"content-type", b"application/json")]
        headers += [(b"content-length", b"%d" % len(body))]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

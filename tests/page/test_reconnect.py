"""A follower's page reconnects by itself after its connection drops (here: the server
restarts, the sessions kept in Redis) and misses no step taken meanwhile."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from tests.page.helpers import wait_for_view
from tests.servers import Uvicorn, free_port
from tests.sessions.redis_server import RedisServer
from tests.sessions.servers import request


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A redis-server of this module's own, on a free loopback port."""
    with RedisServer(tmp_path_factory.mktemp("redis")) as server:
        yield server


def test_a_follower_reconnects_and_misses_no_step(
    browser: Browser, redis_server: RedisServer
) -> None:
    port, env = free_port(), {"BPTT_REDIS_URL": redis_server.url}
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        with Uvicorn(env, port=port) as server:
            created = request(server.url, "POST", "/api/sessions", {"preset": "hello"})[1]
            session_id, token = created["id"], created["token"]
            path = f"/api/sessions/{session_id}"
            code = request(server.url, "POST", f"{path}/code", token=token)[1]["code"]
            follower = context.new_page()
            follower.goto(f"{server.url}/follow/{code}")
            follower.wait_for_function("() => document.body.dataset.sessionId !== undefined")
            request(server.url, "POST", f"{path}/forward", token=token)
            wait_for_view(follower, "Showing forward step t = 1,")
            follower.evaluate("window.sameDocument = true")
        # The connection dropped with the server; a new one, and two steps at once.
        with Uvicorn(env, port=port) as server:
            for _ in range(2):
                assert request(server.url, "POST", f"{path}/forward", token=token)[0] == 200
            wait_for_view(follower, "Showing forward step t = 3,")
            request(server.url, "POST", f"{path}/forward", token=token)
            wait_for_view(follower, "Showing forward step t = 4,")  # and live again
            assert follower.evaluate("window.sameDocument === true")
    finally:
        context.close()

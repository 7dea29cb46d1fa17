"""Browser tests of the explorer: one uvicorn server and one Chromium for the whole session.

Chromium is looked up where scripts/ensure-chromium looks (BPTT_CHROMIUM, then Debian's and
Google's paths). If none is found the tests fail with a message saying how to get one.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.servers import Uvicorn

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def find_chromium() -> str | None:
    """The first executable of BPTT_CHROMIUM and the usual install paths."""
    for candidate in (os.environ.get("BPTT_CHROMIUM", ""), *CHROMIUM_CANDIDATES):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="session")
def base_url() -> Iterator[str]:
    """uvicorn serving app.main:app on a free port, in a subprocess."""
    with Uvicorn(env={}) as server:
        yield server.url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = find_chromium()
    if executable is None:
        pytest.fail(
            "No Chromium found for the browser tests: set BPTT_CHROMIUM=/path/to/chrome or "
            "install one (Debian: apt-get install chromium; or run scripts/ensure-chromium)."
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Watched:
    """A page plus what it did: every request (method and URL), console errors and warnings."""

    page: Page
    base_url: str
    requests: list[str] = field(default_factory=list)
    calls: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def open(self, path: str = "/") -> None:
        self.page.goto(self.base_url + path)
        self.page.wait_for_function("() => document.body.dataset.sessionId !== undefined")
        self.page.wait_for_function("() => document.getElementById('status').textContent !== ''")

    @property
    def session_id(self) -> str:
        return self.page.evaluate("document.body.dataset.sessionId")

    def state(self) -> dict[str, Any]:
        """The session's state, read by the test itself (not through the page), with each
        backward record's terms in full, one by one (GET .../terms/{id})."""
        url = f"{self.base_url}/api/sessions/{self.session_id}"
        with urllib.request.urlopen(url) as response:
            state = json.load(response)
        for record in state["backward"]:
            ids = [f"{s['param']}:{k}:{s['t']}" for s in record["terms"] for k in s["ks"]]
            record["terms"] = [self.term(term_id) for term_id in ids]
        return state

    def term(self, term_id: str) -> dict[str, Any]:
        url = f"{self.base_url}/api/sessions/{self.session_id}/terms/{term_id}"
        with urllib.request.urlopen(url) as response:
            return json.load(response)

    def foreign_requests(self) -> list[str]:
        own = self.base_url + "/"
        return [
            url for url in self.requests if not (url.startswith(own) or url.startswith("data:"))
        ]


def console(record: Watched, kind: str, text: str) -> None:
    if kind == "error":
        record.errors.append(text)
    elif kind == "warning":
        record.warnings.append(text)


@pytest.fixture
def watched(browser: Browser, base_url: str) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    record = Watched(page, base_url)
    page.on("request", lambda request: record.requests.append(request.url))
    page.on("request", lambda request: record.calls.append((request.method, request.url)))
    page.on("console", lambda message: console(record, message.type, message.text))
    page.on("pageerror", lambda error: record.errors.append(str(error)))
    yield record
    context.close()

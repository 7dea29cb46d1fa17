"""A class follows a teacher by join code: live, to the same term, late joiners included;
a follower cannot step the teacher's session, and "Explore from here" gives it its own copy."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page

from app.sessions.codes import CODE_ALPHABET
from tests.page.conftest import Watched
from tests.page.helpers import click_and_wait, press_and_wait, wait_for_view
from tests.page.test_security import INJECTED, PAYLOADS, guarded, violations

__all__ = ["guarded"]  # the fixture: the page under the policy, its violations recorded
STEPS = [("Forward step", "/forward")] * 3 + [("Backward step", "/backward")]


@contextmanager
def student(browser: Browser, path: str, base_url: str) -> Iterator[Page]:
    """A fresh browser (no storage of the teacher's) with a page open at `path`."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(base_url + path)
        page.wait_for_function("() => document.body.dataset.sessionId !== undefined")
        yield page
        assert errors == []
    finally:
        context.close()


def share(watched: Watched) -> str:
    """Press "Share with class" and read the code it shows."""
    watched.page.get_by_role("button", name="Share with class").click()
    code = watched.page.locator("#join-code .code-text")
    code.wait_for()
    return code.get_attribute("data-code") or ""


def note(page: Page) -> str:
    return page.locator("#view-note").inner_text()


def same_view(follower: Page, teacher: Page) -> None:
    """Wait until the follower shows what the teacher shows (the view's sentence and terms)."""
    lit = "() => [...document.querySelectorAll('#graph .lit')].map(e => e.dataset.id).sort()"
    wanted = teacher.evaluate(lit)
    settled = f"want => ({lit})().join() === want.join()"
    wait_for_view(follower, note(teacher))
    follower.wait_for_function(settled, arg=wanted)  # the same lit path (it may be re-drawn)
    wait_for_view(follower, note(teacher))
    assert note(follower) == note(teacher)
    assert follower.evaluate(lit) == wanted


def test_a_class_follows_the_teacher_to_the_same_term_without_reloading(
    watched: Watched, browser: Browser
) -> None:
    teacher = watched.page
    watched.open("/")
    code = share(watched)
    assert len(code) == 6 and set(code) <= set(CODE_ALPHABET)
    link = teacher.locator("#join-code a").get_attribute("href")
    assert link == f"{watched.base_url}/follow/{code}"
    state = watched.state()
    assert code not in json.dumps(state) and state["id"] not in code
    with student(browser, "/", watched.base_url) as follower:
        # The start page's box: typed in lower case, with a space.
        follower.get_by_label("Join a class").fill(f"{code[:3].lower()} {code[3:]}")
        follower.get_by_role("button", name="Join").click()
        follower.wait_for_url(f"**/follow/{code}**")
        follower.wait_for_function("id => document.body.dataset.sessionId === id", arg=state["id"])
        follower.evaluate("window.sameDocument = true")
        for button, endpoint in STEPS:
            click_and_wait(teacher, button, endpoint)
            wait_for_view(teacher, "")
            same_view(follower, teacher)
        press_and_wait(teacher, "ArrowRight", "term 2 of")  # the teacher walks the terms
        same_view(follower, teacher)
        press_and_wait(teacher, "ArrowLeft", "term 1 of")  # and back
        same_view(follower, teacher)
        press_and_wait(teacher, "ArrowRight", "term 2 of")
        same_view(follower, teacher)
        with student(browser, f"/follow/{code}", watched.base_url) as late:
            same_view(late, teacher)  # a late joiner starts where the teacher is
        assert follower.evaluate("window.sameDocument === true")  # never reloaded
        # The follower cannot step: no buttons, and the API refuses it without the token.
        for button in ("Forward step", "Backward step", "Update weights", "Run epoch"):
            assert follower.get_by_role("button", name=button).is_disabled()
        refused = follower.evaluate(
            "id => fetch(`/api/sessions/${id}/backward`, {method: 'POST'}).then(r => r.status)",
            state["id"],
        )
        assert refused == 401
        token = teacher.evaluate(f"sessionStorage.getItem('bptt-explorer.token.{state['id']}')")
        stored = follower.evaluate("() => JSON.stringify({...sessionStorage, ...localStorage})")
        assert token and token not in stored and token not in follower.content()
    assert len(watched.state()["backward"]) == 1
    assert watched.errors == []


def test_explore_from_here_is_a_private_copy_at_the_teachers_term(
    watched: Watched, browser: Browser
) -> None:
    teacher = watched.page
    watched.open("/")
    code = share(watched)
    for button, endpoint in STEPS:
        click_and_wait(teacher, button, endpoint)
    press_and_wait(teacher, "ArrowRight", "term 2 of")
    before = watched.state()
    with student(browser, f"/follow/{code}", watched.base_url) as follower:
        same_view(follower, teacher)
        formula = follower.locator("#formula").inner_text()
        follower.get_by_role("button", name="Explore from here").click()
        follower.wait_for_function("id => document.body.dataset.sessionId !== id", arg=before["id"])
        copy = follower.evaluate("document.body.dataset.sessionId")
        wait_for_view(follower, note(teacher))
        assert follower.locator("#formula").inner_text() == formula  # the same term, numbers
        assert "/follow/" not in follower.url and f"session={copy}" in follower.url
        # The copy is the follower's: it steps it, and the teacher's session does not move.
        assert follower.get_by_role("button", name="Backward step").is_enabled()
        click_and_wait(follower, "Backward step", "/backward")
        with urllib.request.urlopen(f"{watched.base_url}/api/sessions/{copy}") as answer:
            assert len(json.load(answer)["backward"]) == 2
    after = watched.state()
    assert (after["status"], after["backward"]) == (before["status"], before["backward"])
    assert note(teacher).startswith("Showing backward step t = 3, term 2")
    assert watched.errors == []


def test_an_unknown_code_says_so(browser: Browser, base_url: str) -> None:
    with student(browser, "/follow/ZZZZZZ", base_url) as page:
        page.wait_for_function("() => !document.getElementById('error').hidden")
        assert "no class has the code ZZZZZZ" in page.locator("#error").inner_text()
        page.get_by_label("Join a class").fill("0O1IL2")
        page.get_by_role("button", name="Join").click()
        assert "6 characters from" in page.locator("#join-error").inner_text()
        assert "/follow/ZZZZZZ" in page.url  # not sent anywhere


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_code_is_shown_as_text_and_never_runs(guarded: Watched, payload: str) -> None:
    page = guarded.page
    page.goto(f"{guarded.base_url}/follow/{quote(payload, safe='')}")
    page.locator("#error").wait_for(state="visible")
    assert "no class has this code" in page.locator("#error").inner_text()
    page.get_by_label("Join a class").fill(payload)
    page.get_by_role("button", name="Join").click()
    assert "6 characters from" in page.locator("#join-error").inner_text()
    assert page.evaluate("window.__ran") is None
    assert page.locator(INJECTED).count() == 0
    assert guarded.dialogs == []  # type: ignore[attr-defined]
    assert violations(guarded) == []

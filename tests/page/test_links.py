"""Links that hold the whole view: a link copied mid-backward shows the same term with the
same numbers in a fresh browser, after its session moved on, and after the server restarted
and forgot every session; too long for an address, it names a saved scenario."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Browser, Page

from tests.page.conftest import Watched
from tests.page.helpers import click_and_wait, lit_ids, press_and_wait, run_epoch, wait_for_view
from tests.servers import Uvicorn, free_port


def snapshot(page: Page) -> tuple[str, str, tuple[set[str], set[str]], str]:
    """What a person sees of the view: the status, the view's sentence, the lit path and
    the panel's working with its numbers."""
    wait_for_view(page, "")
    return (
        page.get_by_role("status").first.inner_text(),
        page.locator("#view-note").inner_text(),
        lit_ids(page),
        page.locator("#formula").inner_text(),
    )


def copy_link(page: Page) -> str:
    page.get_by_role("button", name="Copy link").click()
    page.wait_for_function("() => document.getElementById('link-box').value !== ''")
    return page.locator("#link-box").input_value()


@contextmanager
def fresh(browser: Browser, url: str) -> Iterator[Page]:
    """The link opened in a new browser context: no sessionStorage, no cookies."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(url)
        page.wait_for_function("() => document.body.dataset.sessionId !== undefined")
        yield page
        assert errors == []
    finally:
        context.close()


def walk_to_the_second_term(page: Page) -> None:
    for t in (1, 2, 3):
        press_and_wait(page, "ArrowRight", f"Showing forward step t = {t},")
    press_and_wait(page, "ArrowRight", "Showing backward step t = 3, term 1 of")
    press_and_wait(page, "ArrowRight", "Showing backward step t = 3, term 2 of")


def test_a_link_shows_the_same_term_after_its_session_moved_on(
    watched: Watched, browser: Browser
) -> None:
    page = watched.page
    watched.open("/?preset=seed-3-step")
    run_epoch(page)  # epoch 2: the link carries the epoch's weights
    walk_to_the_second_term(page)
    seen = snapshot(page)
    link = copy_link(page)
    assert "&w=" in link and "view=e2-backward-3-2" in link and len(link) <= 2000
    with fresh(browser, link) as visitor:  # the session is there: the same view, following
        assert snapshot(visitor) == seen
        assert visitor.get_by_role("button", name="Backward step").is_disabled()
    run_epoch(page)  # the session moves on to epoch 3: the link's view is rebuilt
    with fresh(browser, link) as visitor:
        assert snapshot(visitor) == seen
        assert visitor.locator("#read-only").is_visible()
        assert "rebuilt" in visitor.locator("#view-lost").inner_text()
        visitor.get_by_role("button", name="Explore from here").click()
        visitor.wait_for_function(
            "() => !document.getElementById('explore-button').checkVisibility()"
        )
        assert snapshot(visitor)[1:] == seen[1:]
        click_and_wait(visitor, "Backward step", "/backward")  # the visitor's own copy
    assert watched.state()["epoch"] == 3
    assert watched.errors == []


def test_a_link_copied_mid_backward_survives_a_server_restart(browser: Browser) -> None:
    port = free_port()
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        with Uvicorn(env={}, port=port) as server:
            page = context.new_page()
            page.goto(f"{server.url}/?preset=hello")
            page.wait_for_function("() => document.body.dataset.sessionId !== undefined")
            for t in range(1, 5):
                press_and_wait(page, "ArrowRight", f"Showing forward step t = {t},")
            press_and_wait(page, "ArrowRight", "Showing backward step t = 4, term 1 of")
            press_and_wait(page, "ArrowRight", "Showing backward step t = 4, term 2 of")
            seen = snapshot(page)
            link = copy_link(page)
        # A new server: every session forgotten.
        with Uvicorn(env={}, port=port), fresh(browser, link) as visitor:
            assert snapshot(visitor) == seen
            assert visitor.get_by_role("button", name="Forward step").is_disabled()
    finally:
        context.close()


def test_a_link_too_long_for_an_address_names_a_saved_scenario(
    watched: Watched, browser: Browser
) -> None:
    page = watched.page
    watched.open("/?preset=hello")
    run_epoch(page)  # 94 weights of epoch 2 do not fit in 2,000 characters
    press_and_wait(page, "ArrowRight", "Showing forward step t = 1,")
    assert len(page.url) <= 2000 and "&w=" not in page.url
    seen = snapshot(page)
    link = copy_link(page)
    assert "saved=" in link and "&w=" not in link and len(link) < 200
    run_epoch(page)
    with fresh(browser, link) as visitor:
        assert snapshot(visitor) == seen
    assert watched.errors == []

"""Links that hold the whole view: a link copied mid-backward shows the same term with the
same numbers in a fresh browser, after its session moved on, and after the server restarted
and forgot every session; too long for an address, it names a saved scenario."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Browser, Page

from tests.page.conftest import Watched
from tests.page.helpers import (
    address,
    click_and_wait,
    lit_ids,
    press_and_wait,
    run_epoch,
    wait_for_view,
)
from tests.servers import Uvicorn


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


def on_a_new_server(link: str, old: str, server: Uvicorn) -> str:
    """The link as copied from the server at `old`, opened on another: one started after
    the link was made, as a restarted server is, that holds none of the old one's sessions."""
    assert link.startswith(old + "/"), link
    return server.url + link.removeprefix(old)


def test_a_link_copied_mid_backward_survives_a_server_restart(
    watched: Watched, browser: Browser
) -> None:
    page = watched.page
    watched.open("/?preset=hello")
    for t in range(1, 5):
        press_and_wait(page, "ArrowRight", f"Showing forward step t = {t},")
    press_and_wait(page, "ArrowRight", "Showing backward step t = 4, term 1 of")
    press_and_wait(page, "ArrowRight", "Showing backward step t = 4, term 2 of")
    seen = snapshot(page)
    link = copy_link(page)
    # A new server: every session forgotten.
    with (
        Uvicorn(env={}) as server,
        fresh(browser, on_a_new_server(link, watched.base_url, server)) as visitor,
    ):
        assert snapshot(visitor) == seen
        assert visitor.get_by_role("button", name="Forward step").is_disabled()


def test_a_link_too_long_for_an_address_names_a_saved_scenario(
    watched: Watched, browser: Browser
) -> None:
    page = watched.page
    watched.open("/?preset=hello")
    run_epoch(page)  # 94 weights of epoch 2 do not fit in 2,000 characters
    press_and_wait(page, "ArrowRight", "Showing forward step t = 1,")
    link = address(page)
    assert len(link) <= 2000 and "&w=" not in link
    seen = snapshot(page)
    link = copy_link(page)
    assert "saved=" in link and "&w=" not in link and len(link) < 200
    run_epoch(page)
    with fresh(browser, link) as visitor:
        assert snapshot(visitor) == seen
    assert watched.errors == []


def adam_update_of_epoch_3(page: Page) -> dict:
    """The preset's session switched to Adam, two epochs run, then epoch 3 stepped and
    updated on the page: the update's answer (the link must carry Adam's m, v and n)."""
    page.locator("#optimiser-picker").select_option("adam")
    click_and_wait(page, "Use this optimiser", "/optimizer")
    run_epoch(page)
    run_epoch(page)
    for _ in range(3):
        click_and_wait(page, "Forward step", "/forward")
    for _ in range(3):
        click_and_wait(page, "Backward step", "/backward")
    update = click_and_wait(page, "Update weights", "/update")
    wait_for_view(page, "Showing the update of epoch 3.")
    return update


def rebuilt_update(page: Page) -> dict:
    """The update the visitor's (rebuilt) session holds, as its API gives it."""
    session_id = page.evaluate("() => document.body.dataset.sessionId")
    read = "async id => (await (await fetch(`/api/sessions/${id}`)).json()).last_update"
    return page.evaluate(read, session_id)


def test_a_link_to_an_adam_update_shows_the_same_w_new_anywhere(
    watched: Watched, browser: Browser
) -> None:
    page = watched.page
    watched.open("/?preset=seed-3-step")
    update = adam_update_of_epoch_3(page)
    seen = snapshot(page)
    link = copy_link(page)
    assert "&o=" in link and "view=e3-update" in link and "preset=" not in link
    run_epoch(page)  # the session moves on: the link's view is rebuilt
    with fresh(browser, link) as visitor:
        assert snapshot(visitor) == seen and "rebuilt" in visitor.content()
        assert rebuilt_update(visitor)["params_new"] == update["params_new"]
    # A new server: all forgotten.
    with (
        Uvicorn(env={}) as server,
        fresh(browser, on_a_new_server(link, watched.base_url, server)) as visitor,
    ):
        assert snapshot(visitor) == seen
        again = rebuilt_update(visitor)
        assert again["params_new"] == update["params_new"]
        assert again["quantities"] == update["quantities"] and again["update_number"] == 3

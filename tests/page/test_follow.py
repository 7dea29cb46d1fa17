"""A shared link follows the owner's steps live: no reload, no token, no step of its own."""

from __future__ import annotations

from playwright.sync_api import Browser

from tests.page.conftest import Watched
from tests.page.helpers import address, click_and_wait, wait_for_status


def test_a_shared_link_updates_itself_as_the_owner_steps(
    watched: Watched, browser: Browser
) -> None:
    owner = watched.page
    watched.open("/")
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        follower = context.new_page()
        errors: list[str] = []
        follower.on("pageerror", lambda error: errors.append(str(error)))
        follower.goto(address(owner))
        wait_for_status(follower, watched.state()["status"])
        follower.evaluate("window.sameDocument = true")  # gone if the page reloads
        for button, endpoint in [("Forward step", "/forward")] * 3 + [
            ("Backward step", "/backward")
        ]:
            click_and_wait(owner, button, endpoint)
            status = watched.state()["status"]
            wait_for_status(follower, status)  # the follower shows it without a reload
            assert follower.get_by_role("status").inner_text() == status
        assert "Showing backward step t = 3" in follower.locator("#view-note").inner_text()
        assert follower.get_by_role("button", name="Forward step").is_disabled()
        assert follower.evaluate("window.sameDocument === true")  # never reloaded
        assert errors == []
    finally:
        context.close()
    assert watched.errors == []

"""The next step drawn ahead: the page asks what it would answer (GET .../forward/preview or
.../backward/preview) and draws its view (a backward step's first term) while idle, in a panel
laid out off the window. What the press shows is the step's own answer: that panel as drawn
when nothing changed, the new numbers when another client changed the session in between;
and asking ahead changes nothing in the session."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from playwright.sync_api import Page

from tests.page.conftest import Watched
from tests.page.helpers import next_view, walk_to

IDLE = "() => new Promise((done) => requestIdleCallback(done, { timeout: 1000 }))"
# The panel drawn ahead, once it holds the view named (its heading), marked; after the press,
# whether #formula is that panel.
MARK_AHEAD = """(heading) => {
    const ahead = document.getElementById('formula-ahead');
    if (!ahead?.querySelector(':scope > h2')?.textContent.startsWith(heading)) return false;
    ahead.dataset.mark = 'drawn ahead';
    return true;
}"""
SHOWN_AHEAD = "() => document.getElementById('formula').dataset.mark === 'drawn ahead'"


def panel_as_drawn_again(page: Page) -> tuple[str, str]:
    """The panel's text as the press showed it, and as drawn again from the same records
    (← then →: a view the page holds is drawn, not taken from ahead)."""
    shown = page.locator("#formula").inner_text()
    page.keyboard.press("ArrowLeft")
    page.wait_for_function(
        "() => !document.getElementById('view-note').textContent.includes('t = 3, term 1')"
    )
    next_view(page)
    return shown, page.locator("#formula").inner_text()


def at_the_last_forward_step(watched: Watched) -> dict[str, Any]:
    """The seed preset walked to forward t = 3 (→ next asks for the first backward step);
    the preview the page asked for there, once drawn ahead."""
    watched.open("/?preset=seed-3-step")
    page = watched.page
    walk_to(page, "forward step t = 2")
    with page.expect_response(lambda r: "/backward/preview" in r.url) as preview:
        next_view(page)
    page.evaluate(IDLE)
    return preview.value.json()


def factor_values(page: Page) -> list[Any]:
    """The value under each factor card in view, as the page drew it."""
    return page.eval_on_selector_all(
        "#formula .factors > .factor > .value",
        "values => values.map(v => JSON.parse(v.dataset.value))",
    )


def post(watched: Watched, path: str, body: dict | None = None) -> dict[str, Any]:
    """Another client's command on the same session, with the page's token."""
    token = watched.page.evaluate(
        "id => sessionStorage.getItem(`bptt-explorer.token.${id}`)", watched.session_id
    )
    request = urllib.request.Request(
        f"{watched.base_url}/api/sessions/{watched.session_id}/{path}",
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request) as response:
        return json.load(response)


def test_the_step_drawn_ahead_shows_the_numbers_the_step_answered(watched: Watched) -> None:
    page = watched.page
    preview = at_the_last_forward_step(watched)
    assert watched.state()["backward"] == []  # asking ahead took no step
    page.wait_for_function(MARK_AHEAD, arg="Backward step t = 3: term 1 of 4")
    assert next_view(page).startswith("Showing backward step t = 3, term 1 of 4")
    assert page.evaluate(SHOWN_AHEAD)  # the panel drawn ahead, shown as laid out
    first = preview["first_term"]
    assert page.locator("#formula .factors").get_attribute("data-term") == first["id"]
    answered = [factor["value"] for factor in watched.term(first["id"])["factors"]]
    assert factor_values(page) == answered == [factor["value"] for factor in first["factors"]]
    assert page.locator("#term-value").count() == 1  # its ids are back, and only there
    shown, drawn_again = panel_as_drawn_again(page)
    assert shown == drawn_again
    assert watched.errors == []


def test_the_forward_step_drawn_ahead_is_the_one_the_press_shows(watched: Watched) -> None:
    watched.open("/?preset=seed-3-step")
    page = watched.page
    next_view(page)  # forward t = 1: the page asks what t = 2 would answer, draws it ahead
    page.wait_for_function(MARK_AHEAD, arg="Forward step t = 2")
    assert watched.state()["forward"][-1]["t"] == 1  # asking ahead took no step
    assert any("/forward/preview" in url for _, url in watched.calls)
    assert next_view(page).startswith("Showing forward step t = 2")
    assert page.evaluate(SHOWN_AHEAD)
    # what it shows is the view drawn again from the records the step answered (← then →)
    shown = page.locator("#formula").inner_text()
    page.keyboard.press("ArrowLeft")
    page.wait_for_function(
        "() => document.getElementById('view-note').textContent.includes('t = 1')"
    )
    next_view(page)
    assert page.locator("#formula").inner_text() == shown
    assert watched.errors == []


def test_a_change_by_another_client_in_between_shows_the_new_numbers(watched: Watched) -> None:
    page = watched.page
    preview = at_the_last_forward_step(watched)
    post(watched, "scale", {"factor": 0.5})  # W_h halved: the epoch starts again from it
    for _ in range(3):
        post(watched, "forward")
    page.wait_for_function(MARK_AHEAD, arg="Backward step t = 3: term 1 of 4")
    assert next_view(page).startswith("Showing backward step t = 3, term 1 of 4")
    assert not page.evaluate(SHOWN_AHEAD)  # drawn from the answer, not the preview
    first = preview["first_term"]
    answered = [factor["value"] for factor in watched.term(first["id"])["factors"]]
    assert answered != [factor["value"] for factor in first["factors"]]
    assert factor_values(page) == answered


def test_drawing_ahead_leaves_the_view_shown_whole(watched: Watched) -> None:
    """At a step's last term the next step's first term shares its loss card: drawn ahead,
    that card stays in the view on the page."""
    watched.open("/?preset=seed-3-step")
    page = watched.page
    walk_to(page, "backward step t = 3, term 3 of 4")
    with page.expect_response(lambda r: "/backward/preview" in r.url):
        assert "term 4 of 4" in next_view(page)
    page.evaluate(IDLE)
    page.evaluate(IDLE)
    term_id = page.locator("#formula .factors").get_attribute("data-term")
    answered = [factor["value"] for factor in watched.term(term_id)["factors"]]
    assert len(answered) > 1 and factor_values(page) == answered

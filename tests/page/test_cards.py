"""Factor cards kept from one term to the next: a card the next term shares is the same card
(not typeset again), in its place's colour, and each term keeps the entry in view it was left
on, however it was picked (the picker, a click on a cell)."""

from __future__ import annotations

import json

from playwright.sync_api import Locator, Page

from tests.page.conftest import Watched
from tests.page.helpers import open_editor_session, press_and_wait, walk_to

MARK = "card => { card.keptMark = 'seen'; }"
MARKED = "card => card.keptMark === 'seen'"
# The term the next → shows, drawn ahead while the page is idle (in the panel off the window).
DRAWN_AHEAD = (
    "heading => document.querySelector('#formula-ahead > h2')?.textContent.startsWith(heading)"
)
CARDS_DRAWN = "#formula .factors > .factor, #formula-ahead .factors > .factor"


def open_many_to_one(watched: Watched) -> None:
    """Four steps, six hidden units, one loss at the end: a step's terms share all but their
    last factor (as at T = 50, H = 32)."""
    watched.open("/")
    open_editor_session(
        watched,
        hidden_size="6",
        mode="many_to_one",
        output="identity_mse",
        inputs=[[0.5], [-0.2], [0.3], [0.1]],
        targets=[1.0],
        params="",
    )


def card(page: Page, edge: str) -> Locator:
    return page.locator(f"#formula .factors > .factor[data-edge='{edge}']")


def entry_in_view(card_: Locator) -> list[int]:
    return json.loads(card_.locator(".worked-line").get_attribute("data-entry"))


def colours(page: Page) -> list[tuple[str, str]]:
    """(edge, colour) of each card in view, in order."""
    return page.eval_on_selector_all(
        "#formula .factors > .factor",
        "cards => cards.map(c => [c.dataset.edge, c.style.getPropertyValue('--factor-colour')])",
    )


def test_the_terms_of_a_step_share_their_cards_and_keep_their_own_entries(
    watched: Watched,
) -> None:
    page = watched.page
    open_many_to_one(watched)
    walk_to(page, "backward step t = 3, term 1 of")
    first_id = page.locator("#formula .factors").get_attribute("data-term")
    recurrent = page.locator("#formula .factor-recurrent").first
    edge = recurrent.get_attribute("data-edge")
    first_colours = colours(page)
    recurrent.locator(".entry-row").select_option(index=2)
    recurrent.locator(".entry-column").select_option(index=4)
    assert entry_in_view(card(page, edge)) == [2, 4]

    # the next term of the step: the factors it shares are cards drawn before the press (the
    # ones just seen, or drawn ahead while idle), in the same colours
    page.wait_for_function(DRAWN_AHEAD, arg="Backward step t = 3: term 2 of")
    page.eval_on_selector_all(CARDS_DRAWN, f"cards => cards.forEach({MARK})")
    press_and_wait(page, "ArrowRight", "backward step t = 3, term 2 of")
    second_id = page.locator("#formula .factors").get_attribute("data-term")
    assert second_id != first_id
    second = watched.term(second_id)
    shared = [edge_ for edge_, _ in first_colours[:-1]]
    assert [f["edge"] for f in second["factors"][:-1]] == shared
    for edge_ in shared:
        assert card(page, edge_).evaluate(MARKED), f"the card of {edge_} was drawn again"
    assert colours(page)[:-1] == first_colours[:-1]
    # the direct partial is this term's own: its edge and its numbers
    direct = second["factors"][-1]
    assert colours(page)[-1][0] == direct["edge"]
    shown_direct = card(page, direct["edge"]).locator(":scope > .value").get_attribute("data-value")
    assert json.loads(shown_direct) == direct["value"]
    # its entry in view is this term's own (none picked yet), then one picked by a click on a cell
    assert entry_in_view(card(page, edge)) == [0, 0]
    card(page, edge).locator(".heatmap-cell[data-row='1'][data-column='3']").click()
    assert entry_in_view(card(page, edge)) == [1, 3]

    # back and forth: each term shows the entry it was left on, and the quiz would ask that one
    press_and_wait(page, "ArrowLeft", "backward step t = 3, term 1 of")
    assert entry_in_view(card(page, edge)) == [2, 4]
    press_and_wait(page, "ArrowRight", "backward step t = 3, term 2 of")
    assert entry_in_view(card(page, edge)) == [1, 3]
    value = json.loads(card(page, edge).locator(".worked-line").get_attribute("data-value"))
    factor = next(f for f in second["factors"] if f["edge"] == edge)
    records = watched.state()["backward"]
    jacobian = factor["value"] or next(r for r in records if r["t"] == factor["step"])["jacobian"]
    assert value == jacobian[1][3]
    assert watched.errors == []


def test_the_next_steps_first_term_keeps_the_chain_it_shares(watched: Watched) -> None:
    page = watched.page
    open_many_to_one(watched)
    walk_to(page, "backward step t = 3, term 1 of")
    before = colours(page)
    page.eval_on_selector_all("#formula .factors > .factor", f"cards => cards.forEach({MARK})")
    table = card(page, before[0][0]).locator("details.heatmap-numbers").first
    if table.count():
        table.locator("summary").click()  # a table of numbers opened: a kept card closes it
    press_and_wait(page, "ArrowRight", "backward step t = 3, term 2 of")
    walk_to(page, "backward step t = 2, term 1 of")
    after = colours(page)
    # the chain from the loss down to h_3 is the cards seen, each in its place's colour
    assert after[: len(before) - 1] == before[:-1]
    for edge, _ in before[:-1]:
        assert card(page, edge).evaluate(MARKED), f"the card of {edge} was drawn again"
    assert page.locator("#formula details.heatmap-numbers[open]").count() == 0
    term = watched.term(page.locator("#formula .factors").get_attribute("data-term"))
    assert [edge for edge, _ in after] == [f["edge"] for f in term["factors"]]
    assert watched.errors == []

"""Smaller screens: at 1024x768 (a projector) the panel stays beside the graph; below 1000 px
the page brings the panel into view after each step."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.page.conftest import Watched
from tests.page.helpers import (
    box,
    click_and_wait,
    inside,
    numbers_of,
    open_first_steps,
    open_growing_session,
    press_and_wait,
)


def in_viewport(page, selector: str) -> bool:
    size = page.viewport_size
    return inside(box(page.locator(selector)), {"x": 0, "y": 0, **size})


def test_at_1024_by_768_the_term_is_beside_the_graph(watched: Watched) -> None:
    page = watched.page
    page.set_viewport_size({"width": 1024, "height": 768})
    watched.open("/?preset=seed-3-step")
    for _ in range(3):
        click_and_wait(page, "Forward step", "/forward")
    click_and_wait(page, "Backward step", "/backward")
    graph, panel = box(page.locator(".graph-panel")), box(page.locator(".side-panel"))
    # Beside: to its right, in the same row (the graph stays in the window while the page
    # scrolls the term's value line into view).
    assert panel["x"] >= graph["x"] + graph["width"]
    assert panel["y"] < graph["y"] + graph["height"] and graph["y"] < panel["y"] + panel["height"]
    assert in_viewport(page, ".graph-panel")
    assert in_viewport(page, "#term-value")
    # One column below 1000 px: a step scrolls the panel (and the term's product) into view.
    page.set_viewport_size({"width": 900, "height": 700})
    page.evaluate("window.scrollTo(0, 0)")
    press_and_wait(page, "ArrowRight", "term 2 of")
    assert in_viewport(page, "#term-value")
    assert watched.errors == []


def test_parameter_boxes_stay_at_the_left_while_time_scrolls(watched: Watched) -> None:
    """vanishing at forward t = 20: the graph has scrolled to h_20, W_h's box is still shown."""
    page = watched.page
    watched.open("/?preset=vanishing")
    for _ in range(20):
        click_and_wait(page, "Forward step", "/forward")
    scroller = page.locator(".graph-scroll")
    assert scroller.evaluate("e => e.scrollLeft") > 0
    frame = box(scroller)
    for name in ("W_h", "W_x", "b", "h_20"):
        assert inside(box(page.locator(f"#graph [data-id='{name}'] .node-box")), frame), name
    # Nothing covers the W_h box: the point at its centre belongs to it.
    centre = box(page.locator("#graph [data-id='W_h'] .node-box"))
    hit = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).closest('[data-id]')?.dataset.id",
        [centre["x"] + centre["width"] / 2, centre["y"] + centre["height"] / 2],
    )
    assert hit == "W_h"
    assert watched.errors == []


def test_a_long_term_shows_its_value_first_and_folds_the_recurrent_run(watched: Watched) -> None:
    """exploding cut to its first 16 steps, at backward t = 2, the first term (through l_16):
    its value above the fold. The preset's term at t = 16 through l_30 is the same term: every
    h_t is the fixed point, so k - t = 14 gives the same 14 recurrent factors and numbers."""
    page = watched.page
    open_first_steps(watched, "exploding", 16)
    for _ in range(16):
        click_and_wait(page, "Forward step", "/forward")
    for _ in range(15):
        click_and_wait(page, "Backward step", "/backward")
    assert watched.state()["backward"][-1]["t"] == 2
    term = watched.state()["backward"][-1]["terms"][0]
    recurrent = [f for f in term["factors"] if f["kind"] == "recurrent"]
    assert len(recurrent) == 14
    assert in_viewport(page, "#term-value")
    shown = page.locator("#term-value")
    data = numbers_of(json.loads(shown.get_attribute("data-value")))
    assert data == pytest.approx(numbers_of(term["value"]), rel=1e-12)
    expected = page.evaluate(
        "async v => (await import('/static/js/format.js')).latexValue(v)", term["value"]
    )
    assert shown.locator("annotation").text_content() == expected
    # Two recurrent cards either side of a folded group of the other ten; all reachable.
    cards = page.locator("#formula .factors[data-term] > .factor")
    assert cards.count() == len(term["factors"]) - 10
    group = page.locator("#formula .factor-group")
    assert "10 more" in group.locator("summary").inner_text()
    group.locator("summary").click()
    every = page.locator("#formula .factors[data-term] .factor")
    expect(every).to_have_count(len(term["factors"]))  # the group's cards, drawn as it opens
    assert every.evaluate_all("es => es.map(e => e.dataset.edge)") == [
        f["edge"] for f in term["factors"]
    ]
    assert all(card.is_visible() for card in every.all())
    # Every factor's edge is still lit on the graph in its card's colour.
    for factor in term["factors"]:
        edge = page.locator(f"#graph .edge[data-id='{factor['edge']}']")
        assert "lit" in edge.get_attribute("class"), factor["edge"]
        card = page.locator(f"#formula .factor[data-edge='{factor['edge']}']")
        colour = card.evaluate("e => e.style.getPropertyValue('--factor-colour')")
        assert edge.evaluate("e => e.style.getPropertyValue('--lit-colour')") == colour
    assert watched.errors == []


def test_hidden_states_share_one_colour_scale(watched: Watched) -> None:
    """A linear RNN growing from h_0 = 0 after 20 forward steps: h_20's strongest cell is
    deeper than h_10's."""
    page = watched.page
    watched.open("/")
    open_growing_session(watched)
    for _ in range(20):
        click_and_wait(page, "Forward step", "/forward")
    strongest = """els => Math.max(...els.map(e => {
        const [r, g, b] = e.getAttribute('fill').match(/\\d+/g).map(Number);
        return 765 - r - g - b;
    }))"""
    depth = {
        t: page.locator(f"#graph [data-id='h_{t}'] .heat-cell").evaluate_all(strongest)
        for t in (10, 20)
    }
    assert depth[20] > depth[10]
    forward = watched.state()["forward"]
    largest = max(abs(v) for v in numbers_of(forward[19]["h"]))
    expected = page.evaluate(
        "async v => (await import('/static/js/format.js')).formatNumber(v, 2)", largest
    )
    magnitude = page.locator("#graph [data-id='h_20'] .node-magnitude")
    assert magnitude.text_content() == f"max {expected}"
    assert watched.errors == []

"""The seed graph at the start: inside the window at 1024x768 and 1280x720 without scrolling,
no node under another or off the panel's edge; at 1920x1080 it uses the panel's width."""

from __future__ import annotations

import pytest

from tests.page.conftest import Watched
from tests.page.helpers import box, inside, overlap, press_and_wait

NODE_BOXES = """els => els.map(e =>
    [e.dataset.id, e.querySelector('.node-box').getBoundingClientRect().toJSON()])"""


def node_boxes(watched: Watched) -> dict[str, dict[str, float]]:
    found = watched.page.eval_on_selector_all("#graph .node", NODE_BOXES)
    return {name: {k: r[k] for k in ("x", "y", "width", "height")} for name, r in found}


@pytest.mark.parametrize("size", [(1024, 768), (1280, 720)])
def test_the_seed_graph_fits_the_window_at_the_start(
    watched: Watched, size: tuple[int, int]
) -> None:
    page = watched.page
    width, height = size
    page.set_viewport_size({"width": width, "height": height})
    watched.open("/")
    window = {"x": 0, "y": 0, "width": width, "height": height}
    scroller = page.locator(".graph-scroll")
    assert scroller.evaluate("e => e.scrollWidth <= e.clientWidth && e.scrollLeft === 0")
    assert page.evaluate("window.scrollY") == 0
    panel = box(page.locator(".graph-panel"))
    boxes = node_boxes(watched)
    assert {"h_0", "h_3", "yhat_3", "loss_3", "L", "x_1", "W_h"} <= set(boxes)
    for name, found in boxes.items():
        assert inside(found, window) and inside(found, panel), name
    names = list(boxes)
    for index, first in enumerate(names):
        for second in names[index + 1 :]:
            assert not overlap(boxes[first], boxes[second]), (first, second)
    assert watched.errors == []


def test_at_1920_by_1080_the_graph_uses_the_width(watched: Watched) -> None:
    page = watched.page
    page.set_viewport_size({"width": 1920, "height": 1080})
    watched.open("/")
    scroller = box(page.locator(".graph-scroll"))
    graph = box(page.locator("#graph"))
    assert graph["width"] >= 0.9 * scroller["width"]
    assert inside(
        box(page.locator("#graph [data-id='L'] .node-box")),
        {"x": 0, "y": 0, "width": 1920, "height": 1080},
    )
    label = page.locator("#graph [data-id='h_1'] .node-label")
    assert label.evaluate("e => e.getBoundingClientRect().height") >= 20
    assert watched.errors == []


RESULT = "#formula .term-entry, #formula .step-line[data-result='h'] .result"


@pytest.mark.parametrize("size", [(1280, 720), (1024, 768)])
def test_a_press_brings_its_result_into_view_with_the_controls_when_both_fit(
    watched: Watched, size: tuple[int, int]
) -> None:
    # the first backward term's "so far = before + term" line was at y = 828 (977) below the
    # fold, and after → the page scrolled the buttons and the status off screen; where a term's
    # value line and its entry lines do not fit together, the value line is shown
    page = watched.page
    width, height = size
    page.set_viewport_size({"width": width, "height": height})
    watched.open("/")
    window = {"x": 0, "y": 0, "width": width, "height": height}
    notes = [f"forward step t = {t}," for t in (1, 2, 3)]
    notes += [f"backward step t = 3, term {n} of 4," for n in (1, 2, 3, 4)]
    notes += ["backward step t = 2, term 1 of", "backward step t = 2, term 2 of"]
    both_fitted = 0
    for note in notes:
        press_and_wait(page, "ArrowRight", f"Showing {note}")
        result = box(page.locator(RESULT))
        if note.startswith("backward"):
            # a term: its value line always; down to its entry lines when they fit together
            value = box(page.locator("#formula .term-summary"))
            assert inside(value, window), (note, value)
            if result["y"] + result["height"] - value["y"] > height - 16:
                result = value
        assert inside(result, window), (note, result)
        controls = box(page.locator(".controls"))
        if result["y"] + result["height"] - controls["y"] <= height - 16:
            both_fitted += 1
            assert inside(controls, window), (note, controls)
            assert inside(box(page.locator("#status")), window), note
    assert both_fitted >= 3  # the forward steps' h_t fit under the controls
    assert watched.errors == []


def test_on_a_phone_the_page_fits_the_width_and_the_seed_graph_is_whole(watched: Watched) -> None:
    # at 390x844 the preset picker and "Open preset" made the page 684 px wide, and the seed's
    # graph (421 px) was wider than its panel (354 px): h_3, ŷ_3, ℓ_3 and L were cut off
    page = watched.page
    page.set_viewport_size({"width": 390, "height": 844})
    watched.open("/")
    window = {"x": 0, "y": 0, "width": 390, "height": 844}
    wide = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    assert page.evaluate(wide) <= 0
    assert page.locator(".graph-scroll").evaluate("e => e.scrollWidth <= e.clientWidth")
    boxes = node_boxes(watched)
    assert {"h_0", "h_3", "yhat_3", "loss_3", "L", "x_1", "x_3", "W_h"} <= set(boxes)
    panel = box(page.locator(".graph-panel"))
    for name, found in boxes.items():
        assert inside(found, window) and inside(found, panel), (name, found)
    controls = ("#preset-picker", "#preset-form button", "#forward-button", "#copy-link-button")
    for control in controls:
        assert inside(box(page.locator(control)), window), control
    for note in ("forward step t = 1,", "forward step t = 2,", "forward step t = 3,", "term 1 of"):
        press_and_wait(page, "ArrowRight", note)
        assert page.evaluate(wide) <= 0, note
    assert watched.errors == []

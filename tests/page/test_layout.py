"""What a person sees at 1280x720: nothing overlaps, nothing is clipped, big values stay readable.

Boxes are the browser's own (bounding boxes in page pixels); numbers are checked against the
API's answer for the same session, formatted by the page's own formatter (format.js).
"""

from __future__ import annotations

import json
from typing import Any

from playwright.sync_api import Locator, Page

from tests.page.conftest import Watched
from tests.page.helpers import (
    box,
    formatted,
    inside,
    numbers_of,
    open_editor_session,
    overlap,
    press_and_wait,
    run_epoch,
)

CELL_TITLES = "els => els.map(e => e.dataset.number)"


def assert_heatmap_shows(page: Page, heatmap: Locator, value: Any, shape: str) -> None:
    """A heat map: one cell per number, each cell with the number as the page writes it (in
    the cell when it fits), the shape beside it."""
    assert json.loads(heatmap.get_attribute("data-value")) == value
    titles = heatmap.locator(".heatmap-cell").evaluate_all(CELL_TITLES)
    assert titles == formatted(page, value)
    assert heatmap.locator(".shape").inner_text() == f"({shape})"
    grid = heatmap.locator(".heatmap-grid")
    assert grid.get_attribute("tabindex") == "0"
    label = grid.get_attribute("aria-label")
    assert shape in label and titles[0] in label
    assert not overlap(box(grid), box(heatmap.locator(".shape")))


def assert_param_rail_readable(page: Page) -> None:
    """Each parameter box: label and value side by side inside the box, boxes apart."""
    boxes = []
    names = page.locator("#graph .node-param").evaluate_all("els => els.map(e => e.dataset.id)")
    assert names
    for name in names:
        node = page.locator(f"#graph [data-id='{name}']")
        outline = box(node.locator(".node-box"))
        label = box(node.locator(".node-label"))
        value = box(node.locator(".node-value"))
        assert not overlap(label, value), (name, label, value)
        assert label["x"] + label["width"] <= value["x"], name
        assert inside(label, outline) and inside(value, outline), (name, value, outline)
        boxes.append(outline)
    for index, first in enumerate(boxes):
        for second in boxes[index + 1 :]:
            assert not overlap(first, second)


def test_parameter_values_sit_beside_their_labels(watched: Watched) -> None:
    page = watched.page
    watched.open("/")
    assert_param_rail_readable(page)
    # After an update W_h is 0.80037 (the update's view writes it as its row does): still
    # beside "W_h", not over it.
    run_epoch(page)
    assert page.locator("[data-id='W_h'] .node-number").text_content() == "0.80037"
    assert_param_rail_readable(page)
    # The widest numbers the page writes (four significant digits, exponents).
    params = {
        "W_x": [[-123456.7]],
        "W_h": [[-0.000123456]],
        "b": [-1.234e-12],
        "W_y": [[-0.123456]],
    }
    open_editor_session(watched, params=params | {"h0": [0.0]})
    shown = [page.locator(f"[data-id='{n}'] .node-number").text_content() for n in params]
    assert shown == ["-1.235×10⁵", "-1.235×10⁻⁴", "-1.234×10⁻¹²", "-0.1235"]
    assert_param_rail_readable(page)
    # Matrices (hello: W_h 6×6, W_y 4×6) are heat maps in their own rows and columns.
    watched.open("/?preset=hello")
    assert_param_rail_readable(page)
    rows = page.eval_on_selector_all(
        "[data-id='W_y'] .heat-cell", "els => new Set(els.map(e => e.getAttribute('y'))).size"
    )
    assert rows == 4
    assert watched.errors == []


def test_loss_chart_labels_are_distinct_and_unclipped(watched: Watched) -> None:
    page = watched.page
    chart = page.locator("#loss-chart")

    def ticks() -> list[str]:
        return [t.strip() for t in chart.locator(".chart-tick").all_text_contents()]

    def assert_labels_fit() -> None:
        frame = box(chart)
        for tick in chart.locator(".chart-tick, .chart-note, .chart-mark-label").all():
            assert inside(box(tick), frame), tick.text_content()

    # One epoch: two different y labels, one "epoch 1" under its point; in the update's view
    # the loss its new weights give (L after) at epoch 2.
    watched.open("/")
    run_epoch(page)
    assert page.locator("#loss-chart .chart-point").count() == 1
    labels = ticks()
    assert len(labels) == len(set(labels)) == 4 and {"epoch 1", "epoch 2"} <= set(labels)
    assert_labels_fit()

    # A flat series (learning rate 1e-12, the losses print alike): still two different y labels.
    open_editor_session(watched, learning_rate="1e-12")
    for _ in range(3):
        run_epoch(page)
    losses = watched.state()["loss_history"]
    assert len(losses) == 3 and len(set(formatted(page, losses))) == 1
    labels = ticks()
    assert len(labels) == len(set(labels)) == 4 and {"epoch 1", "epoch 4"} <= set(labels)
    assert_labels_fit()

    # Overflow: exploding's first update overflows; Run epoch then stops (only Start over
    # acts), so the chart keeps its one finite loss, padded to two different labels.
    watched.open("/?preset=exploding")
    run_epoch(page)
    history = watched.state()["loss_history"]
    assert len(history) == 1 and history[0] is not None and watched.state()["diverged"]
    y_labels = [label for label in ticks() if not label.startswith("epoch")]
    assert len(y_labels) == len(set(y_labels)) == 2
    assert f"epoch 1 {formatted(page, history[0])[0]}" in chart.get_attribute("aria-label")
    assert chart.locator(".chart-point").count() == 1
    assert chart.locator(".chart-after").count() == 0  # its L after overflowed: no point
    assert chart.locator("polyline").count() == 0
    assert_labels_fit()
    assert watched.errors == []


def test_big_factors_are_heat_maps_with_their_numbers(watched: Watched) -> None:
    page = watched.page
    watched.open("/?preset=hello")
    for t in (1, 2, 3, 4):
        press_and_wait(page, "ArrowRight", f"Showing forward step t = {t},")
    # The forward view fits its panel: nothing scrolls sideways, h_4 is in view.
    formula = page.locator("#formula")
    assert formula.evaluate("e => e.scrollWidth <= e.clientWidth")
    assert inside(box(page.locator("[data-id='h_4']")), box(page.locator(".graph-scroll")))
    press_and_wait(page, "ArrowRight", "Showing backward step t = 4, term 1 of 5")
    press_and_wait(page, "ArrowRight", "Showing backward step t = 4, term 2 of 5")
    term = watched.state()["backward"][0]["terms"][1]
    assert term["id"] == "W_h:4:4"
    factors = page.locator("#formula .factor")
    for index, factor in enumerate(term["factors"]):
        shape = "×".join(map(str, factor["shape"]))
        shown = factors.nth(index).locator(".value")
        if len(numbers_of(factor["value"])) > 4:
            assert_heatmap_shows(page, shown, factor["value"], shape)
        else:  # small values stay typeset: ∂ℓ_4/∂z_4 is a row of 4 numbers
            assert shown.locator(".katex").count() == 1
    direct = page.locator("#formula .factor-direct .heatmap")
    assert direct.locator(".heatmap-cell").count() == 36
    assert_heatmap_shows(page, page.locator("#term-value"), term["value"], "6×6")
    current = page.locator("#formula .running-item.current .heatmap")
    assert_heatmap_shows(page, current, term["running"], "6×6")
    # The shape opens to a table of all 36 numbers.
    page.locator("#term-value summary").click()
    page.locator("#term-value .heatmap-table tbody td").first.wait_for()  # built when opened
    cells = page.locator("#term-value .heatmap-table tbody td").all_text_contents()
    assert cells == formatted(page, term["value"])
    assert page.locator("#term-value .heatmap-table table").is_visible()
    assert watched.errors == []


def test_a_large_recurrent_factor_shows_the_jacobian_of_its_step(watched: Watched) -> None:
    """H = 10 > 8: the server sends the recurrent factor as null; the page uses the record's
    jacobian at factor.step (t = 3 for the t = 2 terms)."""
    page = watched.page
    watched.open("/")
    open_editor_session(
        watched,
        hidden_size="10",
        mode="many_to_one",
        inputs=[[1], [0.5], [-0.5]],
        targets=[1.0],
        params="",
    )
    for t in (1, 2, 3):
        press_and_wait(page, "ArrowRight", f"Showing forward step t = {t},")
    press_and_wait(page, "ArrowRight", "Showing backward step t = 3, term 1 of")
    page.get_by_role("button", name="Backward step").click()
    page.wait_for_function(
        "() => document.getElementById('view-note').textContent"
        ".includes('backward step t = 2, term 1')"
    )
    state = watched.state()
    record_3, record_2 = state["backward"]
    assert (record_3["t"], record_2["t"]) == (3, 2)
    for index, term in enumerate(record_2["terms"]):
        if index:
            press_and_wait(page, "ArrowRight", f"t = 2, term {index + 1} of")
        (recurrent,) = [f for f in term["factors"] if f["kind"] == "recurrent"]
        assert recurrent["value"] is None and recurrent["step"] == 3
        shown = page.locator("#formula .factor-recurrent .value")
        assert shown.get_attribute("data-source") == "jacobian:3"
        assert shown.locator(".heatmap-cell").count() == 100
        assert_heatmap_shows(page, shown, record_3["jacobian"], "10×10")
    # Walking back and forth uses the records the page holds: same numbers, no request (but
    # what the next backward step would answer, asked for ahead at the latest view).
    before = len(watched.requests)
    press_and_wait(page, "ArrowLeft", "t = 2, term 2 of")
    shown = page.locator("#formula .factor-recurrent .value")
    assert_heatmap_shows(page, shown, record_3["jacobian"], "10×10")
    assert [url for url in watched.requests[before:] if "/backward/preview" not in url] == []
    assert watched.errors == []


def test_update_and_forward_views_fit_at_1280_by_720(watched: Watched) -> None:
    page = watched.page
    for preset, steps in (("hello", 4), ("vanishing", 20)):
        watched.open(f"/?preset={preset}")
        for t in range(1, steps + 1):
            press_and_wait(page, "ArrowRight", f"Showing forward step t = {t},")
        # The step being shown is in view even when the graph scrolls (T = 20).
        graph = box(page.locator(".graph-scroll"))
        assert inside(box(page.locator(f"[data-id='h_{steps}']")), graph)
        assert page.locator("#formula").evaluate("e => e.scrollWidth <= e.clientWidth")
        page.get_by_role("button", name="Run epoch").click()
        page.wait_for_function(
            "() => document.getElementById('view-note').textContent.includes('update')"
        )
        panel = box(page.locator("#formula"))
        assert page.locator("#formula").evaluate("e => e.scrollWidth <= e.clientWidth")
        update = watched.state()["last_update"]
        for name in update["params_new"]:
            row = page.locator(f".update-row[data-param='{name}']")
            parts = [box(part) for part in row.locator(".update-part").all()]
            assert len(parts) == 3
            for index, part in enumerate(parts):
                assert inside(part, panel), (preset, name)
                for other in parts[index + 1 :]:
                    assert not overlap(part, other), (preset, name)
            new = row.locator(".param-new")
            assert json.loads(new.get_attribute("data-value")) == update["params_new"][name]
        # The parameter rails are in view again and show the new weights.
        assert inside(box(page.locator("[data-id='W_h']")), box(page.locator(".graph-scroll")))
        assert_param_rail_readable(page)
    assert watched.errors == []


def test_lstm_rows_rails_and_gates_fit(watched: Watched) -> None:
    """The LSTM: h_t and c_t rows, thirteen parameter boxes on their rails, nothing overlapping;
    the forward view's gate strip fits its panel, one gate beside the next."""
    page = watched.page
    watched.open("/?preset=lstm-remembers")
    assert_param_rail_readable(page)
    assert page.locator("#graph .node-param").count() == 13
    boxes = [box(node.locator(".node-box")) for node in page.locator("#graph .node").all()]
    for index, first in enumerate(boxes):
        for second in boxes[index + 1 :]:
            assert not overlap(first, second), (first, second)
    h_1, c_1 = (box(page.locator(f"[data-id='{s}_1'] .node-box")) for s in ("h", "c"))
    assert c_1["y"] > h_1["y"] + h_1["height"] and c_1["x"] == h_1["x"]
    for t in (1, 2):
        press_and_wait(page, "ArrowRight", f"Showing forward step t = {t},")
    panel = box(page.locator("#formula"))
    gates = [box(gate) for gate in page.locator("#formula .gate").all()]
    assert len(gates) == 4
    for index, gate in enumerate(gates):
        assert inside(gate, panel)
        for other in gates[index + 1 :]:
            assert not overlap(gate, other)
    assert page.locator("#formula").evaluate("e => e.scrollWidth <= e.clientWidth")
    # The cell state's values are on its nodes: c_2 is computed, c_3 not yet.
    assert "not computed" not in page.locator("[data-id='c_2']").get_attribute("aria-label")
    assert "not computed" in page.locator("[data-id='c_3']").get_attribute("aria-label")
    assert_param_rail_readable(page)
    assert watched.errors == []

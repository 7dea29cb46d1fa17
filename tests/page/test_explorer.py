"""The explorer as a person uses it: walk the seed example, revisit, diverge, edit a scenario.

Every number the page shows is checked against the API's own answer for the same session.
"""

from __future__ import annotations

import json
import math
from itertools import pairwise

from tests.page.conftest import Watched
from tests.page.helpers import (
    assert_close,
    click_and_wait,
    latex_number,
    lit_ids,
    path_ids,
    press_and_wait,
    run_epoch,
    shown_values,
    single,
    wait_for_status,
)


def test_walk_the_seed_example(watched: Watched) -> None:
    page = watched.page
    watched.open("/")
    assert page.evaluate("document.body.dataset.preset") == "seed-3-step"

    # Forward x3: the step's path is lit and the equation shows h_t's number.
    for t in (1, 2, 3):
        press_and_wait(page, "ArrowRight", f"Showing forward step t = {t},")
        record = watched.state()["forward"][t - 1]
        assert lit_ids(page) == path_ids(record["path"])
        assert page.locator(f"[data-id='h_{t}'] .node-number").text_content() != "·"
        result = page.locator("#formula .result annotation").text_content()
        assert_close(latex_number(result.rsplit("=", 1)[-1]), record["h"])
    assert page.get_by_role("status").inner_text() == watched.state()["status"]

    # Backward x3, every term: lit path = term.path, factor values and product = the API's.
    for t in (3, 2, 1):
        press_and_wait(page, "ArrowRight", f"Showing backward step t = {t}, term 1 of")
        state = watched.state()
        record = state["backward"][-1]
        assert record["t"] == t and record["terms"]
        for index, term in enumerate(record["terms"]):
            if index:
                press_and_wait(page, "ArrowRight", f"t = {t}, term {index + 1} of")
            assert lit_ids(page) == path_ids(term["path"])
            factors = shown_values(page, "#formula .factor > .value")
            assert [value for value, _ in factors] == [f["value"] for f in term["factors"]]
            for (_, shown), factor in zip(factors, term["factors"], strict=True):
                assert_close(shown, factor["value"])
            ((product, shown_product),) = shown_values(page, "#term-value")
            assert product == term["value"]
            assert_close(shown_product, term["value"])
            ((running, _),) = shown_values(page, "#formula .running-item.current .value")
            assert running == term["running"]
            if any(f["kind"] == "direct" for f in term["factors"]):
                assert "direct partial" in page.locator("#formula .direct-label").inner_text()
        # Clicking a term in the list lights that term's path.
        page.locator("#term-list button").first.click()
        assert lit_ids(page) == path_ids(record["terms"][0]["path"])
        page.locator("#term-list button").last.click()

    # After t = 1 the running sums are the full gradients.
    final = watched.state()["backward"][-1]
    for name, gradient in final["grads"].items():
        ((running, _),) = shown_values(page, f"#formula .running-item[data-param='{name}'] .value")
        assert math.isclose(single(running), single(gradient), rel_tol=1e-12, abs_tol=1e-15)

    # ArrowLeft revisits what the page already holds: no request at all.
    before = len(watched.requests)
    press_and_wait(page, "ArrowLeft", "Showing backward step t = 1, term 2 of")
    press_and_wait(page, "ArrowLeft", "Showing backward step t = 1, term 1 of")
    press_and_wait(page, "ArrowLeft", "Showing backward step t = 2, term 3 of")
    assert lit_ids(page) == path_ids(watched.state()["backward"][1]["terms"][2]["path"])
    page.wait_for_timeout(200)
    assert watched.requests[before:] == []
    for _ in range(3):
        page.keyboard.press("ArrowRight")

    # Update: every new weight shown equals the API's params_new.
    page.get_by_role("button", name="Update weights").click()
    page.wait_for_function(
        "() => document.getElementById('view-note').textContent.includes('update')"
    )
    update = watched.state()["last_update"]
    shown = page.eval_on_selector_all(
        ".param-new", "els => els.map(e => [e.dataset.param, JSON.parse(e.dataset.value)])"
    )
    assert dict(shown) == update["params_new"]
    for value, number in shown_values(page, ".param-new"):
        assert_close(number, value)
    assert page.locator("#loss-chart .chart-point").count() == 1  # one epoch completed
    assert "L before" in page.locator("#formula").inner_text()
    assert "L after" in page.locator("#formula").inner_text()

    assert watched.errors == []
    assert watched.foreign_requests() == []


def test_exploding_preset_says_where_it_diverged(watched: Watched) -> None:
    page = watched.page
    watched.open("/?preset=exploding")
    trained = run_epoch(page)  # epoch 1's update leaves weights that are not numbers
    # The train answer names the first step that overflowed; the page shows its sentence.
    message = trained["diverged"]["message"]
    banner = page.locator("#diverged-banner")
    assert banner.is_visible()
    assert banner.locator(".diverged-message").inner_text() == message
    assert "clip_norm" in banner.inner_text()  # the way out, named
    # Another epoch cannot act: the button is off and says why (no request made).
    run = page.get_by_role("button", name="Run epoch", exact=True)
    assert run.is_disabled() and "Start over" in run.get_attribute("title")
    # The views of what was computed stay open, in words, never NaN.
    page.keyboard.press("ArrowLeft")
    text = page.locator("body").inner_text()
    for word in ("NaN", "null", "Infinity", "undefined"):
        assert word not in text
    # Start over: from the fixed point, every forward step is finite again.
    click_and_wait(page, "Start over", "/reset")
    for _ in range(3):
        record = click_and_wait(page, "Forward step", "/forward")
        assert record["diverged"] is None
    assert watched.errors == []
    assert watched.foreign_requests() == []


def test_preset_from_the_address(watched: Watched) -> None:
    page = watched.page
    watched.open("/?preset=hello")
    state = watched.state()
    assert state["preset"] == "hello"
    assert page.locator("#preset-picker").input_value() == "hello"
    assert page.locator("[data-id='x_4']").count() == 1
    assert page.locator("[data-id='x_5']").count() == 0
    # Vectors are heat strips, each cell with its number on hover.
    assert page.locator("[data-id='W_h'] .heat-cell").count() == 36
    press_and_wait(page, "ArrowRight", "Showing forward step t = 1,")
    assert page.locator("[data-id='h_1'] .heat-cell").count() == 6
    assert "h_1 = [" in page.locator("[data-id='h_1']").get_attribute("aria-label")
    assert watched.errors == []


def test_long_wide_scenario_scrolls_and_stays_in_words(watched: Watched) -> None:
    """T = 50 and H = 32: the graph scrolls sideways, vectors are heat strips, no errors."""
    page = watched.page
    watched.open("/")
    page.get_by_text("Scenario editor").click()
    editor = page.locator("#editor")
    editor.locator("[name='hidden_size']").fill("32")
    editor.locator("[name='inputs']").fill(json.dumps([[0.1 * (t % 5)] for t in range(50)]))
    editor.locator("[name='targets']").fill("[1.0]")  # many-to-one: one target at T
    editor.locator("[name='params']").fill("")
    page.get_by_role("button", name="Create session").click()
    page.wait_for_function("() => document.querySelector(\"[data-id='x_50']\") !== null")
    scroll = page.locator(".graph-scroll")
    assert scroll.evaluate("e => e.scrollWidth > e.clientWidth")
    assert page.locator("[data-id='h_0'] .heat-cell").count() == 32
    press_and_wait(page, "ArrowRight", "Showing forward step t = 1,")
    assert page.locator("[data-id='h_1'] .heat-cell").count() == 32
    assert watched.errors == []


def test_tab_walks_the_graph_in_reading_order(watched: Watched) -> None:
    page = watched.page
    watched.open("/")
    places = page.eval_on_selector_all(
        "#graph [data-id][tabindex='0']",
        "nodes => nodes.map(n => { const r = n.getBoundingClientRect(); return [r.top, r.left]; })",
    )
    rows = [round(top) for top, _ in places]
    assert rows == sorted(rows)  # top to bottom
    for (top, left), (next_top, next_left) in pairwise(places):
        if round(top) == round(next_top):
            assert left < next_left  # then left to right


def test_quick_presses_are_queued_not_dropped(watched: Watched) -> None:
    page = watched.page
    watched.open("/")
    before = len(watched.calls)
    for _ in range(6):  # forward x3, backward t = 3, then its second and third terms
        page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "() => document.getElementById('view-note').textContent.includes('t = 3, term 3 of 4')"
    )
    posts = [url for method, url in watched.calls[before:] if method == "POST"]
    assert [url.split("?")[0].rsplit("/", 1)[-1] for url in posts] == ["forward"] * 3 + ["backward"]
    state = watched.state()
    wait_for_status(page, state["status"])
    assert (state["phase"], len(state["backward"])) == ("backward", 1)

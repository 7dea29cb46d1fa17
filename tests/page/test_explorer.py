"""The explorer as a person uses it: walk the seed example, revisit, diverge, edit a scenario.

Every number the page shows is checked against the API's own answer for the same session.
"""

from __future__ import annotations

import json
import math
from typing import Any

from playwright.sync_api import Page

from tests.page.conftest import Watched

LIT_NODES = "els => els.map(e => e.dataset.id)"


def lit_ids(page: Page) -> tuple[set[str], set[str]]:
    """The graph ids the page has lit, read from the DOM."""
    nodes = page.eval_on_selector_all("#graph .node.lit", LIT_NODES)
    edges = page.eval_on_selector_all("#graph .edge.lit", LIT_NODES)
    return set(nodes), set(edges)


def path_ids(path: dict[str, list[str]]) -> tuple[set[str], set[str]]:
    return set(path["nodes"]), set(path["edges"])


def press_and_wait(page: Page, key: str, note: str) -> None:
    """Press a key and wait until the page says it shows `note`."""
    page.keyboard.press(key)
    page.wait_for_function(
        "note => document.getElementById('view-note').textContent.includes(note)", arg=note
    )


def shown_values(page: Page, selector: str) -> list[tuple[Any, float | None]]:
    """For each typeset value: the JSON it was drawn from and the number KaTeX shows."""
    script = """els => els.map(e => [e.dataset.value,
        e.querySelector('annotation') ? e.querySelector('annotation').textContent : null])"""
    pairs = page.eval_on_selector_all(selector, script)
    return [(json.loads(value), latex_number(latex)) for value, latex in pairs]


def latex_number(latex: str | None) -> float | None:
    """1.23 \\times 10^{-5} or -0.3949 as a float (None for matrices and shapes)."""
    if latex is None:
        return None
    text = latex.replace(" \\times 10^{", "e").replace("}", "").strip()
    try:
        return float(text)
    except ValueError:
        return None


def single(value: Any) -> float:
    while isinstance(value, list):
        (value,) = value
    return value


def assert_close(shown: float | None, exact: Any) -> None:
    assert shown is not None
    assert math.isclose(shown, single(exact), rel_tol=2e-3, abs_tol=1e-12), (shown, exact)


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
            factors = shown_values(page, "#formula .factor .value")
            assert [value for value, _ in factors] == [f["value"] for f in term["factors"]]
            for (_, shown), factor in zip(factors, term["factors"], strict=True):
                assert_close(shown, factor["value"])
            ((product, shown_product),) = shown_values(page, "#term-value")
            assert product == term["value"]
            assert_close(shown_product, term["value"])
            ((running, _),) = shown_values(page, ".running-item.current .value")
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
        ((running, _),) = shown_values(page, f".running-item[data-param='{name}'] .value")
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
    page.wait_for_function("document.getElementById('view-note').textContent.includes('update')")
    update = watched.state()["last_update"]
    shown = page.eval_on_selector_all(
        ".param-new", "els => els.map(e => [e.dataset.param, JSON.parse(e.dataset.value)])"
    )
    assert dict(shown) == update["params_new"]
    for value, number in shown_values(page, ".param-new"):
        assert_close(number, value)
    assert page.locator("#loss-chart circle").count() == 1
    assert "Loss before" in page.locator("#formula").inner_text()

    assert watched.errors == []
    assert watched.foreign_requests() == []


def test_exploding_preset_says_where_it_diverged(watched: Watched) -> None:
    page = watched.page
    watched.open("/?preset=exploding")
    for epoch in (1, 2):
        with page.expect_response(lambda response: response.url.endswith("/train")) as trained:
            page.get_by_role("button", name="Run epoch").click()
        page.wait_for_function(
            "n => document.getElementById('status').textContent.includes('epoch ' + n)",
            arg=epoch + 1,
        )
    # The train answer names the first step that overflowed; the page shows its sentence.
    message = trained.value.json()["diverged"]["message"]
    banner = page.locator("#diverged-banner")
    assert banner.is_visible()
    assert banner.inner_text() == message
    # One more epoch and a forward step with the overflowed weights: still words, not NaN.
    page.get_by_role("button", name="Run epoch").click()
    page.wait_for_function("document.getElementById('status').textContent.includes('epoch 4')")
    page.get_by_role("button", name="Forward step").click()
    page.wait_for_function("document.getElementById('view-note').textContent.includes('forward')")
    forward = watched.state()["forward"][0]
    assert forward["diverged"] is not None
    assert page.locator("#formula .diverged").inner_text() == forward["diverged"]["message"]
    text = page.locator("body").inner_text()
    for word in ("NaN", "null", "Infinity", "undefined"):
        assert word not in text
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


def test_editor_shows_the_api_message_beside_the_field(watched: Watched) -> None:
    page = watched.page
    watched.open("/")
    page.get_by_text("Scenario editor").click()
    page.locator("#editor [name='hidden_size']").fill("0")
    page.get_by_role("button", name="Create session").click()
    error = page.locator("[data-error-for='hidden_size']")
    error.wait_for(state="visible")
    page.wait_for_function(
        "document.querySelector(\"[data-error-for='hidden_size']\").textContent !== ''"
    )
    assert "greater than or equal to 1" in error.inner_text()
    assert page.locator("#editor [name='hidden_size']").get_attribute("aria-invalid") == "true"
    # A valid edit opens a new session with it.
    old_session = watched.session_id
    page.locator("#editor [name='hidden_size']").fill("3")
    page.locator("#editor [name='params']").fill("")
    page.get_by_role("button", name="Create session").click()
    page.wait_for_function("id => document.body.dataset.sessionId !== id", arg=old_session)
    assert watched.state()["config"]["hidden_size"] == 3
    assert error.inner_text() == ""
    assert watched.foreign_requests() == []


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
    page.wait_for_function("document.querySelector(\"[data-id='x_50']\") !== null")
    scroll = page.locator(".graph-scroll")
    assert scroll.evaluate("e => e.scrollWidth > e.clientWidth")
    assert page.locator("[data-id='h_0'] .heat-cell").count() == 32
    press_and_wait(page, "ArrowRight", "Showing forward step t = 1,")
    assert page.locator("[data-id='h_1'] .heat-cell").count() == 32
    assert watched.errors == []

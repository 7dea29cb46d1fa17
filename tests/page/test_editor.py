"""The scenario editor: the server's messages beside their fields, named as the server names
them; the form's own problems all at once; sizes that change empty the weights box."""

from __future__ import annotations

from playwright.sync_api import Locator

from tests.page.conftest import Watched
from tests.page.helpers import box, press_and_wait


def error_for(editor: Locator, name: str) -> Locator:
    return editor.locator(f"[data-error-for='{name}']")


def test_editor_shows_the_api_message_beside_the_field(watched: Watched) -> None:
    page = watched.page
    watched.open("/")
    page.get_by_text("Scenario editor").click()
    # τ = 0: only the server checks it; its message beside the field, named as labelled.
    page.locator("#editor [name='truncation']").fill("0")
    page.get_by_role("button", name="Create session").click()
    error = page.locator("[data-error-for='truncation']")
    error.wait_for(state="visible")
    page.wait_for_function(
        "() => document.querySelector(\"[data-error-for='truncation']\").textContent !== ''"
    )
    assert error.inner_text() == "truncation τ: Input should be greater than or equal to 1"
    assert page.locator("#editor [name='truncation']").get_attribute("aria-invalid") == "true"
    # A valid edit opens a new session with it.
    old_session = watched.session_id
    page.locator("#editor [name='truncation']").fill("")
    page.locator("#editor [name='hidden_size']").fill("3")
    page.locator("#editor [name='params']").fill("")
    page.get_by_role("button", name="Create session").click()
    page.wait_for_function("id => document.body.dataset.sessionId !== id", arg=old_session)
    assert watched.state()["config"]["hidden_size"] == 3
    assert error.inner_text() == ""
    assert page.locator("#preset-picker option:checked").inner_text() == "Custom scenario"
    # The page goes back to the top with focus on the graph: → steps the new session in view.
    page.wait_for_function("() => window.scrollY === 0")
    assert page.evaluate("document.activeElement.id") == "graph-panel"
    press_and_wait(page, "ArrowRight", "forward step t = 1")
    h1 = box(page.locator("#graph [data-id='h_1']"))
    assert h1["y"] >= 0 and h1["y"] + h1["height"] <= page.viewport_size["height"]
    assert watched.foreign_requests() == []


def test_sizes_empty_the_weights_and_every_message_names_its_field(watched: Watched) -> None:
    page = watched.page
    watched.open("/")
    page.get_by_text("Scenario editor").click()
    editor = page.locator("#editor")
    weights = editor.locator("[name='params']")
    old_weights = weights.input_value()
    assert "W_x" in old_weights
    # H 1 -> 2: the 1x1 weights no longer fit, so the box empties and says why.
    editor.locator("[name='hidden_size']").fill("2")
    editor.locator("[name='hidden_size']").press("Tab")
    assert weights.input_value() == ""
    note = editor.locator("[data-note-for='params']").inner_text()
    assert "weights box was emptied" in note and "seed 0" in note
    # Put the old weights back: the server's message names the parameter (weights, W_x).
    weights.fill(old_weights)
    with page.expect_response(lambda r: r.url.endswith("/api/sessions")) as answer:
        page.get_by_role("button", name="Create session").click()
    assert answer.value.status == 422
    detail = answer.value.json()["detail"]
    server = "\n".join(  # one message per line, the field named as the editor labels it
        f"weights, {', '.join(item['loc'][2:])}: {item['msg']}"
        for item in detail
        if item["loc"][:2] == ["body", "params"]
    )
    assert server.startswith("weights, W_x: must have shape")
    page.wait_for_function(
        "() => document.querySelector(\"[data-error-for='params']\").textContent !== ''"
    )
    assert error_for(editor, "params").inner_text() == server
    # Two problems the form sees itself: both shown, no request, the server's message kept.
    editor.locator("[name='inputs']").fill("[[1], [0.5")
    editor.locator("[name='learning_rate']").fill("0x10")  # Number() would read 16
    before = len(watched.calls)
    page.get_by_role("button", name="Create session").click()
    page.wait_for_function(
        "() => document.querySelector(\"[data-error-for='inputs']\").textContent !== ''"
    )
    assert error_for(editor, "inputs").inner_text() == "inputs: is not valid JSON"
    assert error_for(editor, "learning_rate").inner_text() == (
        "learning rate η: must be a decimal number"
    )
    assert error_for(editor, "params").inner_text() == server
    for name in ("inputs", "learning_rate", "params"):
        assert editor.locator(f"[name='{name}']").get_attribute("aria-invalid") == "true"
    assert [m for m, _ in watched.calls[before:] if m == "POST"] == []
    # Fixed, with the weights box blank: a session with H = 2, every message gone.
    old_session = watched.session_id
    editor.locator("[name='inputs']").fill("[[1], [0.5], [-0.5]]")
    editor.locator("[name='learning_rate']").fill("0.001")
    weights.fill("")
    page.get_by_role("button", name="Create session").click()
    page.wait_for_function("id => document.body.dataset.sessionId !== id", arg=old_session)
    assert watched.state()["config"]["hidden_size"] == 2
    assert set(editor.locator(".field-error").all_inner_texts()) == {""}
    assert [e for e in watched.errors if "status of 422" not in e] == []  # the 422 is logged

"""The scenario editor: what it can check itself it checks before any request, each sentence
beside its field in the editor's labels with the rule; the server's 422s in the same words;
sizes that change empty the weights box."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Locator, Page, Route

from tests.page.conftest import Watched
from tests.page.helpers import box, press_and_wait


def error_for(editor: Locator, name: str) -> Locator:
    return editor.locator(f"[data-error-for='{name}']")


def posts(watched: Watched) -> list[str]:
    return [
        url for method, url in watched.calls if method == "POST" and url.endswith("/api/sessions")
    ]


def create_and_read(page: Page, name: str) -> str:
    """Press Create session; the message beside `name` once there is one."""
    page.evaluate(f"document.querySelector(\"[data-error-for='{name}']\").textContent = ''")
    page.get_by_role("button", name="Create session").click()
    page.wait_for_function(
        f"() => document.querySelector(\"[data-error-for='{name}']\").textContent !== ''"
    )
    return page.locator(f"#editor [data-error-for='{name}']").inner_text()


def post_json(url: str, body: dict[str, Any]) -> tuple[int, Any]:
    """The API's answer to `body`, asked by the test itself (not through the page)."""
    data = json.dumps(body).encode()
    request = urllib.request.Request(url, data, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def changing(path: list[str], value: Any) -> Callable[[Route], None]:
    """A route handler that sets the body's field at `path` to `value` on its way out."""

    def change(route: Route) -> None:
        body = json.loads(route.request.post_data or "{}")
        inner = body
        for part in path[:-1]:
            inner = inner.setdefault(part, {})
        inner[path[-1]] = value
        route.continue_(post_data=json.dumps(body))

    return change


def test_the_editor_checks_each_rule_itself_before_any_request(watched: Watched) -> None:
    page = watched.page
    watched.open("/")
    page.get_by_text("Scenario editor").click()
    editor = page.locator("#editor")
    before, session, created = watched.state(), watched.session_id, len(posts(watched))
    steps = "Inputs: must be a list of T >= 1 time steps, each a list of d = 1 numbers"
    cases = [
        ("learning_rate", "-1", "Learning rate η: must be greater than 0"),
        ("truncation", "0", "Truncation τ: must be at least 1"),
        ("hidden_size", "0", "Hidden size H: must be at least 1"),
        ("clip_norm", "0", "Clip norm: must be greater than 0"),
        ("seed", "-1", "Seed: must be at least 0 and at most 4294967295"),
        ("inputs", "[[1, 2]]", f"{steps} (got shape (1, 2))"),
        ("inputs", "[]", f"{steps} (got shape (0,))"),
        ("targets", "[1, 0]", "Targets: must have shape (1,) for many_to_one, not (2,)"),
    ]
    for name, value, sentence in cases:
        field = editor.locator(f"[name='{name}']")
        kept = field.input_value()
        field.fill(value)
        assert create_and_read(page, name) == sentence, name
        assert field.get_attribute("aria-invalid") == "true"
        slot = error_for(editor, name)
        assert field.get_attribute("aria-describedby") == slot.get_attribute("id")
        assert slot.is_visible()
        field.fill(kept)
    # A weight the chosen cell does not have: named, with the cell's own (the session's).
    field = editor.locator("[name='params']")
    field.fill(json.dumps({**before["params"], "W_q": [[1.0]]}))
    sentence = create_and_read(page, "params")
    start = "Weights: W_q is not a weight of the elman cell (its weights: "
    assert sentence.startswith(start) and sentence.endswith(")")
    assert sorted(sentence[len(start) : -1].split(", ")) == sorted(before["params"])
    # The cell changed to gru, an Elman weight pasted: named, and every missing one in a line.
    editor.locator("[name='cell']").select_option("gru")
    field.fill(json.dumps({"W_x": [[1.0]]}))
    first, second = create_and_read(page, "params").split("\n")
    gru = "Weights: W_x is not a weight of the gru cell (its weights: "
    assert first.startswith(gru)
    gru_weights = first[len(gru) : -1].split(", ")
    assert "W_x" not in gru_weights and "W_xz" in gru_weights
    missing = [name for name in gru_weights if name != "h0"]  # h0 may be left out
    assert second == "Weights: missing " + ", ".join(
        f"{name} (1,)" if name.startswith("b") else f"{name} (1, 1)" for name in missing
    )
    assert len(posts(watched)) == created
    assert watched.session_id == session and watched.state() == before
    assert watched.errors == []


def test_server_422s_are_shown_in_the_editors_words(watched: Watched) -> None:
    """Bodies the editor would refuse, changed on their way out: the server's sentence beside
    the field is the one the editor gives itself."""
    page = watched.page
    watched.open("/")
    page.get_by_text("Scenario editor").click()
    editor = page.locator("#editor")
    session = watched.session_id
    cases = [
        ("learning_rate", ["config", "learning_rate"], -1, "-1"),
        ("truncation", ["config", "truncation"], 0, "0"),
        ("params", ["params", "W_q"], [[1.0]], None),
    ]
    for name, path, value, typed in cases:
        field = editor.locator(f"[name='{name}']")
        kept = field.input_value()
        if typed is None:  # the editor's own sentence: the weights with W_q added
            field.fill(json.dumps({**json.loads(kept), path[-1]: value}))
        else:
            field.fill(typed)
        own = create_and_read(page, name)
        field.fill(kept)

        page.route("**/api/sessions", changing(path, value))
        with page.expect_response(lambda r: r.url.endswith("/api/sessions")) as answer:
            shown = create_and_read(page, name)
        page.unroute("**/api/sessions")
        assert answer.value.status == 422
        assert "Input should" not in shown and "Extra inputs" not in shown
        assert shown == own, name
    assert watched.session_id == session
    assert [e for e in watched.errors if "status of 422" not in e] == []  # the 422s are logged


def test_a_valid_edit_opens_a_new_session_in_view(watched: Watched) -> None:
    page = watched.page
    watched.open("/")
    page.get_by_text("Scenario editor").click()
    old_session = watched.session_id
    page.locator("#editor [name='hidden_size']").fill("3")
    page.locator("#editor [name='params']").fill("")
    page.get_by_role("button", name="Create session").click()
    page.wait_for_function("id => document.body.dataset.sessionId !== id", arg=old_session)
    assert watched.state()["config"]["hidden_size"] == 3
    assert set(page.locator("#editor .field-error").all_inner_texts()) == {""}
    assert page.locator("#preset-picker option:checked").inner_text() == "Custom scenario"
    # The page goes back to the top with focus on the graph: → steps the new session in view.
    page.wait_for_function("() => window.scrollY === 0")
    assert page.evaluate("document.activeElement.id") == "graph-panel"
    press_and_wait(page, "ArrowRight", "forward step t = 1")
    h1 = box(page.locator("#graph [data-id='h_1']"))
    assert h1["y"] >= 0 and h1["y"] + h1["height"] <= page.viewport_size["height"]
    assert watched.foreign_requests() == []


def test_sizes_empty_the_weights_and_the_shapes_are_checked_before_any_request(
    watched: Watched,
) -> None:
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
    # The old weights back: every wrong shape, one a line; the first as the server words it.
    weights.fill(old_weights)
    before = len(watched.calls)
    lines = create_and_read(page, "params").split("\n")
    state = watched.state()
    body = {
        "config": {**state["config"], "hidden_size": 2},
        **{name: state[name] for name in ("inputs", "targets", "seed")},
        "params": json.loads(old_weights),
    }
    status, answer = post_json(f"{watched.base_url}/api/sessions", body)
    assert status == 422
    server = answer["detail"][0]
    assert lines[0] == f"Weights, {server['loc'][-1]}: {server['msg']}"
    assert sorted(line.split(":")[0] for line in lines) == sorted(
        f"Weights, {name}" for name in json.loads(old_weights)
    )
    # Two more problems: all shown at once, no request.
    editor.locator("[name='inputs']").fill("[[1], [0.5")
    editor.locator("[name='learning_rate']").fill("0x10")  # Number() would read 16
    page.get_by_role("button", name="Create session").click()
    page.wait_for_function(
        "() => document.querySelector(\"[data-error-for='inputs']\").textContent !== ''"
    )
    assert error_for(editor, "inputs").inner_text() == "Inputs: is not valid JSON"
    assert error_for(editor, "learning_rate").inner_text() == (
        "Learning rate η: must be a decimal number"
    )
    assert error_for(editor, "params").inner_text().split("\n") == lines
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
    assert watched.errors == []

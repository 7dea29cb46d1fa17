"""States said once and truly: an unknown preset, the editor's own checks and its field
names, the buttons after an overflow, the status after the forward pass."""

from __future__ import annotations

import json
import urllib.request

from tests.page.conftest import Watched
from tests.page.helpers import click_and_wait, run_epoch

STEP_BUTTONS = ("Forward step", "Backward step", "Update weights", "Run epoch", "Reset")


def test_an_unknown_preset_says_so_and_lists_the_presets(watched: Watched) -> None:
    page = watched.page
    page.goto(watched.base_url + "/?preset=nope")
    page.wait_for_selector("#formula .unknown-preset")
    assert "There is no preset called “nope”" in page.locator("#formula").inner_text()
    with urllib.request.urlopen(watched.base_url + "/api/presets") as response:
        presets = json.load(response)
    presets = presets if isinstance(presets, list) else presets["presets"]
    links = page.locator("#formula .preset-list a")
    assert links.evaluate_all("els => els.map(e => e.textContent)") == [p["title"] for p in presets]
    for name in (*STEP_BUTTONS, "Start over"):
        button = page.get_by_role("button", name=name, exact=True)
        assert button.is_disabled(), name
        assert button.get_attribute("title") == "No session yet: choose a preset."
    assert not [call for call in watched.calls if call[0] == "POST"]
    links.first.click()
    page.wait_for_function("() => document.body.dataset.sessionId")
    assert page.get_by_role("button", name="Forward step").is_enabled()
    assert watched.errors == []


def open_editor(watched: Watched) -> None:
    watched.open("/")
    watched.page.get_by_text("Scenario editor").click()


def test_the_editor_checks_what_it_can_before_any_request(watched: Watched) -> None:
    page = watched.page
    open_editor(watched)
    editor = page.locator("#editor")
    posts = len([call for call in watched.calls if call[0] == "POST"])
    editor.locator("[name='hidden_size']").fill("0")
    editor.locator("[name='params']").fill('{"W_\\"h": [[0.8]]}')
    page.get_by_role("button", name="Create session").click()
    hidden = editor.locator("[data-error-for='hidden_size']").inner_text()
    assert hidden == "hidden size H: must be at least 1"
    weights = editor.locator("[data-error-for='params']").inner_text()
    assert weights.startswith("weights: ") and '"W_\\"h" is not a weight\'s name' in weights
    assert len([call for call in watched.calls if call[0] == "POST"]) == posts
    # what only the server can check comes back named as the editor labels the field
    editor.locator("[name='hidden_size']").fill("1")
    editor.locator("[name='params']").fill("")
    editor.locator("[name='learning_rate']").fill("-1")
    with page.expect_response(lambda r: r.url.endswith("/api/sessions") and r.status == 422):
        page.get_by_role("button", name="Create session").click()
    rate = editor.locator("[data-error-for='learning_rate']")
    rate.wait_for()
    page.wait_for_function(
        "() => document.querySelector(\"[data-error-for='learning_rate']\").textContent"
    )
    assert rate.inner_text().startswith("learning rate η: ")
    assert "config." not in editor.inner_text()
    # the browser logs the 422 itself; the page throws nothing
    assert [e for e in watched.errors if "status of 422" not in e] == []


def test_after_an_overflow_only_start_over_acts(watched: Watched) -> None:
    page = watched.page
    watched.open("/?preset=exploding")
    for _ in range(5):
        if watched.state()["diverged"]:
            break
        run_epoch(page)
    assert watched.state()["diverged"]
    for name in STEP_BUTTONS:
        button = page.get_by_role("button", name=name, exact=True)
        assert button.is_disabled(), name
        assert "only “Start over” goes on" in button.get_attribute("title")
    assert "only “Start over” goes on" in page.locator("#buttons-why").inner_text()
    assert page.get_by_role("button", name="Start over").is_enabled()
    page.keyboard.press("ArrowLeft")  # the views of what was computed stay open
    click_and_wait(page, "Start over", "/reset")
    assert page.get_by_role("button", name="Forward step").is_enabled()
    assert watched.errors == []


def test_the_status_after_the_forward_pass_says_it_is_complete(watched: Watched) -> None:
    page = watched.page
    watched.open("/")
    for _ in range(3):
        click_and_wait(page, "Forward step", "/forward")
    status = page.locator("#status").inner_text()
    assert status == "forward pass complete (3 steps), epoch 1: step backward to t = 3 next"
    assert page.get_by_role("button", name="Forward step").get_attribute("title") == (
        "The forward pass is complete: step backward next."
    )
    assert not page.locator("#value-legend").is_visible()  # no heat map on the seed graph
    assert watched.errors == []

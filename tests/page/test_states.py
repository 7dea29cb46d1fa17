"""States said once and truly: an unknown preset, the editor's own checks and its field
names, the buttons after an overflow, the status after the forward pass and while ← walks
back, and the update's view: the new weights with the loss they give, the old ones with the
loss they gave."""

from __future__ import annotations

import json
import re
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.page.conftest import Watched
from tests.page.helpers import (
    click_and_wait,
    losses_as_read,
    press_and_wait,
    run_epoch,
    wait_for_status,
    wait_for_view,
)

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
    # nor anything else that acts on a session (each threw: "Cannot read properties of null")
    for name in ("Share with class", "Copy link", "Check the gradient", "Train N epochs"):
        assert not page.get_by_role("button", name=name, exact=True).is_visible(), name
    page.get_by_text("Export and import").click()
    assert page.locator(".export-buttons button:visible").count() == 0
    assert page.locator("#import-scenario").is_visible()  # opening a scenario file still works
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
    assert hidden == "Hidden size H: must be at least 1"
    weights = editor.locator("[data-error-for='params']").inner_text()
    assert weights.startswith('Weights: W_"h is not a weight of the elman cell (its weights: ')
    assert len([call for call in watched.calls if call[0] == "POST"]) == posts
    # what only the server can check (its size limits) comes back in the editor's words
    editor.locator("[name='hidden_size']").fill("100000")
    editor.locator("[name='params']").fill("")
    with page.expect_response(
        lambda r: r.url.endswith("/api/sessions") and r.status == 422
    ) as answer:
        page.get_by_role("button", name="Create session").click()
    hidden = editor.locator("[data-error-for='hidden_size']")
    page.wait_for_function(  # the editor's own message gives way to the server's
        "() => document.querySelector(\"[data-error-for='hidden_size']\").textContent"
        ".includes('at most')"
    )
    limit = answer.value.json()["detail"][0]["msg"].replace("must be <=", "must be at most")
    assert hidden.inner_text() == f"Hidden size H: {limit}"
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
    assert watched.state()["last_update"]["loss_after"] is None  # the first update overflows L
    after = page.locator(".compare-loss .compare-new .compare-loss-value")
    assert after.inner_text() == "overflowed (not a finite number)"  # said, not a dash
    page.keyboard.press("ArrowLeft")  # the views of what was computed stay open
    # the keys act as the buttons do: past the last view they step nothing and say why
    before = watched.state()
    posts: list[str] = []
    page.on("request", lambda request: request.method == "POST" and posts.append(request.url))
    for key in ["ArrowRight", "ArrowRight", "PageDown", " ", "ArrowRight"]:
        page.keyboard.press(key)
    page.wait_for_function(
        "() => document.getElementById('announce').textContent.includes('only “Start over”')"
    )
    assert posts == []
    assert watched.state() == before
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


def test_walking_back_the_status_names_the_view_shown_and_the_sessions_place(
    watched: Watched,
) -> None:
    """Seed: forward x3, backward x2 (the session at t = 2), then ← twice: t = 3's terms. The
    status says which view is shown and where the session is; → back to the latest step and it
    is the API's sentence again. The live region says one sentence about the view shown."""
    page = watched.page
    watched.open("/")
    for button, endpoint in [("Forward step", "/forward")] * 3 + [
        ("Backward step", "/backward")
    ] * 2:
        click_and_wait(page, button, endpoint)
    state = watched.state()
    at_three, at_two = state["backward"]
    assert (at_three["t"], at_two["t"], state["phase"]) == (3, 2, "backward")
    count = len(at_three["terms"])
    status = page.locator("#status")
    for back in (1, 2):  # t = 3's last term, then the one before it
        number = count - back + 1
        press_and_wait(page, "ArrowLeft", f"Showing backward step t = 3, term {number} of {count},")
        param = at_three["terms"][number - 1]["param"]
        shown = f"backward t = 3, term {number} of {count} for {param}"  # epoch 1: the session's
        wait_for_status(page, state["status"], viewing=shown)
        assert status.inner_text() == f"Viewing {shown}; the session: {state['status']}"
        assert "t = 2 of 3" in status.inner_text()  # where the session is, said after the view
        spoken = page.locator("#announce").inner_text()
        assert spoken.startswith(f"Backward step t = 3, term {number} of {count}: ")
        assert "session" not in spoken and spoken.count("; ") <= 1  # one sentence, the view's
    press_and_wait(page, "ArrowRight", f"Showing backward step t = 3, term {count} of {count},")
    assert status.inner_text().startswith(f"Viewing backward t = 3, term {count} of {count} ")
    press_and_wait(page, "ArrowRight", "Showing backward step t = 2, term 1 of")
    wait_for_status(page, state["status"])
    assert status.inner_text() == watched.state()["status"]
    assert watched.errors == []


def test_the_page_says_what_the_next_press_shows_before_the_sessions_next_command(
    watched: Watched,
) -> None:
    """Seed, after the last backward step: the session's sentence says "update the weights
    next", but → first shows t = 1's other terms; the page says so until the last term."""
    page = watched.page
    watched.open("/")
    for button, endpoint in [("Forward step", "/forward")] * 3 + [
        ("Backward step", "/backward")
    ] * 3:
        click_and_wait(page, button, endpoint)
    state = watched.state()
    terms = state["backward"][-1]["terms"]
    assert state["phase"] == "update" and len(terms) == 3
    hint = page.locator("#next-press")
    for number in (2, 3):
        wanted = f"→ next: backward t = 1, term {number} of 3 for {terms[number - 1]['param']}"
        assert hint.inner_text() == f"{wanted} (computed already)."
        press_and_wait(page, "ArrowRight", f"Showing backward step t = 1, term {number} of 3,")
    assert hint.is_hidden()  # at the last term → asks the session's next command: the update
    assert page.locator("#status").inner_text() == state["status"]
    assert watched.errors == []


DESCRIBED = "async v => (await import('/static/js/format.js')).describeValue(v)"


def node_labels(page: Page) -> dict[str, str]:
    """Every graph node's id and what it says (aria-label)."""
    script = "els => els.map(e => [e.dataset.id, e.getAttribute('aria-label')])"
    return dict(page.eval_on_selector_all("#graph .node[data-id]", script))


def check_update_view(watched: Watched, update: dict[str, Any]) -> None:
    """The update's view: the graph holds the new weights and only what belongs to them (the
    inputs, h_0, L after), the panel the old weights with L before beside the new weights with
    L after, and the loss box, chart, live region and status agree with the API."""
    page, state = watched.page, watched.state()
    assert state["last_update"]["loss_after"] == update["loss_after"]
    assert state["loss_history"][-1] == update["loss_before"]
    labels = node_labels(page)
    for name, value in update["params_new"].items():
        assert labels[name].endswith(page.evaluate(DESCRIBED, value)), name
        old = page.locator(f".update-compare [data-param='{name}'] .compare-old .value")
        new = page.locator(f".update-compare [data-param='{name}'] .compare-new .value")
        if old.count():  # a small parameter, compared in the table
            assert json.loads(old.get_attribute("data-value")) == update["params_old"][name]
            assert json.loads(new.get_attribute("data-value")) == value
    assert labels["L"] == f"L = {page.evaluate(DESCRIBED, update['loss_after'])}"
    shown = {i for i, label in labels.items() if not label.endswith("not computed yet")}
    allowed = {*update["params_new"], *state["params"], "L"} | {f"x_{t}" for t in range(1, 99)}
    assert shown <= allowed | {f"{s}_0" for s in state["cell"]["states"]}, shown - allowed
    assert all(labels[f"h_{t}"].endswith("not computed yet") for t in range(1, state["T"] + 1))
    losses = page.locator(".update-compare .compare-loss .compare-loss-value")
    assert [json.loads(v) for v in losses.evaluate_all("els => els.map(e => e.dataset.value)")] == [
        update["loss_before"],
        update["loss_after"],
    ]
    before, after = losses_as_read(page, update["loss_before"], update["loss_after"])
    epoch = update["epoch"]
    assert page.locator("#loss-now").inner_text() == (
        f"epoch {epoch}: {before}; epoch {epoch + 1}: {after} "
        "(L after the update; its forward pass not stepped yet)"
    )
    chart = page.locator("#loss-chart")
    assert (
        json.loads(chart.locator(".chart-before").get_attribute("data-loss"))
        == (update["loss_before"])
    )
    assert (
        json.loads(chart.locator(".chart-after").get_attribute("data-loss"))
        == (update["loss_after"])
    )
    spoken = page.locator("#announce").inner_text()
    for key in ("loss_before", "loss_after"):
        assert (
            page.evaluate(
                "async v => (await import('/static/js/format.js')).formatNumber(v)", update[key]
            )
            in spoken
        )
    assert page.locator("#status").inner_text() == state["status"]
    assert f"Showing the update of epoch {epoch}." in page.locator("#view-note").inner_text()


def loss_as_said(page: Page) -> tuple[str, str, str | None]:
    """The loss box, the graph's L node and the forward panel's "Loss so far" (None elsewhere)."""
    note = page.locator("#formula p.note", has_text="Loss so far: ")
    so_far = note.inner_text().removeprefix("Loss so far: ") if note.count() else None
    return page.locator("#loss-now").inner_text(), node_labels(page)["L"], so_far


def check_loss_agrees(page: Page, t: int | None, T: int) -> str:
    """At forward step t (None: a backward view) the loss box, the L node and the panel say one
    thing: the loss so far while the forward pass is incomplete, L once it is complete."""
    box, node, so_far = loss_as_said(page)
    if t is not None and t < T:  # "so far 0 at t = 1 of 3, ..." or "so far ℓ_1 = 1.216 at t = 1"
        sum_so_far = re.search(r"so far (?:[^=]*= )?(\S+) at t = (\d+) of (\d+)", box)
        assert sum_so_far and sum_so_far.groups() == (so_far, str(t), str(T)), (box, so_far)
        said = box[sum_so_far.start() :].removesuffix(" (L once the forward pass is complete)")
        assert node == f"L: not computed yet; {said}", (node, box)  # L not yet; its sum so far
    else:
        value = node.removeprefix("L = ")
        assert box.startswith(f"{value} (epoch "), (box, node)
        assert so_far in (None, value), (so_far, value)
    return box


def test_the_update_view_shows_the_new_weights_with_the_loss_they_give(watched: Watched) -> None:
    """Seed, every view of epoch 1 and epoch 2's forward pass: the loss box, the L node and the
    panel agree (so far, then L); the update's view shows the new weights with L after."""
    page = watched.page
    watched.open("/")
    assert page.locator("#loss-now").inner_text() == "epoch 1: not computed yet"
    for t in (1, 2, 3):
        click_and_wait(page, "Forward step", "/forward")
        wait_for_view(page, f"Showing forward step t = {t}, epoch 1.")
        check_loss_agrees(page, t, 3)
    for t in (2, 1):  # walked back: that view's loss so far, not the session's L
        press_and_wait(page, "ArrowLeft", f"Showing forward step t = {t}, epoch 1.")
        check_loss_agrees(page, t, 3)
    press_and_wait(page, "ArrowLeft", "Showing the start of epoch 1.")
    start = "epoch 1: its forward pass not stepped at this view"
    assert loss_as_said(page) == (start, "L: not computed yet", None)
    for t in (1, 2, 3):
        press_and_wait(page, "ArrowRight", f"Showing forward step t = {t}, epoch 1.")
    for _ in range(3):
        click_and_wait(page, "Backward step", "/backward")
        check_loss_agrees(page, None, 3)
    update = click_and_wait(page, "Update weights", "/update")
    wait_for_view(page, "Showing the update of epoch 1.")
    check_update_view(watched, update)
    before, after = losses_as_read(page, update["loss_before"], update["loss_after"])
    # epoch 2's forward pass with the new weights gives L after, as the update said
    for t in (1, 2, 3):
        press_and_wait(page, "ArrowRight", f"Showing forward step t = {t}, epoch 2.")
        box = check_loss_agrees(page, t, 3)
        if t < 3:  # L after is known; its forward pass is being stepped, the sum so far said
            assert box.startswith(f"epoch 1: {before}; epoch 2: {after} (L after the update); ")
    state = watched.state()
    assert state["loss"] == pytest.approx(update["loss_after"], rel=1e-12)
    labels = node_labels(page)
    assert labels["L"] == f"L = {page.evaluate(DESCRIBED, state['loss'])}"
    assert labels["h_1"] == f"h_1 = {page.evaluate(DESCRIBED, state['forward'][0]['h'])}"
    # back to the update: the new weights again, no h_t of either epoch beside them
    for _ in range(3):
        page.keyboard.press("ArrowLeft")
    wait_for_view(page, "Showing the update of epoch 1.")
    assert node_labels(page)["h_1"].endswith("not computed yet")
    # the loss box says the update's view: L before, and L after on the graph
    assert page.locator("#loss-now").inner_text() == (
        f"epoch 1: {before}; epoch 2: {after} (L after the update)"
    )
    assert watched.errors == []


def test_run_epoch_on_hello_shows_its_update_truly(watched: Watched) -> None:
    """Hello (a loss at every step), two forward steps, then Run epoch: at t = 2 the loss box
    says the sum so far the panel says, L not yet; then the update's view, and back to the start."""
    page = watched.page
    watched.open("/?preset=hello")
    for t in (1, 2):
        click_and_wait(page, "Forward step", "/forward")
        wait_for_view(page, f"Showing forward step t = {t}, epoch 1.")
        box = check_loss_agrees(page, t, 4)
    so_far = loss_as_said(page)[2]
    wanted = f"so far ℓ_1 + ℓ_2 = {so_far} at t = 2 of 4 (L once the forward pass is complete)"
    assert box == f"epoch 1: {wanted}"
    answer = run_epoch(page)
    wait_for_view(page, "Showing the update of epoch 1.")
    check_update_view(watched, answer["last_update"])
    for t in (2, 1):  # back to epoch 1's own steps: its loss so far again, not epoch 2's
        press_and_wait(page, "ArrowLeft", f"Showing forward step t = {t}, epoch 1.")
        assert check_loss_agrees(page, t, 4).startswith("epoch 1: so far ℓ_1")
    press_and_wait(page, "ArrowLeft", "Showing the start of epoch 1.")
    assert loss_as_said(page)[1:] == ("L: not computed yet", None)  # nothing summed at the start
    box = page.locator("#loss-now").inner_text()
    assert box == "epoch 1: its forward pass not stepped at this view"
    assert watched.errors == []

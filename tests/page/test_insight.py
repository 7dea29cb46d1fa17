"""The "seeing why" section: the charts and the heat map draw the server's numbers, a heat-map
cell opens its term, and the W_h slider moves between the regimes (apply changes the session)."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.page.conftest import Watched
from tests.page.helpers import (
    LIT_IDS,
    click_and_wait,
    lit_ids,
    open_first_steps,
    path_ids,
    press_and_wait,
    single,
)


def server_flow(watched: Watched, **query: Any) -> dict[str, Any]:
    """GET .../flow, read by the test itself."""
    url = f"{watched.base_url}/api/sessions/{watched.session_id}/flow"
    if query:
        url += "?" + urllib.parse.urlencode(query)
    with urllib.request.urlopen(url) as response:
        return json.load(response)


def wait_for_flow(page: Page, shown: str, cells: int) -> None:
    """Until the section shows `shown` ("session" or "scale-0.2") with `cells` computed terms
    (it asks the server while it is on screen)."""
    page.locator("#insight").scroll_into_view_if_needed()
    page.wait_for_function(
        """([shown, cells]) => document.getElementById('insight').dataset.shown === shown &&
           document.querySelectorAll('#flow-heatmap .flow-cell:not(.empty)').length === cells""",
        arg=[shown, cells],
    )


def step_through(page: Page, T: int, backward: int) -> None:
    for _ in range(T):
        click_and_wait(page, "Forward step", "/forward")
    for _ in range(backward):
        click_and_wait(page, "Backward step", "/backward")


def test_the_section_asks_the_server_only_while_it_is_on_screen(watched: Watched) -> None:
    page = watched.page
    watched.open("/?preset=hello")
    step_through(page, 2, 0)
    asked = lambda: [url for _, url in watched.calls if "/api/" in url and "/flow" in url]  # noqa: E731
    assert not asked()  # below the fold
    wait_for_flow(page, "session", 0)
    assert len(asked()) == 1


def test_the_charts_and_the_heat_map_draw_the_servers_numbers(watched: Watched) -> None:
    page = watched.page
    watched.open("/?preset=hello")  # many-to-many, T = 4: a 4 x 4 grid, lower triangle
    step_through(page, 4, 3)
    flow = server_flow(watched)
    wait_for_flow(page, "session", 1 + 2 + 3)  # t = 4, 3, 2 done: a term per k >= t
    cells = page.eval_on_selector_all(
        "#flow-heatmap .flow-cell", "els => els.map(e => [e.dataset.term, e.dataset.size])"
    )
    expected = [
        [f"W_h:{k}:{t}", "" if size is None else size]
        for k, row in zip(flow["ks"], flow["sizes"], strict=True)
        for t, size in enumerate(row, start=1)
    ]
    assert [[term, float(size) if size else ""] for term, size in cells] == expected
    points = page.eval_on_selector_all(
        "#flow-chart .log-point", "els => els.map(e => e.dataset.value)"
    )
    assert [float(v) if v else None for v in points] == flow["state_grad_norms"]
    gauge = page.eval_on_selector_all(
        "#gauge-chart .log-point", "els => els.map(e => e.dataset.value)"
    )
    assert [float(v) for v in gauge] == flow["gauge"]["norms"]
    assert page.locator("#regime-sentence").inner_text() == flow["gauge"]["sentence"]
    numbers = page.eval_on_selector_all("#gauge-numbers dd", "els => els.map(e => e.dataset.value)")
    assert float(numbers[0]) == flow["gauge"]["sigma_max"]
    # another parameter: its own terms, from the server again
    page.locator("#flow-param").select_option("W_y")
    page.wait_for_function(
        "() => document.querySelector('#flow-heatmap .flow-cell')?.dataset.term.startsWith('W_y')"
    )
    sizes = page.eval_on_selector_all("#flow-heatmap .flow-cell:not(.empty)", "els => els.length")
    assert sizes == 3  # the output layer: term(t, t) only, for t = 4, 3, 2
    assert not watched.errors


def test_the_vanishing_preset_fades_and_a_cell_opens_its_term(watched: Watched) -> None:
    """The preset cut to its first 8 steps (its weights, its target at k = 8): b's terms
    from the loss still shrink by about 2.4 a step, 400-fold from t = 8 to t = 1."""
    page = watched.page
    open_first_steps(watched, "vanishing", 8)
    step_through(page, 8, 8)
    wait_for_flow(page, "session", 8)  # one term per t
    sentence = page.locator("#regime-sentence")
    assert (
        sentence.inner_text().startswith("Vanishing")
        and sentence.get_attribute("data-regime") == "vanishing"
    )
    page.locator("#flow-param").select_option("b")
    page.wait_for_function(
        "() => document.querySelector('#flow-heatmap .flow-cell')?.dataset.term.startsWith('b:')"
    )
    colours = page.eval_on_selector_all(
        "#flow-heatmap .flow-cell", "els => els.map(e => e.getAttribute('fill'))"
    )
    assert colours[0] != colours[-1]  # the distant term is pale, the near one dark
    cell = page.locator("#flow-heatmap .flow-cell[data-term='b:8:3']")
    cell.click()
    page.wait_for_function(
        "() => document.getElementById('view-note').textContent.includes('backward step t = 3')"
    )
    current = page.locator("#term-list button.current")
    assert current.get_attribute("data-term") == "b:8:3"
    assert not watched.errors


def test_moving_the_slider_changes_the_sentence_and_apply_changes_the_weights(
    watched: Watched,
) -> None:
    page = watched.page
    watched.open("/?preset=exploding")
    wait_for_flow(page, "session", 0)
    sentence = page.locator("#regime-sentence")
    assert sentence.inner_text().startswith("Not measured yet")
    first = watched.state()["params"]["W_h"]
    page.locator("#scale-slider").fill("1.5")
    wait_for_flow(page, "scale-1.5", 30)
    assert sentence.inner_text().startswith("Exploding")
    assert sentence.inner_text() == server_flow(watched, scale=1.5)["gauge"]["sentence"]
    page.locator("#scale-slider").fill("0.2")
    wait_for_flow(page, "scale-0.2", 30)
    assert sentence.inner_text().startswith("Vanishing")
    assert watched.state()["params"]["W_h"] == first  # a what-if changes nothing
    with page.expect_response(lambda r: r.url.endswith("/scale") and r.ok):
        page.get_by_role("button", name="Apply to the session").click()
    wait_for_flow(page, "session", 0)
    scaled = watched.state()["params"]["W_h"]
    assert scaled == [[pytest.approx(0.2 * v) for v in row] for row in first]
    assert page.locator("#scale-value").inner_text() == "1.00×"
    assert not watched.errors


def test_the_window_control_truncates_and_the_page_shows_what_it_drops(watched: Watched) -> None:
    page = watched.page
    watched.open("/?preset=hello")  # T = 4, a loss at every step
    page.locator("#truncation-window").select_option("1")
    with page.expect_response(lambda r: r.url.endswith("/truncation") and r.ok):
        page.get_by_role("button", name="Set window and replay the epoch").click()
    step_through(page, 4, 4)
    assert watched.state()["config"]["truncation"] == 1
    page.locator("#insight").scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelector('#truncation-gaps table') !== null")
    flow = server_flow(watched)
    dropped = page.eval_on_selector_all(
        "#flow-heatmap .flow-cell.dropped",
        "els => els.map(e => [e.dataset.term, +e.dataset.droppedSize])",
    )
    expected = [
        [f"W_h:{k}:{t}", size]
        for k, row in zip(flow["ks"], flow["dropped_sizes"], strict=True)
        for t, size in enumerate(row, start=1)
        if size is not None
    ]
    assert dropped == expected and len(dropped) == 6  # every k > t: tau = 1 keeps k = t only
    struck = page.eval_on_selector_all("#dropped-terms li s", "els => els.length")
    assert struck == 6
    assert "null" not in page.inner_text("#dropped-terms")  # no "and N more": nothing written
    gaps = page.eval_on_selector_all(
        "#truncation-gaps td.gap", "els => els.map(e => +e.dataset.value)"
    )
    assert gaps == [gap["relative_difference"] for gap in flow["gaps"]]
    assert not watched.errors


def greyed_ids(page: Page) -> tuple[set[str], set[str]]:
    nodes = page.eval_on_selector_all("#graph .node.greyed", LIT_IDS)
    return set(nodes), set(page.eval_on_selector_all("#graph .edge.greyed", LIT_IDS))


def test_the_backward_view_strikes_the_dropped_terms_through_and_greys_their_paths(
    watched: Watched,
) -> None:
    """tau = 1 on the seed example keeps only k - t = 0: the terms at t = 2 and 1 are dropped.
    Each is listed struck through with the API's value, its path greyed (not lit) when in view,
    and the running sum skips it, ending at the truncated gradient."""
    page = watched.page
    watched.open("/")  # seed-3-step: T = 3, one loss, at k = 3
    page.locator("#truncation-window").select_option("1")
    with page.expect_response(lambda r: r.url.endswith("/truncation") and r.ok):
        page.get_by_role("button", name="Set window and replay the epoch").click()
    for t in (1, 2, 3):
        press_and_wait(page, "ArrowRight", f"Showing forward step t = {t},")
    for index in range(1, 5):  # t = 3: four kept terms, lit in colour as ever
        press_and_wait(page, "ArrowRight", f"Showing backward step t = 3, term {index} of 4")
        assert greyed_ids(page) == (set(), set()) and lit_ids(page) != (set(), set())
    for t in (2, 1):  # each opens on its own values (no term completes), then its dropped terms
        press_and_wait(page, "ArrowRight", f"Showing backward step t = {t}, epoch 1.")
        assert page.locator("#term-list .term-dropped button s").count() == 3
        press_and_wait(page, "ArrowRight", f"Showing backward step t = {t}, term 1 of 3")
        record = watched.state()["backward"][-1]
        assert record["t"] == t and record["terms"] == []
        expected = [
            [f"{group['param']}:{k}:{t}", group["values"][i]]
            for group in record["dropped"]
            for i, k in enumerate(group["ks"])
        ]
        listed = page.eval_on_selector_all(
            "#term-list .term-dropped button",
            "els => els.map(e => [e.dataset.term, JSON.parse(e.dataset.value)])",
        )
        assert listed == expected and len(listed) == 3
        assert page.locator("#term-list .term-dropped button s").count() == 3
        for index, (term_id, value) in enumerate(expected):
            if index:
                press_and_wait(page, "ArrowRight", f"t = {t}, term {index + 1} of 3")
            term = watched.term(term_id)
            assert term["dropped"] and single(term["value"]) == pytest.approx(single(value), 1e-12)
            assert term["previous"] == term["running"]
            assert greyed_ids(page) == path_ids(term["path"]) and lit_ids(page) == (set(), set())
            sums = page.eval_on_selector_all(
                "#formula .running-sum.dropped",
                "els => els.map(e => JSON.parse(e.dataset.numbers))",
            )
            assert sums == [[single(term["running"])] * 2]  # before = so far: nothing added
    flow = server_flow(watched)
    for gap in flow["gaps"]:  # after the last term: each running sum is the truncated gradient
        shown = page.eval_on_selector(
            f".running-item[data-param='{gap['param']}'] .value", "e => JSON.parse(e.dataset.value)"
        )
        assert shown == gap["truncated"]
    w_h = next(gap for gap in flow["gaps"] if gap["param"] == "W_h")
    assert single(w_h["truncated"]) != pytest.approx(
        single(w_h["full"])
    )  # the window did drop something
    assert not watched.errors


@pytest.mark.parametrize("preset", ["seed-3-step", "gru-update-gate", "lstm-remembers"])
def test_the_gradient_check_panel_shows_the_servers_worst_entries(watched: Watched, preset) -> None:
    page = watched.page
    watched.open(f"/?preset={preset}")
    page.locator("#insight").scroll_into_view_if_needed()
    with page.expect_response(lambda r: r.url.endswith("/gradcheck") and r.ok) as answer:
        page.get_by_role("button", name="Check the gradient").click()
    check = answer.value.json()
    page.wait_for_function("() => document.querySelector('#gradcheck .gradcheck-verdict') !== null")
    assert page.locator("#gradcheck .gradcheck-verdict").inner_text().startswith("Pass")
    assert "null" not in page.inner_text("#gradcheck")  # no tolerance note: nothing written
    shown = page.eval_on_selector_all(
        "#gradcheck table.worst tbody tr",
        "rows => rows.map(r => [r.dataset.param, +r.querySelector('.error-size').dataset.value])",
    )
    assert shown == [[name, p["worst"]["relative_error"]] for name, p in check["params"].items()]
    first = next(iter(check["params"]))
    page.locator(f"#gradcheck details[data-param='{first}'] summary").click()
    rows = page.locator(f"#gradcheck details[data-param='{first}'] tbody tr")
    assert rows.count() == len(check["params"][first]["entries"])
    assert not watched.errors


def test_the_progress_bar_moves_and_stops(watched: Watched) -> None:
    page = watched.page
    watched.open("/?preset=sine-next-value")
    page.locator("#job-epochs").fill("100000")
    page.locator("#insight").scroll_into_view_if_needed()
    with page.expect_response(lambda r: r.url.endswith("/jobs/train") and r.status == 202):
        page.get_by_role("button", name="Train N epochs").click()
    bar = page.locator("#job-progress")
    page.wait_for_function("() => document.getElementById('job-progress').value > 20")
    first = float(bar.get_attribute("value") or bar.evaluate("e => e.value"))
    page.wait_for_function("v => document.getElementById('job-progress').value > v", arg=first)
    assert page.locator("#job-loss .log-point").count() > 1  # the curve grows as it goes
    page.get_by_role("button", name="Stop").click()
    page.wait_for_function(
        "() => document.getElementById('job-status').dataset.state === 'stopped'"
    )
    stopped = bar.evaluate("e => e.value")
    page.wait_for_timeout(400)  # several report intervals: nothing moves any more
    assert bar.evaluate("e => e.value") == stopped
    state = watched.state()
    assert state["epoch"] == 1 + stopped
    page.wait_for_function(
        "e => document.getElementById('status').textContent.includes(`epoch ${e}`)",
        arg=state["epoch"],
    )
    assert not watched.errors


def test_choosing_another_optimiser_says_its_state_starts_afresh(watched: Watched) -> None:
    page = watched.page
    watched.open("/?preset=exploding")
    page.locator("#insight").scroll_into_view_if_needed()
    assert page.locator("#clip-stage").inner_text().startswith("Stage 1, clipping: shown once")
    page.locator("#optimiser-picker").select_option("adam")
    with page.expect_response(lambda r: r.url.endswith("/optimizer") and r.ok):
        page.get_by_role("button", name="Use this optimiser").click()
    page.wait_for_function(
        "() => document.getElementById('optimiser-note').textContent.includes('afresh')"
    )
    assert watched.state()["config"]["optimizer"]["name"] == "adam"
    click_and_wait(page, "Run epoch", "/train")
    update = watched.state()["last_update"]
    clip = page.locator("#clip-stage .clip-line")
    assert clip.get_attribute("data-clipped") == str(update["clipped"]).lower()
    assert "off (no clip_norm)" in clip.inner_text()
    assert not watched.errors


def test_an_lstm_with_rmsprop_goes_through_every_insight_panel(watched: Watched) -> None:
    """A smoke test away from Elman and SGD: the optimiser chooser, the window, the flow and
    the gauge (its spectrum over the steps' state Jacobians), the gaps, the gradient check and
    a training job, each drawing the server's numbers. The preset cut to its first 6 steps:
    a window of 3 still keeps 3 terms and drops the rest (3 here, 17 of the preset's 20)."""
    page = watched.page
    open_first_steps(watched, "lstm-remembers", 6)  # T = 6, one loss at k = 6
    page.locator("#insight").scroll_into_view_if_needed()
    page.locator("#optimiser-picker").select_option("rmsprop")
    with page.expect_response(lambda r: r.url.endswith("/optimizer") and r.ok):
        page.get_by_role("button", name="Use this optimiser").click()
    page.wait_for_function(
        "() => document.getElementById('optimiser-note').textContent.includes('afresh')"
    )
    page.locator("#truncation-window").select_option("3")
    with page.expect_response(lambda r: r.url.endswith("/truncation") and r.ok):
        page.get_by_role("button", name="Set window and replay the epoch").click()
    config = watched.state()["config"]
    assert config["optimizer"]["name"] == "rmsprop" and config["truncation"] == 3
    assert config["cell"] == "lstm"
    step_through(page, 6, 6)
    page.locator("#insight").scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelector('#truncation-gaps table') !== null")
    flow = server_flow(watched)
    kept = page.eval_on_selector_all(
        "#flow-heatmap .flow-cell:not(.empty):not(.dropped)", "els => els.length"
    )
    dropped = page.eval_on_selector_all("#flow-heatmap .flow-cell.dropped", "els => els.length")
    assert [kept, dropped] == [3, 3]  # W_hi's terms from k = 6: t = 6..4 kept (k - t < 3)
    assert sum(size is not None for size in flow["sizes"][0]) == 3
    gauge = flow["gauge"]
    assert page.locator("#regime-sentence").inner_text() == gauge["sentence"]
    assert "Of the state Jacobians ∂s_j/∂s_(j−1) at j = 6..2" in gauge["sentence"]
    labels = page.eval_on_selector_all("#gauge-numbers dt", "els => els.map(e => e.textContent)")
    assert labels[0] == "σ_max(∂s_j/∂s_(j−1)), largest over j = 6..2"
    numbers = page.eval_on_selector_all("#gauge-numbers dd", "els => els.map(e => e.dataset.value)")
    assert float(numbers[0]) == gauge["sigma_max"] == max(gauge["step_sigma_max"])
    gaps = page.eval_on_selector_all(
        "#truncation-gaps td.gap", "els => els.map(e => +e.dataset.value)"
    )
    assert gaps == [gap["relative_difference"] for gap in flow["gaps"]]
    with page.expect_response(lambda r: r.url.endswith("/gradcheck") and r.ok) as answer:
        page.get_by_role("button", name="Check the gradient").click()
    check = answer.value.json()
    page.wait_for_function("() => document.querySelector('#gradcheck .gradcheck-verdict') !== null")
    assert check["passed"] and check["cell"] == "lstm"
    assert page.locator("#gradcheck .gradcheck-verdict").inner_text().startswith("Pass")
    assert "null" not in page.inner_text("#gradcheck")  # no tolerance note: nothing written
    page.locator("#job-epochs").fill("40")
    with page.expect_response(lambda r: r.url.endswith("/jobs/train") and r.status == 202):
        page.get_by_role("button", name="Train N epochs").click()
    page.wait_for_function("() => document.getElementById('job-status').dataset.state === 'done'")
    assert page.locator("#job-progress").evaluate("e => e.value") == 40
    assert page.locator("#job-loss .log-point").count() > 1
    state = watched.state()
    assert state["config"]["optimizer"]["name"] == "rmsprop" and state["epoch"] == 41
    assert not watched.errors

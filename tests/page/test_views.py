"""What a view shows and where: the current term above the fold, the epoch a view belongs to,
why a step completes no term, and graph lines that do not cross nodes."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.page.conftest import Watched
from tests.page.helpers import (
    address,
    box,
    click_and_wait,
    formatted,
    numbers_of,
    open_editor_session,
    press_and_wait,
    wait_for_status,
    wait_for_view,
)

# Every point of every edge that lies inside a node other than the edge's own two.
EDGES_THROUGH_NODES = """() => {
  const svg = document.getElementById('graph');
  const boxes = [...svg.querySelectorAll('.node')].map((n) =>
    [n.dataset.id, n.querySelector('.node-box').getBoundingClientRect()]);
  const hits = new Set();
  for (const edge of svg.querySelectorAll('.edge')) {
    const ends = edge.dataset.id.split('->');
    const matrix = edge.getScreenCTM();
    for (let s = 0; s <= edge.getTotalLength(); s += 2) {
      const p = new DOMPoint(edge.getPointAtLength(s).x, edge.getPointAtLength(s).y)
        .matrixTransform(matrix);
      for (const [id, r] of boxes) {
        if (ends.includes(id)) continue;
        if (p.x > r.left + 1 && p.x < r.right - 1 && p.y > r.top + 1 && p.y < r.bottom - 1) {
          hits.add(`${edge.dataset.id} crosses ${id}`);
        }
      }
    }
  }
  return [...hits];
}"""


def step_to_backward(page: Page, T: int, t: int) -> None:
    """Forward through all T steps, then backward down to step t (its first term shown)."""
    for _ in range(T):
        click_and_wait(page, "Forward step", "/forward")
    for _ in range(T - t + 1):
        click_and_wait(page, "Backward step", "/backward")


def test_the_current_term_comes_before_the_term_list(watched: Watched) -> None:
    """sine-next-value at backward t = 4 completes 29 terms: the product is still in view."""
    page = watched.page
    watched.open("/?preset=sine-next-value")
    step_to_backward(page, 12, 4)
    record = watched.state()["backward"][-1]
    assert record["t"] == 4 and len(record["terms"]) == 29
    assert "term 1 of 29" in page.locator("#view-note").inner_text()
    viewport = page.viewport_size
    for term in (record["terms"][0], record["terms"][8]):  # W_x through l_4, and through l_12
        page.locator(f"#term-list button[data-term='{term['id']}']").click()
        wait_for_view(page, "term")
        product = box(page.locator("#term-value"))
        assert product["y"] >= 0 and product["y"] + product["height"] <= viewport["height"]
        assert product["x"] + product["width"] <= viewport["width"]
        assert box(page.locator("#term-list"))["y"] >= product["y"] + product["height"]
    # The list: one row per parameter, one button per loss, each row a single line.
    groups = page.locator("#term-list .term-group")
    assert groups.evaluate_all("gs => gs.map(g => g.dataset.param)") == [
        "W_x",
        "W_h",
        "b",
        "W_y",
        "b_y",
    ]
    assert page.locator("#term-list button").count() == 29
    for group in groups.all():
        heights = {round(box(b)["y"]) for b in group.locator("button").all()}
        assert len(heights) == 1
    assert watched.errors == []


def test_walking_back_past_an_epoch_shows_that_epochs_weights(watched: Watched) -> None:
    page = watched.page
    watched.open("/")
    step_to_backward(page, 3, 1)
    last_terms = watched.state()["backward"][-1]["terms"]  # epoch 1's last step, t = 1
    update = click_and_wait(page, "Update weights", "/update")
    click_and_wait(page, "Forward step", "/forward")
    old_w_h, new_w_h = update["params_old"]["W_h"], update["params_new"]["W_h"]
    rail = page.locator("[data-id='W_h'] .node-number")
    assert rail.text_content() == formatted(page, new_w_h)[0]
    # Back to the update (new weights), then into epoch 1's records: epoch 1's weights. The
    # status names the view shown, with its epoch (not the session's), then the session's place.
    status = watched.state()["status"]
    assert "epoch 2" in status
    press_and_wait(page, "ArrowLeft", "Showing the update of epoch 1.")
    wait_for_status(page, status, viewing="the update of epoch 1")
    press_and_wait(page, "ArrowLeft", "epoch 1.")
    assert rail.text_content() == formatted(page, old_w_h)[0] != formatted(page, new_w_h)[0]
    count, param = len(last_terms), last_terms[-1]["param"]
    wait_for_status(
        page, status, viewing=f"backward t = 1, term {count} of {count} for {param}, epoch 1"
    )
    for _ in range(20):  # to the very start
        page.keyboard.press("ArrowLeft")
    press_and_wait(page, "ArrowLeft", "Showing the start of epoch 1.")
    assert rail.text_content() == formatted(page, old_w_h)[0]
    assert "Epoch 1 began" in page.locator("#formula").inner_text()
    # After a reload (the same view) only the update is left of epoch 1's records: its
    # params_old are the weights epoch 1 used.
    address(page)  # written after the frame that shows the view
    page.reload()
    page.wait_for_function("() => document.body.dataset.sessionId !== undefined")
    assert page.locator("#view-note").inner_text() == "Showing the start of epoch 1."
    assert rail.text_content() == formatted(page, old_w_h)[0]
    press_and_wait(page, "ArrowRight", "Showing the update of epoch 1.")
    # the update's view: the rail writes W_h's new weight as its row does (0.80037)
    row = page.locator("#formula .update-row[data-param='W_h'] .param-new annotation")
    assert rail.text_content() == row.text_content()
    assert float(rail.text_content()) == pytest.approx(numbers_of(new_w_h)[0], rel=1e-5)
    assert watched.errors == []


def test_a_step_without_terms_says_truncation_dropped_them(watched: Watched) -> None:
    page = watched.page
    watched.open("/")
    open_editor_session(watched, truncation="2")
    step_to_backward(page, 3, 1)
    record = watched.state()["backward"][-1]
    assert record["t"] == 1 and record["terms"] == []
    assert page.locator("#view-note").inner_text() == "Showing backward step t = 1, epoch 1."
    assert page.locator("#formula .no-term").inner_text() == (
        "This step completes no chain-rule term: truncation τ = 2 drops every term that "
        "reaches t = 1 from a loss 2 or more steps later."
    )
    assert watched.errors == []


def test_graph_lines_do_not_cross_other_nodes(watched: Watched) -> None:
    page = watched.page
    for preset in ("sine-next-value", "seed-3-step"):
        watched.open(f"/?preset={preset}")
        assert page.evaluate(EDGES_THROUGH_NODES) == []
        # l_k -> L: up from the loss, then across above the loss row into L.
        total = box(page.locator("[data-id='L'] .node-box"))
        for loss in page.locator(".node-loss .node-box").all():
            assert total["y"] + total["height"] <= box(loss)["y"]
    assert watched.errors == []

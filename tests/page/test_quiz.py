"""Check my arithmetic: the value about to be revealed is hidden everywhere, asked for,
checked against the server's within the stated tolerance, and scored; from the keyboard."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.page.conftest import Watched
from tests.page.helpers import press_and_wait, wait_for_status


def answer(page: Page, text: str) -> str:
    """Type into the answer box (it has focus when a question comes) and press Enter."""
    assert page.evaluate("document.activeElement.id") == "quiz-answer"
    page.keyboard.type(text)
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.getElementById('quiz-verdict').textContent !== ''")
    return page.locator("#quiz-verdict").inner_text()


def hidden_everywhere(page: Page, node: str | None) -> bool:
    panel_hidden = not page.locator("#formula").is_visible()
    if node is None:
        return panel_hidden
    value = page.locator(f"#graph [data-id='{node}'] .node-value")
    label = page.locator(f"#graph [data-id='{node}']").get_attribute("aria-label") or ""
    return panel_hidden and not value.is_visible() and "hidden until you answer" in label


def test_the_quiz_refuses_a_wrong_value_and_accepts_the_right_one(watched: Watched) -> None:
    page = watched.page
    watched.open("/")
    page.get_by_role("checkbox", name="Check my arithmetic").check()
    page.locator("#graph-panel").focus()
    press_and_wait(page, "ArrowRight", "Showing forward step t = 1,")
    assert "Work out h_1" in page.locator("#quiz-question").inner_text()
    assert "0.1%" in page.locator("#quiz-question").inner_text()  # the stated tolerance
    assert hidden_everywhere(page, "h_1")
    h_1 = watched.state()["forward"][0]["h"][0]
    verdict = answer(page, f"{h_1 + 0.01:.5f}")  # off by 0.01: wrong
    assert verdict.startswith("Not quite") and f"{h_1:.6f}"[:7] in verdict
    assert not hidden_everywhere(page, "h_1")  # revealed, with the working
    assert page.locator("#formula").is_visible()
    assert page.locator("#quiz-score").inner_text() == "Score this epoch: 0 of 1."
    # Focus is on the verdict: → steps on, and the next question takes the keyboard.
    press_and_wait(page, "ArrowRight", "Showing forward step t = 2,")
    assert hidden_everywhere(page, "h_2")
    h_2 = watched.state()["forward"][1]["h"][0]
    assert answer(page, f"{h_2:.5f}").startswith("Right")  # within 0.1%
    assert page.locator("#quiz-score").inner_text() == "Score this epoch: 1 of 2."
    press_and_wait(page, "ArrowRight", "Showing forward step t = 3,")
    h_3 = watched.state()["forward"][2]["h"][0]
    assert answer(page, f"{h_3:.4f}").startswith("Right")
    # A chain-rule term: the panel and the term list are hidden until the answer.
    press_and_wait(page, "ArrowRight", "Showing backward step t = 3, term 1 of")
    assert "Work out the term" in page.locator("#quiz-question").inner_text()
    assert hidden_everywhere(page, None) and not page.locator("#term-list").is_visible()
    term = watched.term("W_x:3:3")
    assert answer(page, "12").startswith("Not quite")
    assert f"{term['value'][0][0]:.4f}"[:5] in page.locator("#quiz-verdict").inner_text()
    assert page.locator("#quiz-score").inner_text() == "Score this epoch: 2 of 4."
    # Walking back shows an answered view as it is, with its verdict: nothing asked again.
    press_and_wait(page, "ArrowLeft", "Showing forward step t = 3,")
    assert page.locator("#quiz-form").is_hidden() and not hidden_everywhere(page, "h_3")
    # Off, the page is as before.
    page.get_by_role("checkbox", name="Check my arithmetic").uncheck()
    assert page.locator("#quiz-box").is_hidden()
    wait_for_status(page, watched.state()["status"])
    assert watched.errors == []

"""Check my arithmetic: the value about to be revealed is hidden everywhere, asked for,
checked against the server's within the stated tolerance, and scored; from the keyboard."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.page.conftest import Watched
from tests.page.helpers import numbers_of, open_editor_session, press_and_wait, wait_for_status


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
    assert page.evaluate("document.activeElement.type") == "checkbox"  # → steps from there
    press_and_wait(page, "ArrowRight", "Showing forward step t = 1,")
    assert "Work out the hidden state h_1" in page.locator("#quiz-question").inner_text()
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
    # h_1, answered, is shown again on the graph (it stayed hidden for the rest of the session)
    assert page.locator("#graph [data-id='h_1'] .node-value").is_visible()
    label = page.locator("#graph [data-id='h_1']").get_attribute("aria-label") or ""
    assert "hidden" not in label
    h_2 = watched.state()["forward"][1]["h"][0]
    assert answer(page, f"{h_2:.5f}").startswith("Right")  # within 0.1%
    assert page.locator("#quiz-score").inner_text() == "Score this epoch: 1 of 2."
    press_and_wait(page, "ArrowRight", "Showing forward step t = 3,")
    h_3 = watched.state()["forward"][2]["h"][0]
    assert answer(page, f"{h_3:.4f}").startswith("Right")
    # A chain-rule term: first one of its factors, then the term; the panel and the term list
    # are hidden until both are answered.
    press_and_wait(page, "ArrowRight", "Showing backward step t = 3, term 1 of")
    term = watched.term("W_x:3:3")
    direct = term["factors"][-1]  # no recurrent factor at t = k: the direct partial is asked
    question = page.locator("#quiz-question").inner_text()
    assert f"Work out the factor {direct['symbol']} of the term W_x:3:3" in question
    assert "question 1 of 2" in question
    assert hidden_everywhere(page, None) and not page.locator("#term-list").is_visible()
    assert answer(page, f"{direct['value'][0][0] * 1.01:.6g}").startswith("Not quite")  # 1% off
    assert "Work out the term W_x:3:3" in page.locator("#quiz-question").inner_text()
    assert hidden_everywhere(page, None)  # the term is still to come
    assert answer(page, "12").startswith("Not quite")
    assert f"{term['value'][0][0]:.4f}"[:5] in page.locator("#quiz-verdict").inner_text()
    assert page.locator("#quiz-score").inner_text() == "Score this epoch: 2 of 5."
    assert page.locator("#formula").is_visible()
    # Walking back shows an answered view as it is, with its verdict: nothing asked again.
    press_and_wait(page, "ArrowLeft", "Showing forward step t = 3,")
    assert page.locator("#quiz-form").is_hidden() and not hidden_everywhere(page, "h_3")
    # Off, the page is as before.
    page.get_by_role("checkbox", name="Check my arithmetic").uncheck()
    assert page.locator("#quiz-box").is_hidden()
    wait_for_status(page, watched.state()["status"], viewing="forward t = 3")
    assert watched.errors == []


def numbers(value: Any, off: float = 0.0) -> str:
    return ", ".join(f"{number + off:.7g}" for number in numbers_of(value))


def verdict_on(page: Page, name: str) -> str:
    """The last verdict sentence ending in `name` (z_1, W_x:3:3): "Right" or "Not quite"."""
    text = page.locator("#quiz-verdict").inner_text()
    found = re.findall(rf"(Right|Not quite): [^;]*\b{re.escape(name)};", text)
    assert found, text
    return found[-1]


@pytest.mark.parametrize(
    ("cell", "lines"), [("gru", ["z", "r", "n", "h"]), ("lstm", ["i", "f", "o", "g", "c", "h"])]
)
def test_a_gated_step_asks_each_gate_before_the_state(
    watched: Watched, cell: str, lines: list[str]
) -> None:
    page = watched.page
    watched.open("/")
    open_editor_session(watched, cell=cell, hidden_size="2", params="")
    page.get_by_role("checkbox", name="Check my arithmetic").check()
    page.locator("#graph-panel").focus()
    press_and_wait(page, "ArrowRight", "Showing forward step t = 1,")
    record = watched.state()["forward"][0]
    nodes = ["h_1", "c_1"] if cell == "lstm" else ["h_1"]
    for index, name in enumerate(lines):
        question = page.locator("#quiz-question").inner_text()
        assert f"{name}_1" in question and f"question {index + 1} of {len(lines)}" in question
        assert all(hidden_everywhere(page, node) for node in nodes)
        assert "h1 =" not in page.locator("#announce").inner_text()  # nor said aloud
        value = record[name] if name in ("h", "c") else record["values"][name]
        answer(page, numbers(value, off=0.05 if index == 0 else 0.0))  # the first 0.05 off
        assert verdict_on(page, f"{name}_1") == ("Not quite" if index == 0 else "Right")
    assert not any(hidden_everywhere(page, node) for node in nodes)
    assert page.locator("#formula").is_visible() and page.locator("#quiz-form").is_hidden()
    page.wait_for_function("() => document.getElementById('announce').textContent.includes('h1 =')")
    score = f"Score this epoch: {len(lines) - 1} of {len(lines)}."
    assert page.locator("#quiz-score").inner_text() == score
    assert watched.errors == []


def test_a_factor_of_a_matrix_is_asked_entry_by_entry(watched: Watched) -> None:
    page = watched.page
    watched.open("/")
    open_editor_session(watched, hidden_size="2", params="")
    page.get_by_role("checkbox", name="Check my arithmetic").check()
    page.locator("#graph-panel").focus()
    for t in (1, 2, 3):
        press_and_wait(page, "ArrowRight", f"Showing forward step t = {t},")
        answer(page, numbers(watched.state()["forward"][t - 1]["h"]))
    press_and_wait(page, "ArrowRight", "Showing backward step t = 3, term 1 of")
    question = page.locator("#quiz-question").inner_text()
    term_id = re.search(r"of the term (\S+?) \(question 1 of 2", question).group(1)
    term = watched.term(term_id)
    factor = term["factors"][-1]
    rows, columns = (factor["shape"] + [1])[:2]
    # the entry in view: the term's largest-magnitude entry (the first of them), which is the
    # last factor's entry (i, j) too
    sizes = [abs(number) for number in numbers_of(term["value"])]
    at = sizes.index(max(sizes))
    i, j = divmod(at, columns)
    stated = f"entry {at + 1} of" if columns == 1 or rows == 1 else f"entry ({i + 1}, {j + 1}) of"
    assert f"Work out {stated} the factor {factor['symbol']}" in question
    entry = numbers_of(factor["value"])[at]
    assert answer(page, numbers([entry], off=0.01 + abs(entry) * 0.01)).startswith("Not quite")
    assert page.locator("#quiz-form").is_visible() and hidden_everywhere(page, None)
    answer(page, numbers(watched.term(term_id)["value"]))
    assert verdict_on(page, term_id) == "Right" and page.locator("#formula").is_visible()
    assert watched.errors == []

"""Worked backward formulas: every factor with its numbers put in (those the API sent), the
term's product and running sum as the operations that make them, the loss as -log(0.6051),
and products whose shapes multiply as written."""

from __future__ import annotations

import itertools
import json
import re
from typing import Any

from playwright.sync_api import Page

from tests.page.conftest import Watched
from tests.page.helpers import (
    first_steps_query,
    formatted,
    open_editor_session,
    open_growing_session,
    press_and_wait,
    run_epoch,
    walk_to,
)
from tests.page.test_retrace import ANNOTATIONS, rounds_to, written

ANNOTATION = "e => e.querySelector('annotation').textContent"


def annotation(page: Page, selector: str) -> str:
    return page.eval_on_selector(selector, ANNOTATION)


def numbers_by_name(term: dict[str, Any]) -> dict[str, Any]:
    return {number["name"]: number["value"] for number in term["numbers"]}


def picked(value: Any, index: str, i: int, j: int) -> Any:
    """Entry i, j or (i, j) of a number as the API sent it."""
    if index == "ij":
        return value[i][j]
    if not index:
        return value[0] if isinstance(value, list) else value
    n = i if index == "i" else j
    return value[n] if not isinstance(value[0], list) else value[0][n]


def test_the_seed_backward_factors_show_the_apis_numbers(watched: Watched) -> None:
    page = watched.page
    watched.open("/")
    for t in (1, 2, 3):
        press_and_wait(page, "ArrowRight", f"Showing forward step t = {t},")
    # ℓ_3 = −log ŷ_3 = −log 0.6051 = 0.5023 (sigmoid + BCE, y_3 = 1)
    assert "-\\log 0.6051" in annotation(page, "#formula .loss-line")
    walk_to(page, "backward step t = 2, term 2 of 3")
    term = watched.term("W_h:3:2")
    numbers = numbers_by_name(term)
    for index, factor in enumerate(term["factors"]):
        card = f"#formula .factors > .factor:nth-of-type({index + 1})"
        assert page.locator(card).get_attribute("data-edge") == factor["edge"]
        if not page.locator(f"{card} .worked-line").count():
            continue  # an entry that is one number as it is (W_y): nothing to work out
        used = json.loads(page.locator(f"{card} .worked-line").get_attribute("data-used"))
        assert used, factor["symbol"]
        for name, where, number in used:
            assert number == picked(numbers[name], where, 0, 0)
    # ∂h_3/∂h_2 = (1 − h_3²) W_h = (1 − 0.35574²) · 0.8, then its value 0.698759 (as every
    # term view of the epoch writes it): h_3 the API's, to the digits that make that value
    recurrent = annotation(page, "#formula .factor-recurrent .worked-line")
    found = re.search(r"\(1 - ([\d.]+)\^2\) \\cdot ([\d.]+)", recurrent)
    assert found and found.group(2) == "0.8", recurrent
    h_3 = picked(numbers["h_3"], "", 0, 0)
    assert rounds_to(repr(h_3), found.group(1)), (found.group(1), h_3)
    value = annotation(page, "#formula .factor-recurrent > .value")
    assert rounds_to(found.group(0), value), (recurrent, value)
    assert rounds_to(repr(term["factors"][2]["value"][0][0]), value), value
    # the running sum −0.3722 = −0.2701 + (−0.1021), the numbers the API sent
    running = page.locator("#formula .running-sum")
    assert json.loads(running.get_attribute("data-numbers")) == [
        term["previous"][0][0],
        term["value"][0][0],
        term["running"][0][0],
    ]
    before, value, after = formatted(page, [term["previous"], term["value"], term["running"]])
    written = annotation(page, "#formula .running-sum")
    assert f"{before} + \\left({value}\\right) = {after}" in written
    # the product of the four factors' values, written out, and equal to the term
    product = annotation(page, "#formula .product-numbers")
    assert product.endswith(f"= {value}") and product.count("\\cdot") == 3
    assert watched.errors == []


def shape(text: str) -> tuple[int, int]:
    rows, columns = text.split("×")
    return int(rows), int(columns)


def assert_no_side_written_twice(page: Page) -> None:
    for line in page.eval_on_selector_all(
        "#formula .worked-line annotation", "els => els.map(e => e.textContent)"
    ):
        sides = line.split(" = ")
        assert all(a != b for a, b in itertools.pairwise(sides)), line


def r_in_the_loss_card(page: Page) -> tuple[str, list[int], float]:
    """The term's entry line's r_i (1-based i) and the loss card's entry worked out: its
    [i, j] and its value as the API sent it (the card's worked line for that entry)."""
    line = annotation(page, "#formula .product-numbers")
    r = re.search(r"= r_\{(\d+)\}", line).group(1)
    worked = page.locator("#formula .factor-loss .worked-line")
    return (
        r,
        json.loads(worked.get_attribute("data-entry")),
        json.loads(worked.get_attribute("data-value")),
    )


def test_a_constant_entry_is_written_once_and_the_loss_card_works_out_the_r_i_used(
    watched: Watched,
) -> None:
    """hello's b_y term at t = 4: [∂⁺z_4/∂b_y]_{4,1} = 1, not "= 1 = 1"; and r is the loss
    factor alone, so its card works out the entry r_i the term line uses (r_4, not entry 1),
    following the term's entry when another is picked."""
    page = watched.page
    watched.open("/?preset=hello")
    walk_to(page, "backward step t = 4, term 5 of 5")
    term_id = page.locator("#formula .factors").get_attribute("data-term")
    term = watched.term(term_id)
    assert term["param"] == "b_y"
    assert_no_side_written_twice(page)
    r, entry, value = r_in_the_loss_card(page)
    assert entry == [0, int(r) - 1] and value == term["row"][int(r) - 1]
    other = 1 if r != "2" else 2  # another entry of the term (0-based)
    # another row chosen, as the browser announces it (a change event on the select)
    page.locator("#formula .term-product .entry-row").evaluate(
        "(select, n) => { select.value = String(n); select.dispatchEvent(new Event('change')); }",
        other,
    )
    page.wait_for_function(
        "n => document.querySelector('#formula .product-numbers annotation')"
        ".textContent.includes(`r_{${n}}`)",
        arg=other + 1,
    )
    r, entry, value = r_in_the_loss_card(page)
    assert (r, entry, value) == (str(other + 1), [0, other], term["row"][other])
    assert watched.errors == []


def test_hello_shapes_multiply_to_the_results_shape(watched: Watched) -> None:
    page = watched.page
    watched.open("/?preset=hello")
    walk_to(page, "backward step t = 4, term 1 of")
    r_entry_is_worked_out(
        page, watched.term(page.locator("#formula .factors").get_attribute("data-term"))
    )
    walk_to(page, "backward step t = 3, term 2 of")
    term_id = page.locator("#formula .factors").get_attribute("data-term")
    term = watched.term(term_id)
    shapes = page.eval_on_selector_all("#formula .factor", "els => els.map(e => e.dataset.shape)")
    cards = [shape(text) for text in shapes]
    assert len(cards) == len(term["factors"]) and term["distance"] >= 1
    rows, columns = cards[0]
    for left, right in itertools.pairwise(cards[:-1]):
        assert left[1] == right[0], (left, right)  # inner dimensions agree
        columns = right[1]
    assert (rows, columns) == shape(page.locator("#formula .row-line").get_attribute("data-shape"))
    diag = shape(page.locator("#formula .diag-line").get_attribute("data-diag"))
    last = shape(page.locator("#formula .diag-line").get_attribute("data-last"))
    result = shape(page.locator("#formula .diag-line").get_attribute("data-shape"))
    assert diag == (columns, columns) and last[0] == diag[1] and result == (diag[0], last[1])
    value = term["value"]
    assert result == (len(value), len(value[0]) if isinstance(value[0], list) else 1)
    assert cards[-1] == tuple(term["factors"][-1]["shape"] + [1])[:2]
    # a factor that is one of the numbers as it is ([W_y]_{1,1}) writes its value once
    assert_no_side_written_twice(page)
    # picking another entry of ∂h_3/∂h_2 shows that entry's numbers and value
    recurrent = page.locator("#formula .factor-recurrent").first
    recurrent.locator(".entry-row").select_option(index=2)
    recurrent.locator(".entry-column").select_option(index=4)
    line = recurrent.locator(".worked-line")
    assert json.loads(line.get_attribute("data-entry")) == [2, 4]
    factor = next(f for f in term["factors"] if f["kind"] == "recurrent")
    records = watched.state()["backward"]
    jacobian = factor["value"] or next(r for r in records if r["t"] == factor["step"])["jacobian"]
    assert json.loads(line.get_attribute("data-value")) == jacobian[2][4]
    numbers = numbers_by_name(term)
    for name, where, number in json.loads(line.get_attribute("data-used")):
        assert number == picked(numbers[name], where, 2, 4)
    # the term's entry (1, 3): r_1 · ∂⁺[1, 3], and the running sum's entry
    page.locator("#formula .term-product .entry-row").select_option(index=1)
    page.locator("#formula .term-product .entry-column").select_option(index=3)
    sums = json.loads(page.locator("#formula .running-sum").get_attribute("data-numbers"))
    assert sums == [term["previous"][1][3], term["value"][1][3], term["running"][1][3]]
    assert watched.errors == []


def r_entry_is_worked_out(page: Page, term: dict[str, Any]) -> None:
    """W_x:4:4 (r = the loss's row times W_y): the term line's r_i is worked out on the page,
    r_i = Σ_m a_m [W_y]_{m,i} with the API's numbers (each written as the API's value rounded),
    redone exactly to r_i as the term line writes it."""
    row_line = page.locator("#formula .row-entry")
    (line,) = row_line.evaluate_all(ANNOTATIONS)
    i = int(re.match(r"r_\{(\d+)\}", line).group(1)) - 1
    loss, output = (factor["value"] for factor in term["factors"][:2])
    a = [number for row in loss for number in row] if isinstance(loss[0], list) else loss
    expected = [number for m, weight in enumerate(a) for number in (weight, output[m][i])]
    assert json.loads(row_line.get_attribute("data-numbers")) == [*expected, term["row"][i]]
    *_, numbers, r_i = line.split(" = ")
    shown = [text for product in numbers.split(" + ") for text in product.split(" \\cdot ")]
    for text, number in zip(shown, [*expected], strict=True):  # each a_m and [W_y]_{m,i}
        assert rounds_to(repr(number), written(text)), (text, number)
    assert rounds_to(repr(term["row"][i]), r_i), (r_i, term["row"][i])
    assert rounds_to(numbers, r_i), (numbers, r_i)
    (term_line,) = page.locator("#formula .product-numbers:not(.row-entry)").evaluate_all(
        ANNOTATIONS
    )
    assert f"r_{{{i + 1}}} \\cdot" in term_line
    assert term_line.split(" = ")[2].split(" \\cdot ")[0] == r_i  # the r_i worked out, as written


SCIENTIFIC_E = re.compile(r"\d(e|E)[-+]?\d")


def test_one_number_format_and_matrices_with_their_numbers_and_scale(watched: Watched) -> None:
    page = watched.page
    watched.open("/?preset=hello")
    walk_to(page, "backward step t = 4, term 2 of")
    term = watched.term(page.locator("#formula .factors").get_attribute("data-term"))
    # the 6×6 term: its 36 numbers in its cells, and a colour scale from −max to +max
    grid = page.locator("#term-value .number-grid")
    cells = grid.locator("td").all_text_contents()
    assert cells == formatted(page, term["value"])
    largest = max(abs(number) for row in term["value"] for number in row)
    scale = page.locator("#term-value .colour-scale .scale-value").all_text_contents()
    script = "async v => (await import('/static/js/format.js')).formatNumber(v, 2)"
    assert scale == [page.evaluate(script, -largest), page.evaluate(script, largest)]
    # a click on a cell of the last factor picks that entry for the worked line
    direct = page.locator("#formula .factor-direct")
    direct.locator(".number-grid td[data-row='3'][data-column='1']").click()
    assert json.loads(direct.locator(".worked-line").get_attribute("data-entry")) == [3, 1]
    # overflowed numbers: one way of writing 10^23, in the text and in KaTeX alike
    watched.open("/")
    open_growing_session(watched)  # its loss is about 1.7×10²³
    run_epoch(page)
    assert "×10²³" in page.locator("#loss-chart").text_content()
    # Everything the page shows, the server's regime sentence (#insight) included.
    for part in ("header", ".controls", "#status", ".workspace", "#diverged-banner", "#insight"):
        for text in page.locator(part).all_inner_texts():
            assert not SCIENTIFIC_E.search(text), (part, text)
    latex = page.eval_on_selector_all("annotation", "els => els.map(e => e.textContent)")
    assert not any(SCIENTIFIC_E.search(text) for text in latex)
    assert watched.errors == []


def block_of(factor: dict[str, Any], i: int, j: int) -> tuple[int, int]:
    """Entry (i, j) of a factor within its block of templates (an LSTM's h and c parts)."""
    dims = (factor["shape"] + [1])[:2]
    rows, columns = dims[0] // len(factor["entry"]), dims[1] // len(factor["entry"][0])
    return i % rows, j % columns


def entry_value(value: Any, i: int, j: int) -> Any:
    return value[i][j] if isinstance(value[0], list) else value[i]


def check_card(page: Page, card: Any, factor: dict[str, Any], value: Any, term: dict) -> None:
    """The card's worked line: the numbers put in are the API's, at the entry in view, and
    its value is the API's entry of the factor."""
    line = card.locator(".worked-line")
    i, j = json.loads(line.get_attribute("data-entry"))
    local = block_of(factor, i, j)
    assert json.loads(line.get_attribute("data-local")) == list(local)
    used = json.loads(line.get_attribute("data-used"))
    numbers = numbers_by_name(term)
    for name, where, number in used:
        assert number == picked(numbers[name], where, *local), (factor["symbol"], name)
    if value is not None and len(numbers_of_value(value)) > 1:
        assert json.loads(line.get_attribute("data-value")) == entry_value(value, i, j)


def numbers_of_value(value: Any) -> list[Any]:
    return [n for row in value for n in (row if isinstance(row, list) else [row])]


def test_gru_and_lstm_factors_are_worked_with_the_apis_numbers(watched: Watched) -> None:
    page = watched.page
    watched.open("/")
    for cell, pick in (("gru", (1, 0)), ("lstm", (3, 1))):
        open_editor_session(
            watched, cell=cell, hidden_size="2", mode="many_to_one", inputs=[[1.0], [0.5], [-0.3]]
        )
        walk_to(page, "backward step t = 2, term 1 of")
        term = watched.term(page.locator("#formula .factors").get_attribute("data-term"))
        records = {r["t"]: r for r in watched.state()["backward"]}
        kinds = []
        for index, factor in enumerate(term["factors"]):
            card = page.locator(f"#formula .factors > .factor:nth-of-type({index + 1})")
            value = factor["value"] or records[factor["step"]]["jacobian"]
            if card.locator(".worked-line").count():
                check_card(page, card, factor, value, term)
                kinds.append(factor["kind"])
        assert {"loss", "output", "recurrent", "direct"} <= set(kinds), (cell, kinds)
        # another entry of ds_3/ds_2: for the LSTM one in the block dc_3/dh_2
        recurrent = page.locator("#formula .factor-recurrent").first
        recurrent.locator(".entry-row").select_option(index=pick[0])
        recurrent.locator(".entry-column").select_option(index=pick[1])
        factor = next(f for f in term["factors"] if f["kind"] == "recurrent")
        line = recurrent.locator(".worked-line")
        assert json.loads(line.get_attribute("data-entry")) == list(pick)
        check_card(page, recurrent, factor, factor["value"] or records[3]["jacobian"], term)
        if cell == "lstm":  # the c block's entry names the forget gate and W_hi, not o_3
            assert "W_{hi}" in annotation(page, "#formula .factor-recurrent .worked-line")
        assert page.locator("#formula .worked-line .katex-error").count() == 0
        if cell == "gru":  # the reset gate: its gate factor, then the operand, multiply as written
            walk_to(page, "backward step t = 2, term 5 of")
            term = watched.term(page.locator("#formula .factors").get_attribute("data-term"))
            assert term["param"] == "W_hr" and term["factors"][-2]["kind"] == "gate"
            shapes = page.eval_on_selector_all(
                "#formula .factor", "els => els.map(e => e.dataset.shape)"
            )
            cards = [shape(text) for text in shapes]
            for left, right in itertools.pairwise(cards[:-1]):
                assert left[1] == right[0], (left, right)
            row = shape(page.locator("#formula .row-line").get_attribute("data-shape"))
            assert row == (1, cards[-2][1]) and cards[-1] == (2, 2)  # (H, H): h_2 in every row
            line = page.locator("#formula .diag-line")
            assert shape(line.get_attribute("data-shape")) == (2, 2)
            for index, factor in enumerate(term["factors"]):
                card = page.locator(f"#formula .factors > .factor:nth-of-type({index + 1})")
                if card.locator(".worked-line").count():
                    check_card(page, card, factor, factor["value"], term)


def test_a_big_matrix_names_the_cell_under_the_pointer_and_a_click_picks_it(
    watched: Watched,
) -> None:
    """H = 16: the direct partial ∂⁺h_3/∂W_h is 16×16, drawn as one picture of its cells.
    The cell under the pointer is named with the API's number, and a click on it puts that
    entry in the worked line, with the API's value."""
    page = watched.page
    watched.open("/")
    inputs = [[1.0], [0.5], [-0.5]]
    open_editor_session(watched, hidden_size="16", mode="many_to_one", inputs=inputs, params="")
    walk_to(page, "backward step t = 3, term 1 of")
    for n in range(2, 8):  # each press waits for its own term (a note of t = 3 is not enough)
        if page.locator("#formula .factors").get_attribute("data-term").startswith("W_h:"):
            break
        press_and_wait(page, "ArrowRight", f"backward step t = 3, term {n} of")
    term = watched.term(page.locator("#formula .factors").get_attribute("data-term"))
    assert term["param"] == "W_h"
    direct = page.locator("#formula .factor-direct")
    grid = direct.locator(".heatmap-grid")
    value = term["factors"][-1]["value"]
    assert (len(value), len(value[0])) == (16, 16)
    assert json.loads(direct.locator(".heatmap").get_attribute("data-value")) == value
    cell = float(grid.get_attribute("data-cell"))
    grid.scroll_into_view_if_needed()
    where = grid.bounding_box()
    row, column = 6, 11
    point = (where["x"] + (column + 0.5) * cell, where["y"] + (row + 0.5) * cell)
    page.mouse.move(*point)
    (number,) = formatted(page, value[row][column])
    assert grid.get_attribute("title") == f"[{row + 1}, {column + 1}] = {number}"
    page.mouse.click(*point)
    line = direct.locator(".worked-line")
    assert json.loads(line.get_attribute("data-entry")) == [row, column]
    assert json.loads(line.get_attribute("data-value")) == value[row][column]
    assert watched.errors == []


def shown_result(latex: str) -> str:
    """The number a worked line ends with: "... = 0.6988" -> "0.6988"."""
    return latex.rsplit("=", 1)[1].strip()


# "[F_3]_{1,1} = [\frac{\partial h_{5}}{\partial h_{4}}]_{1,1} = ...": the entry's block named
WORKSHEET_ENTRY = r"^\[F_\{\d+\}\]_\{1,1\} = \[\\frac"
JACOBIAN_NAMED = re.compile(
    WORKSHEET_ENTRY + r"\{\\partial h_\{(\d+)\}\}\{\\partial h_\{(\d+)\}\}\]_\{1,1\} = "
)
DIRECT_NAMED = re.compile(
    WORKSHEET_ENTRY + r"\{\\partial\^\{\+\} h_\{\d+\}\}\{\\partial \S+\}\]_\{1,1\} = "
)


def test_an_lstm_entry_is_named_in_its_block_with_the_apis_number(watched: Watched) -> None:
    """H = 2: ds_3/ds_2 is 4×4 in four blocks; its entry (3, 2) is entry (1, 2) of dc_3/dh_2,
    and row 3 of d+s_2/dθ is row 1 of d+c_2/dθ. The worksheet names the blocks the same way
    (lstm-remembers' first 4 steps)."""
    page = watched.page
    watched.open("/")
    inputs = [[1.0], [0.5], [-0.3]]
    open_editor_session(watched, cell="lstm", hidden_size="2", mode="many_to_one", inputs=inputs)
    walk_to(page, "backward step t = 2, term 1 of")
    term = watched.term(page.locator("#formula .factors").get_attribute("data-term"))
    jacobian = {r["t"]: r for r in watched.state()["backward"]}[3]["jacobian"]
    recurrent = page.locator("#formula .factor-recurrent").first
    recurrent.locator(".entry-row").select_option(index=2)
    recurrent.locator(".entry-column").select_option(index=1)
    line = recurrent.locator(".worked-line")
    assert json.loads(line.get_attribute("data-entry")) == [2, 1]
    latex = annotation(page, "#formula .factor-recurrent .worked-line")
    assert latex.startswith(r"[\frac{\partial c_{3}}{\partial h_{2}}]_{1,2} = "), latex
    assert "s_{3}" not in latex
    assert json.loads(line.get_attribute("data-value")) == jacobian[2][1]
    assert [shown_result(latex)] == formatted(page, jacobian[2][1])
    # the direct partial's rows: h_2's, then c_2's
    direct = page.locator("#formula .factor-direct")
    value = term["factors"][-1]["value"]
    direct.locator(".entry-row").select_option(index=2)
    latex = annotation(page, "#formula .factor-direct .worked-line")
    head, sub = term["param"].split("_")
    theta = f"{head}_{{{sub}}}" if len(sub) > 1 else term["param"]
    assert latex.startswith(rf"[\frac{{\partial^{{+}} c_{{2}}}}{{\partial {theta}}}]_{{1,1}} = ")
    assert [shown_result(latex)] == formatted(page, entry_value(value, 2, 0))
    # the preset's worksheet cut to its first 4 steps: Jacobians ∂s_j/∂s_(j−1) at j = 2..4, each
    # block named as in the sheet of all 20 steps (most of this test's time)
    watched.open("/?preset=lstm-remembers")
    query = first_steps_query(watched.state(), 4)
    page.goto(f"{watched.base_url}/worksheet?{query}&view=e1-update")
    page.wait_for_function("() => document.body.dataset.ready === '1'")
    entries = page.eval_on_selector_all(".line.factor.entry", f"els => els.map({ANNOTATION})")
    jacobians = [m.groups() for m in map(JACOBIAN_NAMED.match, entries) if m]
    assert jacobians and all(int(now) == int(before) + 1 for now, before in jacobians)
    assert any(DIRECT_NAMED.match(entry) for entry in entries)  # d+s_t/dθ's first block
    assert page.locator("#worksheet .katex-error").count() == 0
    assert watched.errors == []

"""GRU and LSTM on the page: the forward step written from the cell's own equations with the
API's numbers, the gate values of the step, the state rows (c_t for the LSTM) laid out without
overlap, and the backward pass walked term by term with the API's factors."""

from __future__ import annotations

import json
import math
import re
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.page.conftest import Watched
from tests.page.helpers import (
    assert_close,
    box,
    cut_to_first_steps,
    inside,
    lit_ids,
    numbers_of,
    open_editor_session,
    overlap,
    path_ids,
    press_and_wait,
    shown_values,
    wait_for_view,
)

ANNOTATION = "e => e.querySelector('annotation').textContent"
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:\s*\\times\s*10\^\{(-?\d+)\})?")
PLACEHOLDER = re.compile(r"(\[\[\w+\]\]|\[\[\*\]\])")


def latex_numbers(latex: str) -> list[float]:
    """Every number KaTeX was given, in reading order ("1.2 \\times 10^{-5}" is one)."""
    numbers = []
    latex = re.sub(r"_\{[^}]*\}", "", latex)  # subscripts name steps, they are not values
    for match in NUMBER.finditer(latex):
        mantissa = re.match(r"-?\d+(?:\.\d+)?", match.group(0)).group(0)
        exponent = match.group(1)
        numbers.append(float(mantissa) * (10 ** int(exponent) if exponent else 1))
    return numbers


def step_value(name: str, record: dict[str, Any], params: dict[str, Any]) -> Any:
    """What [[name]] of a template stands for, read from the API's answer."""
    if name in record["values"]:
        return record["values"][name]
    return params[name] if name in params else record[name]


def expected_numbers(template: str, record: dict[str, Any], params: dict[str, Any]) -> list:
    """The numbers a line of a template shows: its values' and its own (the 1 of 1 - z)."""
    numbers: list[Any] = []
    for piece in PLACEHOLDER.split(template):
        name = piece[2:-2] if PLACEHOLDER.fullmatch(piece) else None
        if name is None:
            numbers += [float(n) for n in re.findall(r"\d+(?:\.\d+)?", piece)]
        elif name != "*":
            numbers += numbers_of(step_value(name, record, params))
    return numbers


def assert_numbers_close(shown: list[float], exact: list[Any]) -> None:
    assert len(shown) == len(exact), (shown, exact)
    for number, value in zip(shown, exact, strict=True):
        assert math.isclose(number, value, rel_tol=1e-3, abs_tol=1e-12), (shown, exact)


def assert_forward_step(page: Page, state: dict[str, Any], t: int) -> None:
    """Each of the cell's lines: its symbols, then the API's numbers, then its result; the gate
    strip shows each gate's value; the graph's state nodes say their values."""
    cell, record = state["cell"], state["forward"][t - 1]
    lines = page.locator("#formula .step-line")
    assert lines.count() == len(cell["step"])
    for index, line in enumerate(cell["step"]):
        shown = lines.nth(index)
        assert shown.get_attribute("data-result") == line["result"]
        symbolic, numbers, result = shown.locator(".katex").evaluate_all(
            f"els => els.map({ANNOTATION})"
        )
        lhs = line["lhs"].replace("{t}", f"{{{t}}}")
        assert symbolic.startswith(f"{lhs} =") and "[[" not in symbolic
        for name in PLACEHOLDER.findall(line["rhs"]):
            if name != "[[*]]":
                symbol = cell["symbols"].get(name[2:-2], name[2:-2])
                symbol = symbol.replace("{t}", f"{{{t}}}").replace("{t-1}", f"{{{t - 1}}}")
                assert symbol in symbolic, (symbol, symbolic)
        assert_numbers_close(
            latex_numbers(numbers), expected_numbers(line["rhs"], record, state["params"])
        )
        exact = expected_numbers(line["via"], record, state["params"]) if line["via"] else []
        exact += numbers_of(record["values"].get(line["result"], record.get(line["result"])))
        assert_numbers_close(latex_numbers(result), exact)
    gates = [name for name in record["values"] if any(ln["result"] == name for ln in cell["step"])]
    shown_gates = page.locator("#formula .gate")
    assert shown_gates.evaluate_all("els => els.map(e => e.dataset.gate)") == gates
    for name in gates:
        ((value, _),) = shown_values(page, f"#formula .gate[data-gate='{name}'] .gate-value")
        assert value == record["values"][name]
    for state_name in cell["states"]:
        label = page.locator(f"#graph [data-id='{state_name}_{t}']").get_attribute("aria-label")
        assert "not computed" not in label


def assert_graph_laid_out(page: Page, cell: dict[str, Any]) -> None:
    """No two nodes overlap, every node is inside the picture, each state has its row."""
    nodes = page.locator("#graph .node")
    boxes = [box(node.locator(".node-box")) for node in nodes.all()]
    picture = box(page.locator("#graph"))
    for index, first in enumerate(boxes):
        assert inside(first, picture)
        for second in boxes[index + 1 :]:
            assert not overlap(first, second), (first, second)
    rows = {
        s: box(page.locator(f"#graph [data-id='{s}_1'] .node-box"))["y"] for s in cell["states"]
    }
    assert len(set(rows.values())) == len(cell["states"])
    for name in (p["name"] for p in cell["params"]):
        assert page.locator(f"#graph .node-param[data-id='{name}']").count() == 1


def walk_terms(watched: Watched, t: int, count: int) -> None:
    """Every term of backward step t: its lit path and its factors as the API builds them."""
    page = watched.page
    for index in range(count):
        press_and_wait(page, "ArrowRight", f"Showing backward step t = {t}, term {index + 1} of")
        record = watched.state()["backward"][-1]
        term = record["terms"][index]
        assert lit_ids(page) == path_ids(term["path"])
        factors = page.locator("#formula .factor > .value")
        assert factors.count() == len(term["factors"])
        for position, factor in enumerate(term["factors"]):
            shown = factors.nth(position)
            assert json.loads(shown.get_attribute("data-value")) == factor["value"]
            if shown.locator("annotation").count():
                assert_numbers_close(
                    latex_numbers(shown.evaluate(ANNOTATION)), numbers_of(factor["value"])
                )
        ((product, _),) = shown_values(page, "#term-value")
        assert product == term["value"]
        ((running, _),) = shown_values(page, "#formula .running-item.current .value")
        assert running == term["running"]


@pytest.mark.parametrize("preset", ["gru-update-gate", "lstm-remembers"])
def test_a_gated_cell_steps_forward_backward_and_term_by_term(
    watched: Watched, preset: str
) -> None:
    page = watched.page
    watched.open(f"/?preset={preset}")
    cell = watched.state()["cell"]
    assert cell["name"] == preset.split("-")[0]
    assert_graph_laid_out(page, cell)  # the preset's 20 steps
    # Walked on its first 4 steps: step 1 (from s_0), 2 and 3 (from the step before) and the
    # last (its output, its loss) are every kind of step and term the preset's 20 have.
    cut_to_first_steps(watched, 4)
    state = watched.state()
    assert state["cell"] == cell and state["T"] == 4
    T = state["T"]
    for t in range(1, T + 1):
        press_and_wait(page, "ArrowRight", f"Showing forward step t = {t},")
        assert_forward_step(page, watched.state(), t)
        assert page.locator("#formula").evaluate("e => e.scrollWidth <= e.clientWidth")
    # The last step's output: ŷ_T and its loss, as the API says.
    record = watched.state()["forward"][-1]
    (yhat,) = [
        a
        for a in page.locator("#formula .katex").evaluate_all(f"els => els.map({ANNOTATION})")
        if a.startswith("\\hat y")
    ]
    assert_close(latex_numbers(yhat)[-1], record["yhat"])
    # Backward t = T and T - 1, every term (t = T - 1 has the recurrent factor ∂s_T/∂s_{T-1}).
    walk_terms(watched, T, len(cell["params"]) + 1)
    walk_terms(watched, T - 1, len(cell["params"]))
    # The recurrent factor is the whole state's Jacobian (2H x 2H for the LSTM) of step T.
    recurrent = page.locator("#formula .factor-recurrent > .value")
    jacobian = json.loads(recurrent.get_attribute("data-value"))
    size = len(cell["states"]) * state["config"]["hidden_size"]
    assert len(jacobian) == len(jacobian[0]) == size
    assert jacobian == watched.state()["backward"][0]["jacobian"]
    assert watched.errors == []


def test_an_lstm_step_without_terms_shows_both_state_gradients(watched: Watched) -> None:
    """Truncation τ = 1 leaves backward t = 2 of an LSTM with no term: the page shows
    ∂L/∂h_2 and ∂L/∂c_2 with the API's numbers (no Elman δ_t)."""
    page = watched.page
    watched.open("/")
    open_editor_session(watched, cell="lstm", truncation="1", params="")
    for t in (1, 2, 3):
        press_and_wait(page, "ArrowRight", f"Showing forward step t = {t},")
    press_and_wait(page, "ArrowRight", "Showing backward step t = 3, term 1 of")
    page.get_by_role("button", name="Backward step").click()
    wait_for_view(page, "Showing backward step t = 2, epoch")
    record = watched.state()["backward"][-1]
    assert record["t"] == 2 and record["terms"] == [] and record["delta"] is None
    (summary,) = page.locator("#formula > .katex-display, #formula > .math").evaluate_all(
        f"els => els.map({ANNOTATION})"
    )
    assert "\\partial h_{2}" in summary and "\\partial c_{2}" in summary
    assert "delta" not in summary
    assert_numbers_close(latex_numbers(summary), [*record["dh"], *record["dc"]])
    assert watched.errors == []

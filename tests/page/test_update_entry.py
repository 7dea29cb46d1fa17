"""The update's entry worked out for every optimiser: each line of the optimiser's rule for one
entry (its state from the update before, its quantities, then new from old) with the API's
numbers, which redone by hand give the line's result as shown; E steps that entry."""

from __future__ import annotations

import math
import re
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.page.conftest import Watched
from tests.page.helpers import box, inside, latex_number, run_epoch

# Each worked entry: its parameter, the entry (0-based) and its lines' LaTeX, in order.
ENTRY_BOXES = """() => [...document.querySelectorAll('#formula .update-entry')].map((e) => ({
    param: e.dataset.param, row: +e.dataset.row, column: +e.dataset.column,
    lines: [...e.querySelectorAll('.update-entry-line annotation')].map((a) => a.textContent),
}))"""
NUMBER = r"(\\left\(.+?\\right\)|-?\d+(?:\.\d+)?(?: \\times 10\^\{-?\d+\})?)"
PLACEHOLDER = re.compile(r"\[\[(\w+|\*)\]\]")


def choose_optimiser(watched: Watched, name: str) -> None:
    """The optimiser picker beside the update, as a user sets it (its state starts afresh)."""
    page = watched.page
    page.select_option("#optimiser-picker", name)
    page.locator("#optimiser-set").click()
    page.wait_for_function(
        "name => document.getElementById('optimiser-note').textContent.includes(name) && "
        "document.getElementById('optimiser-note').textContent.startsWith('Now')",
        arg=name,
    )


def rows_of(value: Any) -> list[list[float]]:
    if not isinstance(value, list):
        return [[value]]
    return [row if isinstance(row, list) else [row] for row in value]


def sent_numbers(update: dict, param: str, entry: tuple[int, int]) -> dict[str, float]:
    """What a template may name for entry (i, j) of `param`, as the API sent it."""
    i, j = entry
    slots = (update["state_before"] or {"slots": {}})["slots"]
    numbers = {q["name"]: rows_of(q["values"][param])[i][j] for q in update["quantities"]}
    for line in update["entry"]:
        for slot in re.findall(r"\[\[prev_(\w+?)(?::ij)?\]\]", line["template"]):
            numbers[f"prev_{slot}"] = rows_of(slots[slot][param])[i][j] if slots else 0.0
    numbers |= {"old": rows_of(update["params_old"][param])[i][j], "eta": update["learning_rate"]}
    numbers["new"] = rows_of(update["params_new"][param])[i][j]
    return numbers | update["hyper"]


def redone(template: str, shown: list[float]) -> float:
    """The template worked out with the numbers as shown, as a student would with a calculator."""
    numbers = iter(shown)
    text = PLACEHOLDER.sub(lambda m: "*" if m[1] == "*" else f"({next(numbers)!r})", template)
    for latex, python in (("\\frac{", "("), ("\\sqrt{", "sqrt("), ("}{", ")/("), ("^{", "**(")):
        text = text.replace(latex, python)
    text = text.replace("^", "**").replace("}", ")")
    return eval(text, {"__builtins__": {}, "sqrt": math.sqrt})  # our own template, our own numbers


def last_place(latex: str) -> float:
    """The size of a written number's last digit: 0.08023 -> 1e-5, 3.719 \\times 10^{-4} -> 1e-7."""
    mantissa, _, power = latex.partition(" \\times 10^{")
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    return 10.0 ** (int(power.rstrip("}") or 0) - decimals)


def assert_box_redone(box_found: dict, update: dict) -> None:
    """Each line of one worked entry: the API's numbers put in (in the template's order), its
    result the API's, the numbers as shown giving the result as shown, and a quantity worked out
    in one line written the same where a later line uses it."""
    param, entry = box_found["param"], (box_found["row"], box_found["column"])
    sent = sent_numbers(update, param, entry)
    written: dict[str, str] = {}
    assert len(box_found["lines"]) == len(update["entry"]), box_found
    for latex, line in zip(box_found["lines"], update["entry"], strict=True):
        n = str(update["update_number"])
        template = line["template"].replace(":ij", "").replace("[[n]]", n)
        _, filled, result = latex.split(" = ")
        names = [m[1] for m in PLACEHOLDER.finditer(template) if m[1] != "*"]
        pieces, at = [], 0  # the line's literal text, and a group for each number put in
        for match in PLACEHOLDER.finditer(template):
            pieces.append(re.escape(template[at : match.start()]))
            pieces.append(r"\\cdot" if match[1] == "*" else NUMBER)
            at = match.end()
        pattern = "".join([*pieces, re.escape(template[at:])])
        found = re.fullmatch(pattern, filled)
        assert found, (latex, pattern)
        texts = list(found.groups())
        shown = [latex_number(text) for text in texts]
        for name, number, text in zip(names, shown, texts, strict=True):
            assert math.isclose(number, sent[name], rel_tol=1e-3, abs_tol=1e-12), (latex, name)
            if name in written:  # worked out in a line before: the same digits here
                assert text.replace("\\left(", "").replace("\\right)", "") == written[name], latex
        value = latex_number(result)
        assert math.isclose(value, sent[line["name"]], rel_tol=1e-3, abs_tol=1e-12), latex
        assert abs(redone(template, shown) - value) <= 0.5 * last_place(result) * (1 + 1e-6), latex
        written[line["name"]] = result


@pytest.mark.parametrize("optimiser", ["momentum", "rmsprop", "adam", "adagrad"])
def test_each_optimiser_works_out_its_update_from_the_numbers(
    watched: Watched, optimiser: str
) -> None:
    # momentum, RMSProp, Adam and Adagrad wrote only "θ_new = θ_old + Δθ" and their quantities:
    # no student could redo Δθ; now every parameter's update is its rule's lines with numbers
    page = watched.page
    watched.open("/")
    choose_optimiser(watched, optimiser)
    for _ in range(2):  # the second update starts from the state the first one left
        run_epoch(page)
    update = watched.state()["last_update"]
    assert update["optimizer"] == optimiser and update["update_number"] == 2
    assert update["state_before"] is not None
    boxes = page.evaluate(ENTRY_BOXES)
    assert {b["param"] for b in boxes} == set(update["params_new"])
    for found in boxes:
        assert_box_redone(found, update)
        # under its own row, after the quantities it works out
        row = page.locator(f"#formula .update-row[data-param='{found['param']}'] + .update-entry")
        assert row.count() == 1
    assert watched.errors == []


WINDOW = {"x": 0, "y": 0, "width": 1920, "height": 1080}
# The cells each update row marks (its old weights, gradient or Δθ, new weights), by parameter.
MARKED = """() => Object.fromEntries([...document.querySelectorAll('#formula .update-row')]
    .map((row) => [row.dataset.param,
        [...row.querySelectorAll(':scope > * > .heatmap > .heatmap-grid .in-view')]
            .map((c) => [+c.dataset.row, +c.dataset.column])]))"""


def changed_entries(update: dict, param: str) -> list[tuple[int, int]]:
    """The entries the update changed, row by row."""
    old, new = rows_of(update["params_old"][param]), rows_of(update["params_new"][param])
    return [
        (i, j) for i, row in enumerate(old) for j, number in enumerate(row) if new[i][j] != number
    ]


def entries_in_view(page: Page) -> dict[str, tuple[int, int]]:
    return {b["param"]: (b["row"], b["column"]) for b in page.evaluate(ENTRY_BOXES)}


@pytest.mark.parametrize("optimiser", ["sgd", "adam"])
def test_the_key_e_steps_the_update_entry_in_presentation_mode(
    watched: Watched, optimiser: str
) -> None:
    # E stepped a term's entry and a forward step's output, but did nothing in the update view
    page = watched.page
    page.set_viewport_size({"width": 1920, "height": 1080})
    watched.open("/?preset=hello&present=1")
    if optimiser != "sgd":
        choose_optimiser(watched, optimiser)
    run_epoch(page)
    update = watched.state()["last_update"]
    grids = {"W_x", "W_h", "b", "W_y"}  # hello's matrices and its 6-vector b: drawn as grids
    start = entries_in_view(page)
    assert grids <= set(start), start
    # the worked entries come right under L before and after, whole in the window, under the head
    head = box(page.locator("#present-head"))
    first = box(page.locator("#formula .update-entry").first)
    assert first["y"] >= box(page.locator("#formula .compare-loss"))["y"]
    if optimiser == "sgd":  # one line each: all four, and the loss, in one window
        last = box(page.locator("#formula .update-entry").last)
        assert inside(last, WINDOW) and first["y"] >= head["y"] + head["height"] - 0.5, last
    seen = {name: [start[name]] for name in grids}
    for _ in range(3):
        page.keyboard.press("e")
        now = entries_in_view(page)
        marked = page.evaluate(MARKED)
        for name in grids:
            changed = changed_entries(update, name)
            before = seen[name][-1]
            # the next entry the update changed, row by row (those it left alone passed over)
            later = [e for e in changed if e > before] or changed
            assert now[name] == later[0], (name, before, now[name])
            assert marked[name] == [list(now[name])] * 3, (name, marked[name])
            seen[name].append(now[name])
        if optimiser != "sgd":  # its lines written again for the new entry, worked out
            for found in page.evaluate(ENTRY_BOXES):
                assert_box_redone(found, update)
        entry = box(page.locator("#formula .update-entry").first)
        assert inside(entry, WINDOW) and entry["y"] >= head["y"] + head["height"] - 0.5, entry
    # hello's x_t never holds its fourth input: W_x's fourth column is unchanged, and passed over
    assert len(changed_entries(update, "W_x")) < 24
    page.keyboard.press("Shift+E")  # back to the entries before
    now = entries_in_view(page)
    assert {name: now[name] for name in grids} == {name: seen[name][-2] for name in grids}
    assert watched.errors == []


def test_a_second_update_in_presentation_mode_keeps_the_rule_under_the_head(
    watched: Watched,
) -> None:
    # Adam's second Run epoch brought its rule up under a head two lines high (the status line
    # while the request was on its way), then the head shrank and the rule's first line slid
    # under it: the room lost m ← β₁m + (1 − β₁)g
    page = watched.page
    page.set_viewport_size({"width": 1920, "height": 1080})
    watched.open("/?preset=hello&present=1")
    choose_optimiser(watched, "adam")
    for epoch in (1, 2):
        run_epoch(page)
        page.evaluate(
            "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"
        )
        head = box(page.locator("#present-head"))
        rule = box(page.locator("#formula .update-rule"))
        assert rule["y"] >= head["y"] + head["height"] - 0.5, (epoch, rule, head)
        assert inside(box(page.locator("#formula .compare-loss")), WINDOW), epoch
    assert watched.errors == []

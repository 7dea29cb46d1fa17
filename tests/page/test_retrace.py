"""The student's pencil-and-paper check of the seed example: every worked line of the forward
pass, the backward pass and the update is read from the page's text alone, worked out in
Python from its numbers as shown, and compared with its result at the result's shown
precision."""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Any

from playwright.sync_api import Locator, Page

from tests.page.conftest import Watched
from tests.page.helpers import bracketed, next_view, numbers_of

ANNOTATIONS = "els => els.map(e => e.querySelector('annotation').textContent)"
NUMBER = r"-?\d+(?:\.\d+)?(?: \\times 10\^\{-?\d+\})?"


def texts(within: Page | Locator, selector: str) -> list[str]:
    """The LaTeX of every typeset element matching `selector` (as KaTeX keeps it)."""
    return within.locator(selector).evaluate_all(ANNOTATIONS)


def joined(within: Page | Locator, selector: str) -> list[str]:
    """The LaTeX of every element matching `selector`, its typeset rows read as one line."""
    script = "els => els.map(e => [...e.querySelectorAll('annotation')].map(a => a.textContent))"
    return [" ".join(rows) for rows in within.locator(selector).evaluate_all(script)]


def plain(latex: str) -> str:
    """LaTeX of numbers and operations as a Python expression: \\left( \\right) as brackets,
    a \\times 10^{b} as aeb, \\frac{a}{b} as (a)/(b), \\cdot and (a)(b) as *, ^ as **,
    \\tanh, \\sigma, \\log as functions."""
    text = bracketed(latex).replace("{}", "")
    text = re.sub(r"(\d+(?:\.\d+)?) \\times 10\^\{(-?\d+)\}", r"(\1e\2)", text)
    text = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", r"((\1)/(\2))", text)
    text = re.sub(r"\)\s*\(", ")*(", text)  # two factors side by side: (-1.653)(0.2389)
    text = re.sub(r"\\log\s*(\d+(?:\.\d+)?)", r"log(\1)", text)
    text = text.replace("\\tanh", "tanh").replace("\\sigma", "sigmoid")
    return text.replace("\\cdot", "*").replace("\\times", "*").replace("^", "**")


FUNCTIONS = {"tanh": math.tanh, "log": math.log, "sigmoid": lambda z: 1 / (1 + math.exp(-z))}


def worked(latex: str) -> float:
    """The value of a line's numbers, as a student works it out from them."""
    expression = plain(latex)
    assert re.fullmatch(r"[\d.e()+\-*/\s]*|.*(tanh|log|sigmoid).*", expression), latex
    return eval(expression, {"__builtins__": {}}, FUNCTIONS)  # only numbers, operators, FUNCTIONS


def follows(latex: str, shown: str) -> bool:
    """True when the numbers of `latex`, worked out, round to `shown` at its last digit."""
    number = plain(shown).strip()
    mantissa = re.sub(r"\(|\)|e-?\d+$", "", number)
    places = len(mantissa.split(".")[1]) if "." in mantissa else 0
    exponent = int(re.search(r"e(-?\d+)\)?$", number).group(1)) if "e" in number else 0
    unit = 10.0 ** (exponent - places)
    return abs(worked(latex) - worked(shown)) <= unit / 2 * (1 + 1e-9)


def check(lines: list[tuple[str, str]], latex: str, shown: str) -> None:
    assert follows(latex, shown), f"{latex} does not give {shown}"
    lines.append((latex, shown))


def argument(latex: str) -> tuple[str, str]:
    """\\tanh\\left(a + b\\right) as ("\\tanh", "a + b")."""
    match = re.fullmatch(r"(\\tanh|\\sigma)\\left\((.*)\\right\)", latex.strip())
    assert match, latex
    return match.group(1), match.group(2)


def forward_lines(page: Page, lines: list[tuple[str, str]]) -> None:
    """h_t = tanh(numbers) = tanh(sum) = h_t: the sum from its numbers, h_t from the sum."""
    for row in page.locator("#formula .step-line").all():
        _, numbers, result = (text.removeprefix("= ") for text in texts(row, ".math"))
        via, value = result.rsplit(" = ", 1)
        name, inner = argument(numbers)
        assert argument(via)[0] == name
        check(lines, inner, argument(via)[1])
        check(lines, via, value)
    for line in texts(page, "#formula .math"):
        if line.startswith("\\hat y_"):  # ŷ = σ(W_y h) = σ(z) = ŷ: ŷ from z
            *_, via, value = line.split(" = ")
            check(lines, via, value)
        if line.startswith("\\ell_"):  # ℓ = −log ŷ = −log 0.60513 = ℓ
            *_, numbers, value = line.split(" \\quad ")[0].split(" = ")
            check(lines, numbers, value)


def part_lines(card: Locator, value: str, lines: list[tuple[str, str]]) -> None:
    """∂ℓ/∂ŷ and ∂ŷ/∂z each from its numbers, then their values as shown multiplied: the
    factor's value (sigmoid + BCE's loss factor; nothing for a factor without parts)."""
    shown = []
    for line in joined(card, ".part-line"):
        *_, numbers, part_value = line.split(" = ")
        check(lines, numbers, part_value)
        shown.append(part_value)
    for line in joined(card, ".parts-product"):
        *_, numbers, product = line.split(" = ")
        assert plain(numbers) == "*".join(f"({plain(number)})" for number in shown), line
        assert product == value, (product, value)
        check(lines, numbers, product)


def backward_lines(page: Page, lines: list[tuple[str, str]]) -> None:
    """Each factor from its numbers, r and the term from the factors, the sum from its addends."""
    for card in page.locator("#formula .factors > .factor").all():
        value = texts(card, ":scope > .value")
        worked_lines = texts(card, ".worked-line")
        if worked_lines and value:
            check(lines, worked_lines[0].removeprefix("= ").removesuffix(" ="), value[0])
        if value:
            part_lines(card, value[0], lines)
        if "factor-loss" in card.get_attribute("class"):  # the seed's loss: sigmoid + BCE
            assert len(texts(card, ".part-line")) == 2 and len(texts(card, ".parts-product")) == 1
    (row,) = texts(page, "#formula .row-line > .math:not(.value)")
    (row_value,) = texts(page, "#formula .row-line .row-value")
    if " \\, " in row.split(" = ")[1]:  # r of several factors: r = symbols = numbers = r
        check(lines, row.split(" = ")[2].removesuffix(" ="), row_value)
    for line in texts(page, "#formula .product-numbers, #formula .running-sum"):
        *_, numbers, value = line.split(" = ")
        check(lines, numbers, value)


def update_lines(page: Page, lines: list[tuple[str, str]]) -> list[str]:
    """θ_new = θ_old − η × g: the new weight from the old one, η and g as shown, exactly."""
    names = []
    for row in page.locator("#formula .update-row").all():
        rule_selector = ".update-part:nth-child(2) > .math:not(.value)"
        (old,), (rule,), (grad,), (new,) = (
            texts(row, selector)
            for selector in (".param-old", rule_selector, ".param-grad", ".param-new")
        )
        eta = re.fullmatch(r"\{\} - (\S+) \\times \{\}", rule).group(1)
        redo([line for line, _ in lines], f"{old} - {eta} \\cdot {grad}", new)  # exactly
        lines.append((f"{old} - {eta} \\cdot {grad}", new))
        names.append(row.get_attribute("data-param"))
    return names


def rail_numbers(page: Page) -> dict[str, str]:
    """Each parameter's number on its rail of the graph, as the page writes it."""
    rails = page.locator("#graph .node-param").all()
    return {
        rail.get_attribute("data-id"): rail.locator(".node-number").text_content() for rail in rails
    }


def rails_hold(rails: dict[str, str], before: dict[str, str], update: dict[str, Any]) -> None:
    """After the update each rail reads its new weight to its last digit, and a weight that
    changed no longer reads as it did."""
    for name, new in update["params_new"].items():
        (number,) = numbers_of(new)
        text = rails[name].replace("−", "-")
        assert "×" not in text and follows(repr(number), text), (name, text, number)
        if number != numbers_of(update["params_old"][name])[0]:
            assert text != before[name], (name, text)


def test_a_student_retraces_the_seed_from_the_page_text(watched: Watched) -> None:
    page = watched.page
    watched.open("/")
    rails_before = rail_numbers(page)
    lines: list[tuple[str, str]] = []
    updated: list[str] = []
    forward: list[str] = []
    backward: list[tuple[int, int, int]] = []  # (t, term k, of n) as the view note says
    for _ in range(20):
        note = next_view(page)
        if "update of epoch 1" in note:  # (its note speaks of epoch 2's forward steps)
            updated = update_lines(page, lines)
            rails_hold(rail_numbers(page), rails_before, watched.state()["last_update"])
            break
        if "forward step" in note:
            forward_lines(page, lines)
            forward.append(note)
        elif "backward step" in note:
            backward_lines(page, lines)
            found = re.search(r"backward step t = (\d+), term (\d+) of (\d+)", note)
            backward.append(tuple(int(n) for n in found.groups()))
    # every view of the epoch was read: 3 forward steps, each t's every term, every parameter
    assert len(forward) == 3
    assert sorted({t for t, _, _ in backward}) == [1, 2, 3]
    terms_of = {t: n for t, _, n in backward}
    assert sorted(backward) == [
        (t, k, terms_of[t]) for t in (1, 2, 3) for k in range(1, terms_of[t] + 1)
    ]
    assert sorted(updated) == sorted(watched.state()["last_update"]["params_new"])
    assert len(lines) >= 3 * 2 + 2 + len(backward) * 4 + len(updated)
    assert watched.errors == []


# ---- the backward pass and the update, redone exactly (fractions), at epochs 1 and 2 ------

EXACT_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:e-?\d+)?")


def exactly(latex: str) -> Fraction:
    """A line's numbers and + − · ^ worked out with no rounding, as with pencil and paper."""
    expression = plain(latex)
    assert re.fullmatch(r"[\d.e()+\-*\s]*", expression), latex
    expression = EXACT_NUMBER.sub(lambda number: f"F('{number.group(0)}')", expression)
    return eval(expression, {"__builtins__": {}}, {"F": Fraction})  # numbers and operators only


def rounds_to(latex: str, shown: str) -> bool:
    """True when `latex`, redone exactly, rounds to `shown` at its last written digit."""
    number = plain(shown).strip().strip("()")
    mantissa, _, exponent = number.partition("e")
    places = len(mantissa.split(".")[1]) if "." in mantissa else 0
    unit = Fraction(10) ** (int(exponent or 0) - places)
    return abs(exactly(latex) - Fraction(number)) * 2 <= unit


def redo(lines: list[str], latex: str, shown: str) -> None:
    assert rounds_to(latex, shown), f"{latex} = {exactly(latex):.9f}, shown {shown}"
    lines.append(latex)


def written(latex: str) -> str:
    """A number as written, its brackets off: \\left(-0.1082\\right) -> -0.1082."""
    return bracketed(latex).strip().strip("()")


PLACEHOLDER = re.compile(r"\[\[(\w+(?::(?:ij|i|j))?|\*)\]\]")
WRITTEN = r"(\\left\(-?[\d.]+\\right\)|-?[\d.]+)"


def put_in(template: str, line: str) -> list[tuple[str, str]]:
    """The numbers a worked line puts in for its template's names: [(name, as written)]."""
    pattern, names = "", []
    for n, part in enumerate(PLACEHOLDER.split(template)):
        if n % 2 == 0:  # the template's own text between its names
            pattern += r"\s*".join(re.escape(bit) for bit in part.split())
        elif part == "*":
            pattern += r"\s*\\cdot\s*"
        else:
            pattern += r"\s*" + WRITTEN + r"\s*"
            names.append(part)
    match = re.fullmatch(r"\s*" + pattern + r"\s*", line)
    assert match, (template, line)
    return [(name, written(text)) for name, text in zip(names, match.groups(), strict=True)]


def same_numbers_in_cards(page: Page, term: dict[str, Any]) -> None:
    """A number two cards put in (W_h in ∂h_3/∂h_2 and ∂h_2/∂h_1) reads the same in both, and
    in every line of one card (ŷ_3 in ŷ − y, in −y/ŷ + (1 − y)/(1 − ŷ) and in ŷ(1 − ŷ))."""
    seen: dict[str, str] = {}
    cards = page.locator("#formula .factors > .factor").all()
    for card, factor in zip(cards, term["factors"], strict=True):
        lines = [
            (factor["entry"][0][0], line.removeprefix("= ").removesuffix(" ="))
            for line in texts(card, ".worked-line")
        ]
        for part, line in zip(factor["parts"], joined(card, ".part-line"), strict=True):
            lines.append((part["entry"][0][0], line.split(" = ")[-2]))
        for template, numbers in lines:
            for name, text in put_in(template, numbers):
                assert seen.setdefault(name, text) == text, (name, seen[name], text)


def retrace_term(page: Page, lines: list[str]) -> tuple[str, str]:
    """One backward view: each card's worked line gives its value, the r line r, the term line
    the term, the running sum its result; the term, the sum and each factor read the same in
    every line that writes them (the digits included). Returns the sum's before and so far,
    as written."""
    cards = page.locator("#formula .factors > .factor").all()
    values = [written(texts(card, ":scope > .value")[0]) for card in cards]
    for card, value in zip(cards, values, strict=True):
        for line in texts(card, ".worked-line"):
            redo(lines, line.removeprefix("= ").removesuffix(" ="), value)
        if parts := texts(card, ".part-value"):  # ∂ℓ/∂ŷ · ∂ŷ/∂z, the parts multiplied
            redo(lines, " \\cdot ".join(parts), value)
    (row,) = texts(page, "#formula .row-line > .math:not(.value)")
    (row_value,) = texts(page, "#formula .row-line .row-value")
    _, _, *row_numbers = row.removesuffix(" =").split(" = ")  # r = symbols [= numbers] =
    if row_numbers:
        redo(lines, row_numbers[0], row_value)
        assert [written(f) for f in row_numbers[0].split(" \\cdot ")] == values[:-1]
    else:  # r is the one factor before the last
        assert written(row_value) == values[0]
    (product,) = texts(page, "#formula .product-numbers")
    *_, factors, term = product.split(" = ")
    redo(lines, factors, term)
    assert [written(f) for f in factors.split(" \\cdot ")] == values
    (running,) = texts(page, "#formula .running-sum")
    *_, addends, total = running.split(" = ")
    redo(lines, addends, total)
    before, addend = addends.split(" + ")
    assert written(addend) == term
    assert texts(page, "#term-value, #formula .product-value") == [term, term]
    current = "#formula .summary-running, #formula .running-item.current .running-value"
    assert texts(page, current) == [total, total]
    return written(before), total


def carried(page: Page, so_far: dict[str, str], before: str, total: str) -> None:
    """The sum a view starts from is the one the parameter's last view ended on, as written
    there; every other parameter's sum in the list reads as its last view wrote it."""
    param = page.locator("#formula .factors").get_attribute("data-term").split(":")[0]
    assert before == so_far.get(param, "0"), (param, so_far.get(param), before)
    so_far[param] = total
    for item in page.locator("#formula .running-item").all():
        name = item.get_attribute("data-param")
        assert texts(item, ".running-value") == ([so_far[name]] if name in so_far else []), name


def term_of(watched: Watched) -> dict[str, Any]:
    """The term in view, as the API gives it (its factors' entry templates)."""
    return watched.term(watched.page.locator("#formula .factors").get_attribute("data-term"))


def test_every_backward_line_and_the_update_redo_exactly_at_epochs_1_and_2(
    watched: Watched,
) -> None:
    page = watched.page
    watched.open("/?preset=seed-3-step")
    lines: list[str] = []
    views = {1: 0, 2: 0}
    for epoch in (1, 2):
        so_far: dict[str, str] = {}  # each parameter's sum as its last view wrote it
        while "backward step t = 1, term 3" not in (note := next_view(page)):
            if "backward step" in note:
                carried(page, so_far, *retrace_term(page, lines))
                same_numbers_in_cards(page, term_of(watched))
                views[epoch] += 1
        carried(page, so_far, *retrace_term(page, lines))
        same_numbers_in_cards(page, term_of(watched))
        views[epoch] += 1
        assert f"update of epoch {epoch}" in next_view(page)
        pairs: list[tuple[str, str]] = []
        updated = update_lines(page, pairs)
        lines += [line for line, _ in pairs]
        assert len(updated) == 4
    assert views == {1: 10, 2: 10}
    # per view: the cards' lines, the parts, the term and the sum at least; per update: 4 rows
    assert len(lines) >= 2 * (10 * 4 + 4)
    assert watched.errors == []

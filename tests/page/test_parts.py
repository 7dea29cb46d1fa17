"""A factor the notes write as a product (sigmoid + BCE: ∂ℓ/∂z = ∂ℓ/∂ŷ · ∂ŷ/∂z) shows each
part worked out from its numbers and then the parts' values multiplied, for the entry in view:
read from the card's text, worked out in Python from the numbers as shown, and compared with
the API's values at the shown precision."""

from __future__ import annotations

import json
import re
from typing import Any

from playwright.sync_api import Locator, Page

from tests.page.conftest import Watched
from tests.page.helpers import box, bracketed, next_view, open_editor_session, walk_to
from tests.page.test_retrace import follows, joined, plain


def shown_term(watched: Watched) -> dict[str, Any]:
    """The term in view, as the API sends it."""
    term_id = watched.page.locator("#formula [data-term]").first.get_attribute("data-term")
    return watched.term(term_id)


def retrace_parts(card: Locator, term: dict[str, Any], j: int) -> list[str]:
    """Each part's line and the product's, worked out from their numbers as shown, give the
    values they show, and those are the API's (the parts' entry j, the factor's entry j)."""
    loss = term["factors"][0]
    numbers = {number["name"]: number["value"] for number in term["numbers"]}
    lines = joined(card, ".part-line")
    assert len(lines) == len(loss["parts"]) == 2
    shown = []
    for line, part in zip(lines, loss["parts"], strict=True):
        name, symbols, filled, value = line.split(" = ")
        assert name.startswith(f"[{part['latex']}]" if len(part["value"][0]) > 1 else part["latex"])
        assert follows(filled, value), f"{filled} does not give {value}"
        assert follows(repr(part["value"][0][j]), value), (part["symbol"], value)
        assert "y_{" in symbols and "\\hat y_{" in symbols
        shown.append(value)
    used = [
        json.loads(used)
        for used in card.locator(".part-line").evaluate_all("els => els.map(e => e.dataset.used)")
    ]
    for name, index, number in (entry for part in used for entry in part):
        assert index == "j" and number == numbers[name][j], (name, number)
    (product,) = joined(card, ".parts-product")
    *_, multiplied, value = product.split(" = ")
    assert plain(multiplied) == "*".join(f"({plain(number)})" for number in shown), product
    assert follows(multiplied, value), f"{multiplied} does not give {value}"
    assert follows(repr(loss["value"][0][j]), value), value
    return lines


def assert_yhat_written_once_per_line(page: Page) -> None:
    for line in joined(page.locator("#formula .factor-loss"), ".part-line")[1:]:
        numbers = bracketed(line.split(" = ")[2])
        twice = re.fullmatch(r"([\d.]+) \\cdot \(1 - ([\d.]+)\)", numbers)
        assert twice and twice[1] == twice[2], line


def test_the_seed_loss_factor_works_out_each_part_from_its_numbers(watched: Watched) -> None:
    page = watched.page
    watched.open("/?preset=seed-3-step")
    walk_to(page, "backward step t = 3")
    card = page.locator("#formula .factor-loss")
    lines = retrace_parts(card, shown_term(watched), 0)
    # −y/ŷ + (1 − y)/(1 − ŷ) with y = 1 and ŷ = 0.6051..., ŷ(1 − ŷ): as the notes write them
    assert lines[0].split(" = ")[2].startswith("-\\frac{1}{0.605")
    assert lines[1].split(" = ")[2].startswith("0.605")
    # beneath the factor's own value, inside its card
    parts = box(card.locator(".factor-parts"))
    assert parts["y"] >= box(card.locator(":scope > .value"))["y"]
    assert parts["x"] >= box(card)["x"] - 0.5
    assert parts["x"] + parts["width"] <= box(card)["x"] + box(card)["width"] + 0.5
    # ŷ, used twice in ŷ(1 − ŷ), reads the same both times (it read 0.6051 · (1 − 0.60513)),
    # in every view of the backward pass
    assert_yhat_written_once_per_line(page)
    while "update" not in next_view(page):
        assert_yhat_written_once_per_line(page)
    assert watched.errors == []


def test_a_vector_output_shows_the_parts_of_the_entry_in_view(watched: Watched) -> None:
    """K = 3 sigmoid outputs: the parts' lines follow the factor's entry picker."""
    page = watched.page
    watched.open("/")
    open_editor_session(
        watched, output_size="3", targets=[1.0, 0.0, 1.0], params="", mode="many_to_one"
    )
    walk_to(page, "backward step t = 3")
    card = page.locator("#formula .factor-loss")
    term = shown_term(watched)
    seen = {0: retrace_parts(card, term, 0)}
    for column in (2, 1):
        old = card.locator(".parts-product").get_attribute("data-entry")
        card.locator(".entry-column").select_option(index=column)
        page.wait_for_function(
            "old => document.querySelector('#formula .factor-loss .parts-product')"
            ".dataset.entry !== old",
            arg=old,
        )
        # the parts follow the factor's own worked entry, the one its picker names
        entry = card.locator(".worked-line").get_attribute("data-entry")
        assert card.locator(".parts-product").get_attribute("data-entry") == entry
        row, j = json.loads(entry)
        assert row == 0  # the loss factor is a row (1, K)
        seen[j] = retrace_parts(card, term, j)
        assert f"_{{1,{j + 1}}}" in seen[j][0].split(" = ")[0]
    assert len(seen) == 3 and len({lines[0] for lines in seen.values()}) == 3
    assert watched.errors == []

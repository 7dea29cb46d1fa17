"""Screen readers: after each step and each term, one short sentence in a live region (what
was computed, its value, which term of how many), not the whole formula panel."""

from __future__ import annotations

import re

from tests.page.conftest import Watched
from tests.page.helpers import formatted, press_and_wait


def test_a_live_region_says_one_sentence_after_each_step(watched: Watched) -> None:
    page = watched.page
    watched.open("/")
    region = page.locator("#announce")
    assert region.get_attribute("aria-live") == "polite"
    assert page.locator("#formula").get_attribute("aria-live") is None
    press_and_wait(page, "ArrowRight", "Showing forward step t = 1,")
    (h_1,) = formatted(page, watched.state()["forward"][0]["h"])
    assert region.inner_text() == f"Forward step t = 1: h1 = {h_1}."
    press_and_wait(page, "ArrowRight", "Showing forward step t = 2,")
    press_and_wait(page, "ArrowRight", "Showing forward step t = 3,")
    loss = formatted(page, watched.state()["forward"][2]["loss"])[0]
    assert region.inner_text().endswith(f", loss ℓ3 = {loss}.")
    press_and_wait(page, "ArrowRight", "Showing backward step t = 3, term 1 of 4")
    term = watched.term("W_x:3:3")
    value, running = formatted(page, [term["value"], term["running"]])
    said = "() => document.getElementById('announce').textContent.includes('equals')"
    page.wait_for_function(said)
    assert region.inner_text() == (
        "Backward step t = 3, term 1 of 4: derivative of the loss at step 3 with respect to W_x, "
        f"used at t = 3, equals {value}; the sum so far is {running}."
    )
    assert region.inner_text().count(".") <= 4  # one sentence (numbers have points)
    assert watched.errors == []


def test_a_terms_product_reads_aloud_with_its_times_signs(watched: Watched) -> None:
    """The × between a term's factor cards is in the accessibility tree (it was aria-hidden: a
    screen reader read the factors one after another with nothing between them)."""
    page = watched.page
    watched.open("/?preset=seed-3-step")
    for t in (1, 2, 3):
        press_and_wait(page, "ArrowRight", f"Showing forward step t = {t},")
    press_and_wait(page, "ArrowRight", "Showing backward step t = 3, term 1 of 4")
    factors = watched.term("W_x:3:3")["factors"]
    spoken = page.locator("#formula .factors").aria_snapshot()
    signs = re.findall(r"(?<![\d)])×(?!\d)", spoken)  # not a shape's "(1×1)"
    assert len(signs) == len(factors) - 1, spoken
    assert watched.errors == []

"""Presentation mode at 1920x1080: node and formula text at least 28 px on screen, the editor
hidden, driven by a clicker (PageDown, PageUp, space) and a key (?) that lists every key."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.page.conftest import Watched
from tests.page.helpers import press_and_wait

ON_SCREEN = """e => {
    const svg = e.ownerSVGElement;
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    return parseFloat(getComputedStyle(e).fontSize) * scale;
}"""
FONT = "e => parseFloat(getComputedStyle(e).fontSize)"


def smallest(page: Page, selector: str, script: str) -> float:
    sizes = page.eval_on_selector_all(selector, f"els => els.map({script})")
    assert sizes, selector
    return min(sizes)


def test_presentation_text_is_large_and_a_clicker_drives_it(watched: Watched) -> None:
    page = watched.page
    page.set_viewport_size({"width": 1920, "height": 1080})
    watched.open("/?preset=hello&present=1")
    assert page.locator("body.present").count() == 1
    assert not page.locator(".editor-box").is_visible()
    for t in (1, 2, 3, 4):
        press_and_wait(page, "PageDown", f"Showing forward step t = {t},")
    assert smallest(page, "#graph .node-label", ON_SCREEN) >= 28
    assert smallest(page, "#graph .node-number", ON_SCREEN) >= 28
    assert smallest(page, "#formula .katex", FONT) >= 28
    press_and_wait(page, " ", "Showing backward step t = 4, term 1 of")
    press_and_wait(page, "PageDown", "Showing backward step t = 4, term 2 of")
    assert smallest(page, "#formula .katex", FONT) >= 28
    assert smallest(page, "#graph .node-label", ON_SCREEN) >= 28
    press_and_wait(page, "PageUp", "Showing backward step t = 4, term 1 of")
    # ? lists every key; Escape closes the list
    page.keyboard.press("?")
    keys = page.locator("#keys-help")
    assert keys.is_visible()
    text = keys.inner_text()
    for key in ("PageDown", "PageUp", "space", "→", "←", "P", "?"):
        assert key in text, key
    page.keyboard.press("Escape")
    assert not keys.is_visible()
    # the button (and the key P) leaves the mode; the address forgets it
    page.get_by_role("button", name="Leave presentation").click()
    assert page.locator("body.present").count() == 0
    assert "present" not in page.url
    assert page.locator(".editor-box").is_visible()
    page.keyboard.press("p")
    assert page.locator("body.present").count() == 1 and "present=1" in page.url
    assert watched.errors == []


def sideways(page: Page) -> int:
    """How far the formula panel would have to scroll sideways to show its widest line."""
    return page.eval_on_selector("#formula", "f => f.scrollWidth - f.clientWidth")


def test_presentation_lines_fit_the_panel_without_scrolling_sideways(watched: Watched) -> None:
    # a clicker cannot scroll: hello's softmax line (y-hat = softmax(W_y h + b_y) = [4 numbers])
    # ran past the panel's right edge at every forward step, its result cut off
    page = watched.page
    page.set_viewport_size({"width": 1920, "height": 1080})
    watched.open("/?preset=hello&present=1")
    for t in (1, 2, 3, 4):
        press_and_wait(page, "PageDown", f"Showing forward step t = {t},")
        assert sideways(page) <= 1, f"forward step t = {t}"
    press_and_wait(page, "PageDown", "Showing backward step t = 4, term 1 of")
    assert sideways(page) <= 1
    assert watched.errors == []

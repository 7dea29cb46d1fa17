"""Presentation mode for the back of a room: the keys list (?) in room type and whole inside a
1920x1080 window, and every highlighted cell's number readable against its colour (WCAG AA)."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.page.conftest import Watched
from tests.page.helpers import box, inside, open_editor_session, press_and_wait
from tests.page.test_present import walk_hello

WINDOW = {"x": 0, "y": 0, "width": 1920, "height": 1080}

# Every drawn text of the keys list: its size and what it says.
KEYS_TEXT = """() => [...document.querySelectorAll('#keys-help, #keys-help *')].filter((e) =>
    [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())
    && e.getBoundingClientRect().width).map((e) =>
    [parseFloat(getComputedStyle(e).fontSize), e.textContent.trim().slice(0, 30)])"""


def test_the_keys_list_is_room_sized_and_fits_the_window(watched: Watched) -> None:
    page = watched.page
    page.set_viewport_size({"width": 1920, "height": 1080})
    watched.open("/?preset=hello&present=1")
    press_and_wait(page, "PageDown", "Showing forward step t = 1,")
    page.keyboard.press("?")
    dialog = page.locator("#keys-help")
    assert dialog.is_visible()
    texts = page.evaluate(KEYS_TEXT)
    assert len(texts) >= 2 * 7, texts  # each key and what it does, the heading, Close
    too_small = [(size, text) for size, text in texts if size < 28]
    assert too_small == [], too_small
    # whole inside the window, nothing to scroll to (a clicker cannot scroll)
    assert inside(box(dialog), WINDOW), box(dialog)
    hidden = dialog.evaluate("d => d.scrollHeight - d.clientHeight")
    assert hidden <= 0, hidden
    for row in dialog.locator("tr").all():
        assert inside(box(row), box(dialog))
    assert inside(box(page.locator("#keys-close")), WINDOW)
    page.keyboard.press("Escape")
    assert not dialog.is_visible()
    # out of presentation mode the list keeps the page's own type
    page.keyboard.press("p")
    page.keyboard.press("?")
    assert max(size for size, _ in page.evaluate(KEYS_TEXT)) < 28
    assert watched.errors == []


# WCAG 2's contrast of each shown text cell of the formula panel (every heat-map table cell,
# the entry in view among them), of the term list's buttons and of the running sum in view:
# its computed colour against the computed background it is drawn on (its own, else the
# nearest ancestor's that is not transparent).
CONTRASTS = """() => {
    const rgb = (text) => text.match(/[\\d.]+/g).map(Number);
    const luminance = (colour) => rgb(colour).slice(0, 3).map((c) => {
        const v = c / 255;
        return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    }).reduce((sum, v, n) => sum + v * [0.2126, 0.7152, 0.0722][n], 0);
    const background = (e) => {
        for (; e; e = e.parentElement) {
            const colour = getComputedStyle(e).backgroundColor;
            const parts = rgb(colour);
            if (parts.length < 4 || parts[3] > 0) return colour;
        }
        return 'rgb(255, 255, 255)';
    };
    const cells = '#formula td, #formula .running-item.current, #term-list button';
    return [...document.querySelectorAll(cells)].filter((e) => e.textContent.trim()
        && e.getBoundingClientRect().width && parseFloat(getComputedStyle(e).fontSize) > 0
        && !e.closest('.katex-mathml')).map((e) => {
        const [a, b] = [luminance(getComputedStyle(e).color), luminance(background(e))];
        const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        const lit = e.matches('.in-view, .current');
        return [ratio, lit, e.className + ' ' + e.textContent.trim().slice(0, 12)];
    });
}"""
AA = 4.5


def assert_readable(page: Page, view: str) -> int:
    """Every text cell at WCAG AA; returns how many highlighted ones (in view, current) it read."""
    found = page.evaluate(CONTRASTS)
    faint = [(round(ratio, 2), what) for ratio, _, what in found if ratio < AA]
    assert faint == [], (view, faint[:5])
    return sum(lit for _, lit, _ in found)


def test_every_highlighted_cell_of_hello_is_readable_at_aa(watched: Watched) -> None:
    # the entry in view of hello's grids, white on the Okabe-Ito orange, read 2.2:1 (and light
    # orange cells with white numbers down to 1.8:1); every cell now takes black or white ink,
    # whichever contrasts more with its colour
    page = watched.page
    page.set_viewport_size({"width": 1920, "height": 1080})
    watched.open("/?preset=hello&present=1")
    lit: list[int] = []
    walk_hello(page, lambda note: lit.append(assert_readable(page, note)))
    assert sum(lit) >= 38, lit  # a marked entry and the term in view in every term's view
    # E moves the entry in view to other cells (light and dark ones)
    for _ in range(5):
        page.keyboard.press("e")
        assert_readable(page, "the update, after E")
    # the normal view's grids take the same ink
    page.keyboard.press("p")
    assert_readable(page, "the update, out of presentation mode")
    assert watched.errors == []


def test_a_dropped_term_in_view_is_readable_at_aa(watched: Watched) -> None:
    # a term the truncation window drops, in view, was white on #8a8a8a in the term list (3.5:1)
    page = watched.page
    page.set_viewport_size({"width": 1920, "height": 1080})
    watched.open("/")
    open_editor_session(watched, truncation="1")
    page.keyboard.press("p")
    for t in (1, 2, 3):
        press_and_wait(page, "PageDown", f"Showing forward step t = {t},")
    notes = []
    for _ in range(12):
        press_and_wait(page, "PageDown", "Showing backward step")
        notes.append(page.locator("#view-note").text_content())
        if page.locator("#term-list .term-button.dropped.current").count():
            break
    assert page.locator("#term-list .term-button.dropped.current").count() == 1, notes
    assert assert_readable(page, notes[-1]) >= 1
    assert watched.errors == []

"""Presentation mode at 1920x1080: node and formula text at least 28 px on screen, the editor
hidden, driven by a clicker (PageDown, PageUp, space) and a key (?) that lists every key."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Page

from tests.page.conftest import Watched
from tests.page.helpers import (
    LIT_IDS,
    box,
    inside,
    lit_ids,
    numbers_of,
    path_ids,
    press_and_wait,
)
from tests.page.test_worked import r_entry_is_worked_out

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


# What a room sees of the formula panel: every box within the panel's width (MathML copies
# are visually hidden, so left out), and the size of all drawn text: each KaTeX formula and
# each element with text of its own, a formula's sub- and superscripts, its fractions' parts
# and a script's script (KaTeX's .msupsub and .vlist spans) among them. A heat-map cell
# whose number is not drawn (font-size 0) is a colour square; its number stays in the grid's
# label, in the table its shape opens, and in the entry written out under the factors.
PANEL_FIT = """f => {
    const style = getComputedStyle(f);
    const outer = f.getBoundingClientRect();
    const [left, right] = [outer.left + parseFloat(style.paddingLeft) - 1,
                           outer.right - parseFloat(style.paddingRight) + 1];
    const wide = [], small = [], squares = [];
    for (const e of f.querySelectorAll('*')) {
        if (e.closest('.katex-mathml')) continue;
        const r = e.getBoundingClientRect();
        if (!r.width || !r.height) continue;
        const name = e.tagName + '.' + (e.getAttribute('class') || '');
        if (r.left < left || r.right > right) wide.push(name);
        const text = [...e.childNodes].some(
            (n) => n.nodeType === 3 && n.textContent.replace(/\\u200b/g, '').trim());
        if (!text && !e.classList.contains('katex')) continue;
        const size = parseFloat(getComputedStyle(e).fontSize);
        if (size === 0) squares.push(Math.min(r.width, r.height));
        else small.push([size, name + ' ' + e.textContent.slice(0, 30)]);
    }
    return { sideways: f.scrollWidth - f.clientWidth, wide, sizes: small, squares };
}"""


def assert_fits_the_room(page: Page, view: str) -> None:
    """The panel's text in room type and within its width; the page never wider than the window."""
    page_wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert page_wide <= 0, (view, page_wide)
    found = page.eval_on_selector("#formula", PANEL_FIT)
    assert found["sideways"] <= 1, view
    assert found["wide"] == [], (view, found["wide"][:5])
    too_small = [(size, what) for size, what in found["sizes"] if size < 28]
    assert found["sizes"] and too_small == [], (view, too_small[:5])
    assert all(side >= 28 for side in found["squares"]), (view, found["squares"])


def walk_hello(page: Page, each_view: Callable[[str], None]) -> int:
    """Walk hello as a presenter does, from a clicker (PageDown, space) and the arrow key:
    every forward step, every term of every backward step, the update. Returns the views."""
    keys = ("PageDown", " ", "ArrowRight")
    notes = [f"forward step t = {t}," for t in (1, 2, 3, 4)]
    for t, count in ((4, 5), (3, 8), (2, 11), (1, 14)):
        notes += [f"backward step t = {t}, term {n} of {count}," for n in range(1, count + 1)]
    notes.append("the update of epoch 1")
    for index, note in enumerate(notes):
        press_and_wait(page, keys[index % len(keys)], f"Showing {note}")
        each_view(note)
    return len(notes)


# Each shown heat map: its value as sent, its columns, the text drawn in each cell at room size
# ("" where none is drawn: a colour square), the cells marked as the entry in view (row,
# column) and whether it holds the term's entry in view (the term, its sums so far).
SHOWN_GRIDS = """() => [...document.querySelectorAll('#formula .heatmap')].filter((h) => {
    const grid = h.querySelector(':scope > .heatmap-grid');
    return grid && grid.getBoundingClientRect().width;
}).map((h) => {
    const value = JSON.parse(h.dataset.value);
    return {
        value,
        columns: Array.isArray(value[0]) ? value[0].length : 1,
        cells: [...h.querySelectorAll('.heatmap-grid td')].map((td) =>
            parseFloat(getComputedStyle(td).fontSize) >= 28 ? td.textContent : ''),
        marked: [...h.querySelectorAll('.in-view')].map((c) => [+c.dataset.row, +c.dataset.column]),
        term: h.matches('#term-value, .summary-running, .product-value, .running-item.current *'),
        note: h.querySelector(':scope > .entry-note')?.textContent ?? null,
        id: h.id,
    };
})"""
SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")


def number_read(text: str) -> float:
    """A cell's number as written: -0.3033, −5.896×10⁻⁴."""
    text = text.replace("−", "-")
    if "×10" not in text:
        return float(text)
    mantissa, power = text.split("×10")
    return float(mantissa) * 10 ** int(power.translate(SUPERSCRIPT))


def assert_grids_numbered(page: Page, view: str, grids: list | None = None) -> tuple[int, int]:
    """Every shown grid of up to 4 columns writes its numbers in its cells; a wider one writes
    them all or is colour squares. Returns how many matrices write their numbers, and how many
    of those have 5 columns or more. `grids`: SHOWN_GRIDS as read for this view."""
    grids = page.evaluate(SHOWN_GRIDS) if grids is None else grids
    for grid in grids:
        numbers = numbers_of(grid["value"])
        assert len(grid["cells"]) == len(numbers), (view, grid)
        if grid["columns"] > 4 and set(grid["cells"]) == {""}:
            continue  # colour squares: PANEL_FIT checks their side
        assert "" not in grid["cells"], (view, grid)
        for text, number in zip(grid["cells"], numbers, strict=True):
            assert math.isclose(number_read(text), number, rel_tol=1e-3, abs_tol=1e-12), view
    written = [g for g in grids if isinstance(g["value"][0], list) and "" not in g["cells"]]
    return len(written), sum(g["columns"] > 4 for g in written)


# The term's entry line, "[term]_{i,j} = r_i · [∂⁺]_{i,j} = ...", not the r_i line worked out.
TERM_LINE = "#formula .term-entry .product-numbers:not(.row-entry) .katex-mathml"


def assert_entry_marked(page: Page, view: str, grids: list | None = None) -> tuple[int, int]:
    """In a term's view each shown grid of the term's shape that holds its entry in view (the
    term, its sum so far, its running sum) marks that one cell, the entry its lines name.
    Returns that entry."""
    grids = page.evaluate(SHOWN_GRIDS) if grids is None else grids
    i, j = picked_entry(page)
    shape = matrix_shape(json.loads(page.get_attribute("#term-value", "data-value") or "null"))
    holding = [g for g in grids if g["term"] and matrix_shape(g["value"]) == shape]
    if page.locator("#term-value.heatmap").count():  # else typeset: a b_y term's 4 numbers
        assert len(holding) >= 2, (view, "the term and its sum so far")
    for grid in grids:
        assert grid["marked"] == ([[i, j]] if grid in holding else []), (view, grid["marked"])
    entry = page.locator(TERM_LINE).text_content()
    assert entry and f"{i + 1},{j + 1}" in entry.replace(" ", ""), (view, entry)
    return i, j


def assert_colour_grids_write_their_entry(page: Page, view: str, grids: list | None = None) -> int:
    """A grid of colour squares that marks the entry in view writes it out under it, "[4,6] =
    0.2283", its number the grid's; a grid with its numbers in its cells writes none. Returns
    how many grids wrote their entry."""
    written = 0
    for grid in page.evaluate(SHOWN_GRIDS) if grids is None else grids:
        colours = set(grid["cells"]) == {""}
        if not (colours and grid["marked"]):
            assert grid["note"] is None, (view, grid["note"])
            continue
        written += 1
        ((i, j),) = grid["marked"]
        place, number = grid["note"].split(" = ")
        rows = [row if isinstance(row, list) else [row] for row in grid["value"]]
        assert place == (f"[{i + 1},{j + 1}]" if len(rows[0]) > 1 else f"[{i + 1}]"), (view, place)
        assert math.isclose(number_read(number), rows[i][j], rel_tol=1e-3, abs_tol=1e-12), view
    return written


# The narrow face's state in the page's font set (static/vendor/pt-sans-narrow-5.3.0).
NARROW_FACE = """() => [...document.fonts]
    .filter((f) => f.family.replace(/"/g, '') === 'PT Sans Narrow').map((f) => f.status)"""


def resize(page: Page, width: int, height: int) -> None:
    """The window resized, and the page's resize handler run (it comes before the next frame)."""
    page.set_viewport_size({"width": width, "height": height})
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")


def term_numbers_written(grids: list) -> bool:
    """Whether the term's grid ("term =") writes its numbers in its cells at room size."""
    (grid,) = [g for g in grids if g["id"] == "term-value"]
    return "" not in grid["cells"]


# Each entry line of the update (presentation mode) with the row above it: its parameter, its
# LaTeX, and the cells marked in the row's old weights, gradient and new weights.
UPDATE_ENTRIES = """() => [...document.querySelectorAll('#formula .update-entry')].map((line) => {
    const row = line.previousElementSibling;
    const marked = (kind) => [...row.querySelectorAll(`.${kind}.heatmap > .heatmap-grid .in-view`)]
        .map((c) => [+c.dataset.row, +c.dataset.column]);
    return { param: line.dataset.param, row: row.dataset.param,
             latex: line.querySelector('annotation').textContent,
             marked: ['param-old', 'param-grad', 'param-new'].map(marked) };
})"""
LATEX_NUMBER = re.compile(r"[-−]?\d+(?:\.\d+)?(?: \\times 10\^\{([-−]?\d+)\})?")


def latex_numbers(latex: str) -> list[float]:
    """The numbers of a line as typeset, in reading order (a subscript's entry left out)."""
    latex = re.sub(r"_\{[^}]*\}", "", latex).replace("−", "-")
    numbers = []
    for match in LATEX_NUMBER.finditer(latex.replace("−", "-")):
        mantissa = float(match.group(0).split(" ")[0])
        numbers.append(mantissa * 10 ** int(match.group(1)) if match.group(1) else mantissa)
    return numbers


def assert_update_entries(page: Page, update: dict, named: dict[str, tuple[int, int]]) -> set[str]:
    """Each matrix of the update marks one entry in its old weights, gradient and new weights:
    the one the term views last named for it (else the largest change), written out as new =
    old − η × g with the API's numbers, which add up as shown. Returns the parameters."""
    found = page.evaluate(UPDATE_ENTRIES)
    for line in found:
        name = line["param"]
        assert line["row"] == name, line
        old_value, new_value = update["params_old"][name], update["params_new"][name]
        i, j = named.get(name) or largest_change(old_value, new_value)
        assert line["marked"] == [[[i, j]]] * 3, (name, line["marked"], (i, j))
        sent = [rows_of(value)[i][j] for value in (old_value, update["grads"][name], new_value)]
        sent.insert(1, update["learning_rate"])
        shown = latex_numbers(line["latex"].split(" = ", 1)[1])
        assert len(shown) == 4, line["latex"]
        for number, exact in zip(shown, sent, strict=True):
            assert math.isclose(number, exact, rel_tol=1e-3, abs_tol=1e-12), (line["latex"], sent)
        old, eta, grad, new = shown
        assert math.isclose(old - eta * grad, new, rel_tol=1e-3, abs_tol=1e-9), line["latex"]
    return {line["param"] for line in found}


def rows_of(value: list) -> list[list[float]]:
    return [row if isinstance(row, list) else [row] for row in value]


def largest_change(old: list, new: list) -> tuple[int, int]:
    """The first entry whose |new − old| is largest."""
    pairs = zip(rows_of(old), rows_of(new), strict=True)
    changes = [
        (abs(b - a), (i, j))
        for i, (row_old, row_new) in enumerate(pairs)
        for j, (a, b) in enumerate(zip(row_old, row_new, strict=True))
    ]
    return max(changes, key=lambda change: change[0])[1]


def matrix_shape(value: list) -> tuple[int, int]:
    return len(value), len(value[0]) if isinstance(value[0], list) else 1


# The term list (a button per term) and the loss chart's text ("L before", "L after", ticks):
# room type, inside the side panel.
SIDE_TEXT = """() => {
    const side = document.querySelector('.side-panel').getBoundingClientRect();
    const chart = document.getElementById('loss-chart');
    const scale = chart.getBoundingClientRect().width / chart.viewBox.baseVal.width;
    const texts = [...document.querySelectorAll('#term-list :is(h3, .term-param, button)')]
        .map((e) => [e, parseFloat(getComputedStyle(e).fontSize)])
        .concat([...chart.querySelectorAll('text')]
            .map((e) => [e, parseFloat(getComputedStyle(e).fontSize) * scale]));
    return texts.filter(([e]) => e.getBoundingClientRect().width).map(([e, size]) => {
        const r = e.getBoundingClientRect();
        const inside = r.left >= side.left - 0.5 && r.right <= side.right + 0.5;
        return [e.textContent.slice(0, 20), size, inside];
    });
}"""


def assert_side_fits(page: Page, view: str) -> list[str]:
    """Returns the texts of the term list and the loss chart, each checked."""
    texts = page.evaluate(SIDE_TEXT)
    for text, size, inside_panel in texts:
        assert size >= 28 and inside_panel, (view, text, size, inside_panel)
    return [text for text, _, _ in texts]


@dataclass
class HelloWalk:
    """What one walk of hello in presentation mode saw, view by view."""

    matrices: dict[str, tuple[int, int]] = field(default_factory=dict)
    side: list[str] = field(default_factory=list)  # the term list's and loss chart's texts
    named: dict[str, tuple[int, int]] = field(default_factory=dict)  # each param's last entry
    w_h_written: list[bool] = field(default_factory=list)  # each 6×6 W_h term: numbers in cells
    paths: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # each lit path
    worked_r: list[str] = field(default_factory=list)  # terms with r_i = Σ_m a_m [W_y]_{m,i}


def check_room_type(watched: Watched, walk: HelloWalk, note: str, term: dict | None) -> None:
    """The view within the width, in room type; its grids numbered or colour squares with
    their entry in view marked and written out."""
    page = watched.page
    assert_fits_the_room(page, note)
    grids = page.evaluate(SHOWN_GRIDS)
    walk.matrices[note] = assert_grids_numbered(page, note, grids)
    walk.side.extend(assert_side_fits(page, note))
    assert_colour_grids_write_their_entry(page, note, grids)
    if term is not None:
        shown = page.get_attribute("#term-value", "data-value")
        assert json.loads(shown) == term["value"], note
        i, j = assert_entry_marked(page, note, grids)
        if rows_of(json.loads(shown))[i][j] != 0:  # W_h's term at t = 1 is 0 (h_0 = 0)
            walk.named[term["param"]] = (i, j)
        if term["param"] == "W_h":
            walk.w_h_written.append(term_numbers_written(grids))
        if page.locator("#formula .row-entry").count():  # r = the loss's row times W_y
            r_entry_is_worked_out(page, term)
            walk.worked_r.append(term["id"])


def check_lit_path(watched: Watched, walk: HelloWalk, note: str, term: dict | None) -> None:
    """The press's result in the window, the graph's text clear, nothing under the head; the
    step's or term's path lit, every node of it inside the graph and the window."""
    page = watched.page
    assert_result_in_view(page, note)
    assert_graph_text_clear(page, note)
    assert_nothing_under_the_head(page, note)
    if note.startswith("forward"):
        t = int(note.split("t = ")[1].split(",")[0])
        path = watched.state()["forward"][t - 1]["path"]
    elif term is not None:
        path = term["path"]
    else:
        return
    assert lit_ids(page) == path_ids(path), note
    assert "L" in path["nodes"], note
    assert_lit_nodes_in_view(page, path["nodes"], note)
    walk.paths[note] = path


def test_every_view_of_hello_fits_the_room_with_its_lit_path_in_view(watched: Watched) -> None:
    # One walk of hello's 43 views (it was two walks, one per check), each view checked for:
    # - the width and room type: 13 of hello's views ran past the panel's right edge: the 6×6
    #   term matrices and the long summary lines; matrices of 5 columns or more write their
    #   numbers when they fit the panel, else they are colour heat maps, the term's entry in
    #   view marked and written out;
    # - the lit path: following it scrolled the graph to h_t and cut off h_0 or L at the other
    #   end; a term's panel is 2,000-4,000 px tall and the page never scrolled: its product and
    #   running sum were never on screen. Now each press scrolls the window to its result; the
    #   graph stays in view beside the panel.
    page = watched.page
    page.set_viewport_size({"width": 1920, "height": 1080})
    watched.open("/?preset=hello&present=1")
    assert_fits_the_room(page, "start")
    walk = HelloWalk()

    def check(note: str) -> None:
        term = None
        if note.startswith("backward"):
            term = watched.term(page.get_attribute("#formula .term-product", "data-term"))
        check_room_type(watched, walk, note, term)
        check_lit_path(watched, walk, note, term)

    assert walk_hello(page, check) == 4 + 38 + 1
    assert len(walk.paths) == 4 + 5 + 8 + 11 + 14
    # the update lights nothing: the whole unrolled graph is in view, h_0 to L
    steps = page.eval_on_selector_all("#graph .node:not(.node-param)", LIT_IDS)
    assert {"h_0", "x_1", "L", "loss_4"} <= set(steps)
    assert_lit_nodes_in_view(page, steps, "update")
    assert_the_update_in_the_room(watched, walk)
    # leaving presentation mode and coming back keeps the lit path in view at the new scale
    press_and_wait(page, "PageUp", "Showing backward step t = 1, term 14 of 14,")
    for key in ("p", "p"):
        page.keyboard.press(key)
    assert page.locator("body.present").count() == 1
    assert_lit_nodes_in_view(
        page, walk.paths["backward step t = 1, term 14 of 14,"]["nodes"], "P, P"
    )
    assert_the_scales_and_p_in_the_room(page)
    assert watched.errors == []


def assert_the_update_in_the_room(watched: Watched, walk: HelloWalk) -> None:
    """After the walk, at the update."""
    page = watched.page
    # the update marks an entry of each matrix, the one its term views last named, and writes
    # it out: W_x (6×4), W_h (6×6), b (6) and W_y (4×6) are grids; b_y's 4 numbers are typeset
    update = watched.state()["last_update"]
    assert assert_update_entries(page, update, walk.named) == {"W_x", "W_h", "b", "W_y"}
    # every 6×6 W_h term writes its numbers at 28 px, in the vendored narrow face (no network)
    assert len(walk.w_h_written) == 1 + 2 + 3 + 4 and all(walk.w_h_written), walk.w_h_written
    # r_i worked out in each term at t = k of W_x, W_h and b (after the entry lines here)
    at_k = [f"{param}:{t}:{t}" for param in ("W_x", "W_h", "b") for t in range(1, 5)]
    assert sorted(walk.worked_r) == sorted(at_k), walk.worked_r
    assert page.evaluate(NARROW_FACE) == ["loaded"] and watched.foreign_requests() == []
    # a window too narrow for them (1280×800): the update's 6-column grids are colour squares,
    # and each writes its entry in view under it (old, gradient and new of W_h and W_y)
    resize(page, 1280, 800)
    assert assert_colour_grids_write_their_entry(page, "update at 1280×800") >= 6
    assert assert_update_entries(page, update, walk.named) == {"W_x", "W_h", "b", "W_y"}
    resize(page, 1920, 1080)
    assert assert_colour_grids_write_their_entry(page, "update at 1920×1080") == 0
    # the update's W_x, gradient and new W_x, a W_x term and its running sum: numbers written
    matrices = walk.matrices
    assert matrices["the update of epoch 1"][0] >= 3
    assert max(matrices[note][0] for note in matrices if "backward step t = 1" in note) >= 2
    # a 4×6 W_y term and its sums so far, written in narrow type, in some views
    assert sum(wide for _, wide in matrices.values()) >= 3, matrices
    assert {"L before", "L after", "ℓ_4", "∂L/∂W_h"} <= set(walk.side)


def assert_the_scales_and_p_in_the_room(page: Page) -> None:
    """From hello's last term: the colour scales in room type; P, P redraws the grids."""
    # the colour scales' values too (they were 12.6 px), and the heat map in view: a term's
    # 6×6 matrix, its cells as colour squares, the entry in view written out with numbers
    press_and_wait(page, "PageUp", "Showing backward step t = 1, term 13 of 14,")
    scale_values = page.locator("#formula .colour-scale .scale-value")
    assert scale_values.count() >= 2
    assert smallest(page, "#formula .colour-scale .scale-value", FONT) >= 28
    # P redraws the grids at once: W_x's running sum is colour cells in the normal view, its
    # numbers at room size in presentation mode, as the view drawn again would show them
    running = "#formula .running-item[data-param='W_x'] .heatmap-grid"
    page.keyboard.press("p")
    assert page.locator("body.present").count() == 0
    assert page.eval_on_selector(running, "g => g.tagName") == "svg"
    page.keyboard.press("p")
    assert page.eval_on_selector(running, "g => g.tagName") == "TABLE"
    assert assert_grids_numbered(page, "after P, P")[0] >= 2
    assert_fits_the_room(page, "after P, P")
    assert_entry_marked(page, "after P, P")
    # E moves the mark with the entry in view
    page.keyboard.press("e")
    assert_entry_marked(page, "after E")


# The boxes of the graph's scroller, the head and each named node's box, read at once (a
# read per box cost 10 s of a walk of hello): each a list of the boxes its selector matches,
# None for one not rendered (as Playwright's bounding_box); polled until every one is there.
RENDERED_BOX = """(e) => {
    if (!e.getClientRects().length) return null;
    const r = e.getBoundingClientRect();
    return { x: r.x, y: r.y, width: r.width, height: r.height };
}"""
NODE_BOXES = f"""nodes => {{
    const rect = {RENDERED_BOX};
    const all = (selector) => [...document.querySelectorAll(selector)].map(rect);
    const found = [all('.graph-scroll'), all('#present-head'),
        ...nodes.map((node) => all(`#graph [data-id='${{node}}'] .node-box`))];
    return found.every((boxes) => boxes.length) && found;
}}"""


def only_box(boxes: list, what: str) -> dict[str, float]:
    """The one rendered box of a selector (as box(): one element, displayed)."""
    assert len(boxes) == 1 and boxes[0] is not None, (what, boxes)
    return boxes[0]


def assert_lit_nodes_in_view(page: Page, nodes: list[str], view: str) -> None:
    graph, head, *found = page.wait_for_function(NODE_BOXES, arg=nodes).json_value()
    graph, head = only_box(graph, ".graph-scroll"), only_box(head, "#present-head")
    for node, boxes in zip(nodes, found, strict=True):
        found = only_box(boxes, node)
        assert inside(found, graph) and inside(found, WINDOW), (view, node, found, graph)
        assert found["y"] >= head["y"] + head["height"] - 0.5, (view, node, "under the head")


WINDOW = {"x": 0, "y": 0, "width": 1920, "height": 1080}


# Each drawn text of the graph (a label, a number, a vector's "max 0.26") as the window shows
# it: inside its own node's border (within the stroke's inner edge), on no other text, on no
# heat-map cell and on no other node's box. Returns what collides.
GRAPH_TEXT_COLLISIONS = """() => {
    const svg = document.querySelector('#graph');
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    const shared = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5
        && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
    const texts = [...svg.querySelectorAll('text')]
        .filter((t) => t.textContent.trim() && t.getBoundingClientRect().width);
    const cells = [...svg.querySelectorAll('.node .heat-cell')];
    const boxes = [...svg.querySelectorAll('.node-box')];
    const found = [];
    for (const text of texts) {
        const r = text.getBoundingClientRect();
        const own = text.closest('.node').querySelector('.node-box');
        const o = own.getBoundingClientRect();
        const inset = parseFloat(getComputedStyle(own).strokeWidth) * scale / 2 - 0.5;
        const name = own.parentNode.dataset.id + ' ' + text.textContent;
        if (r.left < o.left + inset || r.right > o.right - inset
            || r.top < o.top + inset || r.bottom > o.bottom - inset) found.push(name + ' border');
        const hit = (e) => e !== text && e !== own && shared(r, e.getBoundingClientRect());
        for (const e of [...texts, ...cells, ...boxes].filter(hit)) {
            found.push(name + ' on ' + e.closest('.node').dataset.id + ' ' + e.textContent);
        }
    }
    return found;
}"""


def assert_graph_text_clear(page: Page, view: str) -> None:
    assert page.evaluate(GRAPH_TEXT_COLLISIONS) == [], view


# What of the formula panel lies under the head (fixed at the window's top): each box either
# scrolled wholly out of the window above it, or wholly below the head. Returns the others.
UNDER_THE_HEAD = """() => {
    const head = document.getElementById('present-head').getBoundingClientRect().bottom;
    return [...document.querySelectorAll('#formula *')].filter((e) => {
        if (e.closest('.katex-mathml')) return false;
        const r = e.getBoundingClientRect();
        return r.width && r.height && r.bottom > 0.5 && r.top < head - 0.5;
    }).map((e) => e.tagName + '.' + (e.getAttribute('class') || '') + ' '
        + e.textContent.slice(0, 30));
}"""


def assert_nothing_under_the_head(page: Page, view: str) -> None:
    under = page.evaluate(UNDER_THE_HEAD)
    assert under == [], (view, under[:5])


def result_lines(note: str) -> list[str]:
    """The lines that say what a press computed and what it is: the head (the status line and
    the view's heading, fixed at the window's top); a forward step: all its lines, h_t's to z_t's
    entry; a term's value line ("term =", "so far ="), its product
    entry and the running sum it adds to ("so far = before + term"); the update's rule and
    L before and after."""
    head = ["#status", "#view-heading"]
    if note.startswith("forward"):
        # h_t's line, ŷ_t, ℓ_t and z_t's entry written out after them (it reached below the window)
        return [
            *head,
            "#formula .step-line",
            "#formula .loss-line",
            "#formula .output-entry-box",
        ]
    if note.startswith("backward"):
        return [
            *head,
            "#formula .term-summary",
            "#formula .term-entry .product-numbers",
            "#formula .term-entry .running-sum",
        ]
    return [*head, "#formula .update-rule", "#formula .compare-loss"]


# The size each glyph of a line is set in (KaTeX's sub- and superscripts and fractions' parts
# at 50-70% of the line's size; its MathML copy is hidden), as a room sees them; a heat map's
# cell drawn without its number (font-size 0) is a colour square (PANEL_FIT checks its side).
GLYPHS = """selector => [...document.querySelectorAll(selector)].flatMap(line =>
    [line, ...line.querySelectorAll('*')].filter(e => !e.closest('.katex-mathml') &&
        [...e.childNodes].some(n =>
            n.nodeType === 3 && n.textContent.replace(/\\u200b/g, '').trim())
        && e.getBoundingClientRect().width).map(e => parseFloat(getComputedStyle(e).fontSize))
    ).filter(size => size > 0)"""


OPTIONAL_LINES = ("#formula .loss-line", "#formula .output-entry-box")
# The heading, the head's box and each result line's last box, its and its formulas' type
# sizes and its glyphs' (GLYPHS), read at once; polled until every line that must be there is.
RESULT_LINES = f"""([selectors, optional]) => {{
    const rect = {RENDERED_BOX};
    const glyphs = {GLYPHS};
    const font = (e) => parseFloat(getComputedStyle(e).fontSize);
    const lines = selectors.map((selector) => {{
        const all = document.querySelectorAll(selector);
        if (!all.length) return {{ selector, count: 0 }};
        return {{ selector, count: all.length, box: rect(all[all.length - 1]),
            fonts: [...document.querySelectorAll(`${{selector}}, :is(${{selector}}) .katex`)]
                .map(font), glyphs: glyphs(selector) }};
    }});
    const heads = [...document.querySelectorAll('#present-head')].map(rect);
    const heading = document.getElementById('view-heading');
    if (!heading || !heads.length
        || lines.some((l) => !l.count && !optional.includes(l.selector))) return null;
    const h2 = [...document.querySelectorAll('#formula > h2')].map((e) => e.textContent);
    return {{ heading: heading.innerText, h2, heads, lines }};
}}"""


def assert_result_in_view(page: Page, note: str) -> None:
    """The press's result lines whole inside the window (not just the panel) and none hidden
    under the head, in room type; the heading is the panel's own."""
    arg = [result_lines(note), list(OPTIONAL_LINES)]
    found = page.wait_for_function(RESULT_LINES, arg=arg).json_value()
    assert [found["heading"]] == found["h2"], note
    head = only_box(found["heads"], "#present-head")
    for line in found["lines"]:
        selector = line["selector"]
        if selector in OPTIONAL_LINES and not line["count"]:
            continue  # a step with no loss; one output, no entry to pick (the seed)
        where = line["box"]
        assert where is not None, (note, selector, "not displayed")
        assert inside(where, WINDOW), (note, selector, where, page.evaluate("scrollY"))
        if not selector.startswith("#status") and selector != "#view-heading":
            assert where["y"] >= head["y"] + head["height"] - 0.5, (note, selector, where, head)
        assert line["fonts"] and min(line["fonts"]) >= 28, (note, selector)
        glyphs = line["glyphs"]
        assert min(glyphs) >= 28, (note, selector, "a script or fraction part", min(glyphs))


def test_a_clicker_walks_the_seed_with_each_result_and_its_path_in_view(watched: Watched) -> None:
    page = watched.page
    page.set_viewport_size({"width": 1920, "height": 1080})
    watched.open("/?present=1")
    keys = ("PageDown", " ", "ArrowRight")
    notes: list[str] = []
    while not notes or "update" not in notes[-1]:
        old = page.locator("#view-note").inner_text()
        page.keyboard.press(keys[len(notes) % len(keys)])
        page.wait_for_function(
            "old => document.getElementById('view-note').textContent !== old && "
            "document.querySelector('#formula [data-waiting]') === null",
            arg=old,
        )
        note = page.locator("#view-note").inner_text().removeprefix("Showing ")
        notes.append(note)
        assert_result_in_view(page, note)
        lit = page.eval_on_selector_all("#graph .node.lit", LIT_IDS)
        assert lit or "update" in note, note
        assert_lit_nodes_in_view(page, lit, note)
        assert smallest(page, "#graph .node-label", ON_SCREEN) >= 28
        assert len(notes) < 40, notes
    assert sum(note.startswith("backward") for note in notes) >= 6, notes
    assert watched.errors == []


@pytest.mark.parametrize("preset", ["gru-update-gate", "lstm-remembers"])
def test_gated_cells_forward_lines_wrap_inside_the_panel(watched: Watched, preset: str) -> None:
    """A GRU's n_t line (tanh of a sum of matrix products) ran 121 px past the panel's edge:
    it could not wrap inside its brackets. Now it wraps after a "+" or a "·" inside them."""
    page = watched.page
    page.set_viewport_size({"width": 1920, "height": 1080})
    watched.open(f"/?preset={preset}&present=1")
    for t in (1, 2, 3):
        press_and_wait(page, "ArrowRight", f"Showing forward step t = {t},")
        assert_fits_the_room(page, f"{preset} forward t = {t}")
    assert watched.errors == []


# The term's entry picker's row and column selects' values, read at once once it is there.
PICKED = """() => {
    const pickers = [...document.querySelectorAll('#formula .term-product > .entry-picker')];
    const values = (name) => pickers.flatMap((p) => [...p.querySelectorAll(name)])
        .map((e) => e.value);
    const [rows, columns] = [values('.entry-row'), values('.entry-column')];
    return pickers.length && rows.length && [pickers.length, rows, columns];
}"""


def picked_entry(page: Page) -> tuple[int, int]:
    """The term's entry in view as its picker says (0-based; a vector's column is 0)."""
    pickers, rows, columns = page.wait_for_function(PICKED).json_value()
    assert pickers == 1 and len(rows) == 1 and len(columns) <= 1, (pickers, rows, columns)
    return int(rows[0]), int(columns[0]) if columns else 0


@pytest.mark.parametrize("present", [True, False])
def test_a_term_starts_on_its_largest_entry(watched: Watched, present: bool) -> None:
    """hello's W_x term at t = 4 read "[term]_{1,1} = -0.1885 · 0 = 0" (x_4 is one-hot): a
    term shown first now starts on its largest-magnitude entry, in both modes; a pick stays."""
    page = watched.page
    page.set_viewport_size({"width": 1920, "height": 1080})
    watched.open("/?preset=hello" + ("&present=1" if present else ""))
    for t in (1, 2, 3, 4):
        press_and_wait(page, "ArrowRight", f"Showing forward step t = {t},")
    for n in range(1, 6):
        press_and_wait(page, "ArrowRight", f"Showing backward step t = 4, term {n} of 5,")
        term = watched.term(page.get_attribute("#formula .term-product", "data-term"))
        rows = [row if isinstance(row, list) else [row] for row in term["value"]]
        i, j = picked_entry(page)
        largest = max(abs(number) for row in rows for number in row)
        assert largest > 0 and abs(rows[i][j]) == largest, (n, (i, j), largest)
        entry = page.locator(TERM_LINE).text_content()
        assert entry and f"{i + 1},{j + 1}" in entry.replace(" ", ""), (n, entry)
    page.select_option("#formula .term-product > .entry-picker .entry-row", "0")
    press_and_wait(page, "ArrowLeft", "Showing backward step t = 4, term 4 of 5,")
    press_and_wait(page, "ArrowRight", "Showing backward step t = 4, term 5 of 5,")
    assert picked_entry(page)[0] == 0
    assert watched.errors == []


def test_the_room_reads_the_head_the_toolbar_and_the_graph(watched: Watched) -> None:
    """Type under 28 px in presentation mode: the graph's "max 0.60" (22.5 px), the toolbar and
    the status line (18-20 px), "No epoch completed yet" under the loss (13 px)."""
    page = watched.page
    page.set_viewport_size({"width": 1920, "height": 1080})
    watched.open("/?preset=hello&present=1")
    press_and_wait(page, "ArrowRight", "Showing forward step t = 1,")
    assert smallest(page, "#graph .node-magnitude", ON_SCREEN) >= 28
    assert smallest(page, "#loss-chart text", ON_SCREEN) >= 28
    assert "No epoch completed yet" in page.locator("#loss-chart").text_content()
    surroundings = "#status, #view-heading, .top h1, .controls button, .top button, .loss-box h3"
    assert smallest(page, surroundings, FONT) >= 28
    assert watched.errors == []


def test_the_key_e_steps_the_entry_in_view(watched: Watched) -> None:
    """A presenter moves through a term's entries from the keyboard: E the next entry (row by
    row), shift E the previous; the entry's lines are written out again with its numbers.
    hello's x_t is one-hot: 18 of a W_x term's 24 entries are 0, and E passes over them."""
    page = watched.page
    page.set_viewport_size({"width": 1920, "height": 1080})
    watched.open("/?preset=hello&present=1")
    for t in (1, 2, 3, 4):
        press_and_wait(page, "ArrowRight", f"Showing forward step t = {t},")
    # a forward step: E steps z_t's entry, its lines written out whole inside the window
    # (they reached below it, under ℓ_t), none under the head
    entry_row = page.locator("#formula .output-entry-box .entry-row")
    row = int(entry_row.input_value())
    page.keyboard.press("e")
    assert int(entry_row.input_value()) == (row + 1) % 4
    found = box(page.locator("#formula .output-entry-box"))
    head = box(page.locator("#present-head"))
    assert inside(found, WINDOW) and found["y"] >= head["y"] + head["height"] - 0.5, found
    assert_result_in_view(page, "forward step t = 4, after E")
    for n in range(1, 6):
        press_and_wait(page, "ArrowRight", f"Showing backward step t = 4, term {n} of 5,")
        term_id = page.get_attribute("#formula .term-product", "data-term")
        if term_id.startswith("W_x:"):
            break
    term = watched.term(term_id)
    rows, columns = len(term["value"]), len(term["value"][0])
    numbers = [number for row in term["value"] for number in row]
    non_zero = [n for n, number in enumerate(numbers) if number != 0]
    assert 0 < len(non_zero) < rows * columns, numbers
    start = picked_entry(page)
    seen = [start]
    for _ in range(len(non_zero)):
        page.keyboard.press("e")
        seen.append(picked_entry(page))
    flat = [i * columns + j for i, j in seen]
    first = non_zero.index(flat[0])
    assert flat == [non_zero[(first + n) % len(non_zero)] for n in range(len(seen))], seen
    page.keyboard.press("e")
    i, j = picked_entry(page)
    sum_line = page.locator("#formula .term-entry .running-sum .katex-mathml").text_content()
    assert sum_line and f"{i + 1},{j + 1}" in sum_line.replace(" ", ""), sum_line
    for _ in range(2):
        page.keyboard.press("Shift+E")
    assert picked_entry(page) == seen[-2]
    page.keyboard.press("?")
    keys = page.locator("#keys-help").inner_text()
    assert "E" in keys.split() and "0 are passed over" in keys
    assert watched.errors == []

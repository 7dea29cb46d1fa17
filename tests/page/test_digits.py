"""One reading per number, every number derivable by hand: a student retracing `seed-3-step`
and `hello` with pencil and paper reads each forward line's numbers as the page writes them,
works the line out, and gets its result to the digit written; a quantity that two lines of a
view write (h_t in its own line and in ŷ_t's, ŷ_t in ŷ_t's and in ℓ_t's) reads the same in both.
"""

from __future__ import annotations

import math

from playwright.sync_api import Page

from tests.page.conftest import Watched
from tests.page.helpers import next_view, press_and_wait, run_epoch, walk_to
from tests.page.test_retrace import argument, follows, joined, rounds_to, texts, written

SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")

# The numbers of each heat map in a forward step's result ("= tanh(a) = h"), as written in its
# cells: [the argument a_t, the result h_t].
RESULT_CELLS = """() => [...document.querySelectorAll('#formula .step-line .result .heatmap')]
    .map((h) => [...h.querySelectorAll(':scope > .heatmap-grid td')].map((td) => td.textContent))"""


def as_latex(text: str) -> str:
    """A cell's number as the LaTeX the line checks read: -5.896×10⁻⁴ -> -5.896 \\times 10^{-4}."""
    if "×10" not in text:
        return text
    mantissa, power = text.split("×10")
    return f"{mantissa} \\times 10^{{{power.translate(SUPERSCRIPT)}}}"


def sides(line: str) -> list[str]:
    """A line's forms, "lhs = symbols = numbers = ... = result" split at its "=" signs."""
    return line.split(" \\quad")[0].split(" = ")


def assert_tanh_follows(arguments: list[str], results: list[str], view: str) -> None:
    """Each h_i = tanh(a_i) worked from a_i as written rounds to h_i as written."""
    assert len(arguments) == len(results) > 0, view
    for a, h in zip(arguments, results, strict=True):
        worked = f"\\tanh\\left({as_latex(a)}\\right)"
        assert follows(worked, as_latex(h)), (view, a, h, math.tanh(float(a)))


def test_hellos_vector_lines_follow_from_their_numbers_and_read_alike(watched: Watched) -> None:
    """tanh(−0.3769) was shown = −0.35998 (tanh(−0.3769) = −0.36001): hello's h_t line wrote
    its argument at 4 digits whatever h_t's. Now each entry of a_t has the digits that make
    h_t as written; z_t's entry line writes h_t's entries as the h_t line does, and its result
    as ŷ_t's line reads it; ℓ_t's ŷ entry as ŷ_t's line writes it."""
    page = watched.page
    watched.open("/?preset=hello")
    for t in (1, 2, 3, 4):
        view = f"forward t = {t}"
        press_and_wait(page, "ArrowRight", f"Showing forward step t = {t},")
        a, h = page.evaluate(RESULT_CELLS)
        assert_tanh_follows(a, h, view)
        # [z_t]_k = Σ_j [W_y]_{k,j} [h_t]_j + [b_y]_k: its h_t as the h_t line writes it
        (entry,) = joined(page, "#formula .output-entry")
        *_, numbers, z_k = sides(entry)
        assert follows(numbers, z_k), (view, entry)
        products = numbers.split(" + ")[: len(h)]
        assert [written(p.split(" \\cdot ")[1]) for p in products] == h, (view, entry, h)
        # ŷ_t = softmax(z_t): z_t's entry k as its line wrote it, or that to fewer digits
        # (softmax reads z_t at 5; its entry line stays at 4, as h_t at 6 would not fit a
        # room's window); ℓ_t reads ŷ_t's entry c as ŷ_t's line writes it
        (output,) = joined(page, "#formula .output-line")
        k = int(entry.split("]_{")[1].split("}")[0]) - 1
        z_column = argument_of_softmax(sides(output)[2])
        assert rounds_to(z_column[k], z_k), (view, z_column, z_k)
        (loss,) = joined(page, "#formula .loss-line")
        c = int(loss.split("]_{")[1].split("}")[0]) - 1
        yhat = column(sides(output)[3])
        _, _, shown_yhat, ell = sides(loss)
        assert shown_yhat.removeprefix("-\\log ") == yhat[c], (view, loss, yhat)
        assert follows(shown_yhat, ell), (view, loss)
    assert watched.errors == []


def column(latex: str) -> list[str]:
    """The numbers of a bmatrix column, as written."""
    body = latex.split("\\begin{bmatrix}")[1].split("\\end{bmatrix}")[0]
    return [number.strip() for number in body.split("\\\\")]


def argument_of_softmax(latex: str) -> list[str]:
    return column(latex.removeprefix("\\operatorname{softmax}"))


def assert_seed_step(page: Page, t: int, view: str) -> None:
    """The seed's forward step t worked by hand: h_t = tanh(numbers) = tanh(a_t) = h_t, and at
    t = 3 ŷ_3 = σ(W_y h_3) = σ(z_3) = ŷ_3 and ℓ_3 = −log ŷ_3, each quantity read alike."""
    (line,) = joined(page, "#formula .step-line")
    *_, numbers, via, h = sides(line)
    _, inner = argument(numbers.replace("\\left.", "").replace("\\right.", ""))
    _, a = argument(via)
    assert follows(inner, a), (view, line)
    assert follows(via, h), (view, line)
    if t < 3:
        return
    (output,) = joined(page, "#formula .output-line")
    _, _, product, z_via, yhat = sides(output)
    _, factors = argument(product)
    _, z = argument(z_via)
    assert written(factors.split(" \\cdot ")[-1]) == h, (view, "h_3 alike", line, output)
    assert follows(factors, z) and follows(z_via, yhat), (view, output)
    (loss,) = joined(page, "#formula .loss-line")
    _, _, shown, ell = sides(loss)
    assert shown == f"-\\log {yhat}", (view, "ŷ_3 alike", output, loss)
    assert follows(shown, ell), (view, loss)


def test_the_seeds_forward_lines_read_one_count_per_quantity_at_epochs_1_and_2(
    watched: Watched,
) -> None:
    """h_3 read 0.3557 in its line and 0.35574 in ŷ_3's; epoch 2's ŷ_3 was written 0.605533,
    not what σ(0.4286) gives. Now the lines are solved from ℓ_3 back: each result at the
    digits the next line reads it with, its operands at the digits that make it."""
    page = watched.page
    watched.open("/?preset=seed-3-step")
    for epoch in (1, 2):
        for t in (1, 2, 3):
            press_and_wait(page, "ArrowRight", f"Showing forward step t = {t}, epoch {epoch}")
            assert_seed_step(page, t, f"epoch {epoch}, forward t = {t}")
        if epoch == 1:
            run_epoch(page)  # the rest of epoch 1 and its update: epoch 2 starts
    assert watched.errors == []


def test_the_updates_new_weights_read_alike_in_its_rows_and_on_the_rails(watched: Watched) -> None:
    """The update's table wrote W_h's new weight 0.80037 and its rail 0.8004: one number, two
    counts. Now each rail of one number writes it as the update's row does."""
    page = watched.page
    watched.open("/?preset=seed-3-step")
    walk_to(page, "the update of epoch 1")
    rows = page.locator("#formula .update-row").all()
    assert len(rows) == 4
    for row in rows:
        name = row.get_attribute("data-param")
        (new,) = texts(row, ".param-new")
        rail = page.locator(f"#graph [data-id='{name}'] .node-number").text_content()
        assert rail.replace("−", "-") == written(new), (name, rail, new)
    assert watched.errors == []


# Each factor card of the term in view: its derivative (LaTeX, its colour left off) and its
# value as the card writes it.
FACTOR_VALUES = """() => [...document.querySelectorAll('#formula .factors > .factor')]
    .map((card) => [
        card.querySelector('annotation').textContent
            .replace(/^\\\\textcolor\\{[^}]*\\}\\{(.*)\\}$/, '$1'),
        card.querySelector(':scope > .value annotation').textContent])"""


def test_a_factor_reads_alike_in_every_term_view_of_the_epoch(watched: Watched) -> None:
    """∂ℓ₃/∂z₃ was −0.39487 in one term's view and −0.3949 in another's; ∂h₃/∂h₂ 0.698759,
    0.6988 and 0.69876. Now each factor of one number has one count across the epoch's term
    views (the most any term's product needs), and each view's product still works out
    (test_retrace redoes them)."""
    page = watched.page
    watched.open("/?preset=seed-3-step")
    seen: dict[str, set[str]] = {}
    views = 0
    while "update" not in (note := next_view(page)):
        if "backward step" not in note:
            continue
        views += 1
        for symbol, value in page.evaluate(FACTOR_VALUES):
            seen.setdefault(symbol, set()).add(value)
    assert views == 10
    loss = "\\frac{\\partial \\ell_{3}}{\\partial z_{3}}"  # in every view
    recurrent = "\\frac{\\partial h_{3}}{\\partial h_{2}}"  # in every term through h_2
    assert {loss, recurrent} <= set(seen), seen
    assert all(len(values) == 1 for values in seen.values()), seen
    assert watched.errors == []

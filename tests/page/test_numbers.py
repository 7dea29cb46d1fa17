"""Numbers as a person reads them: factor parts, updates that show the change, parentheses
around negatives, graph numbers inside their boxes, no redundant step, no KaTeX warnings."""

from __future__ import annotations

import math
import random
import re
from decimal import ROUND_HALF_UP, Decimal

from playwright.sync_api import Page

from tests.page.conftest import Watched
from tests.page.helpers import (
    assert_close,
    box,
    click_and_wait,
    formatted,
    inside,
    latex_number,
    open_editor_session,
    press_and_wait,
    run_epoch,
    shown_values,
    single,
    walk_to,
)
from tests.page.test_retrace import joined
from tests.page.test_worked import ANNOTATION

ANNOTATIONS = "els => els.map(e => e.querySelector('annotation').textContent)"


def annotations(page: Page, selector: str) -> list[str]:
    return page.eval_on_selector_all(selector, ANNOTATIONS)


def test_the_sigmoid_bce_loss_factor_shows_its_parts(watched: Watched) -> None:
    page = watched.page
    watched.open("/")
    for _ in range(3):
        click_and_wait(page, "Forward step", "/forward")
    click_and_wait(page, "Backward step", "/backward")
    term = watched.state()["backward"][0]["terms"][0]
    loss = term["factors"][0]
    assert loss["kind"] == "loss" and len(loss["parts"]) == 2
    factor = page.locator("#formula .factor-loss")
    # ∂ℓ_3/∂ŷ_3 = ... = −1.653 and ∂ŷ_3/∂z_3 = ... = 0.2389, then (−1.653)(0.2389) = −0.3949,
    # beneath the factor's own value.
    lines = joined(page, "#formula .factor-loss .part-line")
    assert [line.split(" = ")[0] for line in lines] == [part["latex"] for part in loss["parts"]]
    shown = shown_values(page, "#formula .factor-loss .part-line")
    assert [value for value, _ in shown] == [part["value"][0][0] for part in loss["parts"]]
    for line, part in zip(lines, loss["parts"], strict=True):
        assert_close(latex_number(line.split(" = ")[-1]), part["value"])
    (product,) = joined(page, "#formula .factor-loss .parts-product")
    multiplied = product.split(" = ")[-2]  # each value in parentheses, the negative one too
    assert multiplied.startswith("\\left(-") and multiplied.count("\\left(") == 2, product
    assert box(factor.locator(".factor-parts"))["y"] >= box(factor.locator(":scope > .value"))["y"]
    assert watched.errors == []


def test_the_update_shows_the_change_and_negatives_in_parentheses(watched: Watched) -> None:
    page = watched.page
    watched.open("/")
    # Forward t = 3 of the seed example: 0.5 · (−0.5), x_3 after an operator.
    for t in (1, 2, 3):
        press_and_wait(page, "ArrowRight", f"Showing forward step t = {t},")
    assert any("\\cdot \\left(-0.5\\right)" in a for a in annotations(page, "#formula .katex"))
    run_epoch(page)
    update = watched.state()["last_update"]
    changed = 0
    for name, new in update["params_new"].items():
        old = update["params_old"][name]
        row = f".update-row[data-param='{name}']"
        ((_, shown_old),) = shown_values(page, f"{row} .param-old")
        ((_, shown_new),) = shown_values(page, f"{row} .param-new")
        # Learning rate 0.001: the change is in the 4th to 7th digit, and it shows.
        if single(new) != single(old):
            changed += 1
            assert shown_old != shown_new, name
            assert abs(shown_new - single(new)) < abs(single(new) - single(old)) / 2, name
        (grad,) = annotations(page, f"{row} .param-grad")
        assert grad.startswith("\\left(-") == (single(update["grads"][name]) < 0), name
    assert changed == 4
    assert any(single(g) < 0 for g in update["grads"].values())
    # Epoch 2: the old values are no longer round; old − η·grad = new to the digits shown.
    run_epoch(page)
    update = watched.state()["last_update"]
    eta = update["learning_rate"]
    for name, new in update["params_new"].items():
        row = f".update-row[data-param='{name}']"
        ((old_text,), (new_text,)) = (
            annotations(page, f"{row} .param-{k}") for k in ("old", "new")
        )
        (grad_text,) = annotations(page, f"{row} .param-grad")
        old, new_shown, grad = (latex_number(t) for t in (old_text, new_text, grad_text))
        place = 10.0 ** -max(decimals(old_text), decimals(new_text))
        assert abs(old - single(update["params_old"][name])) <= place / 2 + 1e-15, name
        assert abs(new_shown - single(new)) <= place / 2 + 1e-15, name
        if single(new) != single(update["params_old"][name]):
            assert old != new_shown and abs(old - eta * grad - new_shown) <= place, name
    ((_, shown_old),) = shown_values(page, ".update-row[data-param='W_x'] .param-old")
    assert shown_old != 0.5
    assert watched.errors == []


def decimals(latex: str) -> int:
    """Digits after the point of a plain number as typeset ("0.4999921" -> 7)."""
    text = latex.replace("\\left(", "").replace("\\right)", "").strip()
    return len(text.split(".")[1]) if "." in text else 0


def test_graph_numbers_fit_their_boxes(watched: Watched) -> None:
    """h_1 = -0.007801 and h_2 = 1.225e-16: at most four digits, a compact exponent, inside,
    written as the whole page writes it (1.23×10⁻¹⁶)."""
    page = watched.page
    watched.open("/")
    params = {"W_x": [[-0.0078012]], "W_h": [[0.0]], "b": [1.2251e-16], "W_y": [[1.0]]}
    open_editor_session(
        watched,
        output="identity_mse",
        mode="many_to_many",
        inputs=[[1], [0], [1]],
        targets=[[0], [0], [0]],
        params=params | {"h0": [0.0]},
    )
    for t in (1, 2, 3):
        press_and_wait(page, "ArrowRight", f"Showing forward step t = {t},")
    numbers = page.locator("#graph .node-number").all()
    assert len(numbers) == 3 + 4 + 4 + 3 + 3 + 1  # x, params, h_0..h_3, yhat, loss, L
    texts = []
    for number in numbers:
        node = number.locator("xpath=ancestor::*[@data-id][1]")
        assert inside(box(number), box(node.locator(".node-box"))), number.text_content()
        text = number.text_content()
        mantissa = re.sub(r"×10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+$", "", text).lstrip("-").replace(".", "").lstrip("0")
        assert len(mantissa) <= 4, text
        texts.append(text)
    h = [page.locator(f"[data-id='h_{t}'] .node-number").text_content() for t in (1, 2)]
    assert h == ["-0.00780", "1.23×10⁻¹⁶"] or h == ["-0.00780", "1.22×10⁻¹⁶"]
    assert page.locator("[data-id='b'] .node-number").text_content() == "1.225×10⁻¹⁶"
    # The identity output: "ŷ = W_y h = 1 · (-0.007801) = -0.007801", its numbers put in
    # and then ŷ once, not "= -0.007801 = -0.007801".
    yhat = watched.state()["forward"][2]["yhat"]
    (equation,) = [a for a in annotations(page, "#formula .katex") if a.startswith("\\hat y")]
    assert equation.count("=") == 3 and "\\cdot" in equation.split(" = ")[2]
    assert_close(latex_number(equation.rsplit("=", 1)[-1]), yhat)
    assert watched.errors == []


def test_hello_typesets_without_katex_warnings(watched: Watched) -> None:
    page = watched.page
    watched.open("/?preset=hello")
    for t in (1, 2, 3, 4):
        press_and_wait(page, "ArrowRight", f"Showing forward step t = {t},")
    press_and_wait(page, "ArrowRight", "Showing backward step t = 4, term 1 of")
    press_and_wait(page, "ArrowRight", "Showing backward step t = 4, term 2 of")
    run_epoch(page)
    # A shape in LaTeX is written with \\times, which KaTeX knows.
    shape = page.evaluate(
        """async () => {
        const { latexValue } = await import('/static/js/format.js');
        const katex = (await import('/static/vendor/katex/katex.mjs')).default;
        const six = Array.from({ length: 6 }, () => Array(6).fill(0.5));
        const latex = latexValue(six);
        katex.renderToString(latex, { throwOnError: false });
        return latex;
    }"""
    )
    assert "\\times" in shape and "×" not in shape
    assert [w for w in watched.warnings if "KaTeX" in w or "LaTeX" in w] == []
    assert watched.errors == []


# ---- sums and products whose shown operands give the shown result -----------------------

SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")


def shown_decimal(text: str) -> Decimal:
    """A number as the page writes it, exactly: -0.1082, 3.6×10⁻⁸, 1.2 \\times 10^{-5}."""
    text = text.replace("\\left(", "").replace("\\right)", "").strip()
    text = text.replace(" \\times 10^{", "e").replace("}", "").replace("×10", "e")
    return Decimal(text.translate(SUPERSCRIPTS))


def adds_up(operands: list[str], result: str, operation: str = "+") -> bool:
    """The shown operands, added (or multiplied) exactly and rounded to the last digit of the
    shown result, are the shown result."""
    numbers = [shown_decimal(text) for text in operands]
    total = sum(numbers, Decimal(0)) if operation == "+" else math.prod(numbers, start=Decimal(1))
    shown = shown_decimal(result)
    if shown == 0:
        return total == 0 or abs(total) < Decimal("1e-300")
    places = Decimal(1).scaleb(shown.as_tuple().exponent)
    return total.quantize(places, rounding=ROUND_HALF_UP) == shown


def test_the_seed_w_x_running_sum_adds_up_as_shown(watched: Watched) -> None:
    """Backward t = 1 of the seed: dL/dW_x so far = 0.1119 + (-0.1082) read as 0.0037 to a
    student; the addends are shown to the sum's last digit, and add up to it."""
    page = watched.page
    watched.open("/")
    walk_to(page, "backward step t = 1, term 1 of")
    term_id = page.locator("#formula .factors").get_attribute("data-term")
    assert term_id.startswith("W_x:")
    term = watched.term(term_id)
    written = page.eval_on_selector("#formula .running-sum", ANNOTATION)
    addition = written.split(r"\text{before} + \text{term} = ")[1]
    before_and_term, result = addition.rsplit(" = ", 1)
    operands = before_and_term.split(" + ")
    assert len(operands) == 2 and adds_up(operands, result), written
    assert [result] == formatted(page, term["running"])
    # each addend is the API's number, rounded to its own last digit
    for text, exact in zip(operands, (term["previous"], term["value"]), strict=True):
        shown = shown_decimal(text)
        unit = Decimal(1).scaleb(shown.as_tuple().exponent)
        assert abs(shown - Decimal(single(exact))) <= unit / 2, (text, exact)
    assert watched.errors == []


CANCELLING = [
    [0.20693922, -0.09506688],  # no cancellation to speak of
    [0.11187234, -0.10823597],  # the seed's W_x: 0.003636
    [0.5, -0.49999999],  # 1e-8: eight digits cancel
    [-3.25e-4, 3.2467e-4],  # scientific addends, a tiny sum
    [12345.678, -12345.1],
    [0.12344, 0.12344],  # no cancellation, but 4 digits each lose the last digit
    [0.5, 0.25],
    [0.1, -0.1],  # an exact zero
    [0.3, -0.1, -0.19999],  # three addends
]


def test_operand_digits_make_every_shown_sum_and_product_follow(watched: Watched) -> None:
    """operandDigits (format.js) across cancellation cases: the addends as shown add up to
    the sum as shown; no fewer than 4 digits, and just 4 where 4 already add up; products
    likewise (the operands multiply to the product as shown)."""
    page = watched.page
    watched.open("/")
    script = """async ([cases, operation]) => {
        const { formatNumber, operandDigits } = await import('/static/js/format.js');
        return cases.map(([operands, result]) => {
            const digits = operandDigits(operands, result, operation);
            return [digits, operands.map((n, i) => formatNumber(n, digits[i])),
                    formatNumber(result), operands.map((n) => formatNumber(n))];
        });
    }"""
    rng = random.Random(4)
    products = [[rng.uniform(-1, 1) for _ in range(rng.randint(2, 4))] for _ in range(40)]
    for operation, cases in (("+", CANCELLING), ("·", products)):
        exact = [
            [operands, math.fsum(operands) if operation == "+" else math.prod(operands)]
            for operands in cases
        ]
        for (digits, shown, result, at_four), (operands, _) in zip(
            page.evaluate(script, [exact, operation]), exact, strict=True
        ):
            assert adds_up(shown, result, operation), (operands, shown, result)
            assert min(digits) >= 4
            if adds_up(at_four, result, operation):  # written as at 4 digits: no digit added
                assert shown == at_four, (operands, shown)
            else:
                assert shown != at_four
    assert watched.errors == []


def latex_arithmetic(latex: str) -> Decimal:
    """A worked line with its numbers, e.g. (1 - 0.9999091^2) \\cdot 0.8, worked out exactly
    as a student would (Decimal arithmetic on the numbers as written)."""
    text = latex.replace("\\left(", "(").replace("\\right)", ")").replace("\\cdot", "*")
    text = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", r"((\1)/(\2))", text)  # a quotient
    text = re.sub(r" \\times 10\^\{(-?\d+)\}", r"e\1", text)
    text = re.sub(r"(\d+(?:\.\d+)?(?:e-?\d+)?)", r"Decimal('\1')", text)
    text = re.sub(r"\)\s*\(", ")*(", text).replace("^", "**")
    return eval(text, {"Decimal": Decimal})  # arithmetic built just above


TEMPLATES = [  # a template, its numbers by name, and the entry's value from them (float)
    (  # saturated: 1 - h^2 cancels
        "(1 - [[h_3:i]]^2) [[*]] [[W_h:ij]]",
        {"h_3": 0.99990912, "W_h": 0.8},
        lambda n: (1 - n["h_3"] ** 2) * n["W_h"],
    ),
    (
        "(1 - [[h_3:i]]^2) [[*]] [[W_h:ij]]",
        {"h_3": 0.3557, "W_h": 0.8},
        lambda n: (1 - n["h_3"] ** 2) * n["W_h"],
    ),
    ("[[z_3:i]](1 - [[z_3:i]])", {"z_3": 0.999987}, lambda n: n["z_3"] * (1 - n["z_3"])),
    ("[[z_3:i]](1 - [[z_3:i]])", {"z_3": -0.372216}, lambda n: n["z_3"] * (1 - n["z_3"])),
    (  # a GRU's h_{t-1} - n_t, nearly equal
        "([[h_2:i]] - [[n_3:i]]) [[*]] [[z_3:i]](1 - [[z_3:i]])",
        {"h_2": 0.61, "n_3": 0.60993, "z_3": 0.4},
        lambda n: (n["h_2"] - n["n_3"]) * n["z_3"] * (1 - n["z_3"]),
    ),
    (
        "[[a:i]] [[*]] [[b:i]] + [[c:i]] [[*]] [[d:i]]",
        {"a": 0.3, "b": 0.7, "c": -0.20999, "d": 1.0},
        lambda n: n["a"] * n["b"] + n["c"] * n["d"],
    ),
    ("[[a:i]] [[*]] [[b:i]]", {"a": 3.1e-6, "b": -0.25}, lambda n: n["a"] * n["b"]),
    (  # sigmoid + BCE's dl/dyhat, y = 0 and yhat near 1: 1 - yhat cancels in the quotient
        r"-\frac{[[y:j]]}{[[yhat:j]]} + \frac{1 - [[y:j]]}{1 - [[yhat:j]]}",
        {"y": 0.0, "yhat": 0.99987},
        lambda n: -n["y"] / n["yhat"] + (1 - n["y"]) / (1 - n["yhat"]),
    ),
    (  # y = 1: -1/yhat, 4 digits already make it
        r"-\frac{[[y:j]]}{[[yhat:j]]} + \frac{1 - [[y:j]]}{1 - [[yhat:j]]}",
        {"y": 1.0, "yhat": 0.6051334},
        lambda n: -n["y"] / n["yhat"] + (1 - n["y"]) / (1 - n["yhat"]),
    ),
]


def test_worked_entries_are_written_to_the_digits_that_make_their_value(watched: Watched) -> None:
    """workedEntry (worked.js) with the entry's value: the numbers put in, worked out as
    written, give the value as shown, even where 1 - h^2 or a difference cancels; 4 digits
    where 4 already do."""
    page = watched.page
    watched.open("/")
    script = """async ([template, named, result]) => {
        const { workedEntry } = await import('/static/js/worked.js');
        const { formatNumber } = await import('/static/js/format.js');
        const numbers = new Map(Object.entries(named).map(
            ([name, value]) => [name, { name, latex: name, value: [[value]] }]));
        const shown = workedEntry(template, numbers, 0, 0, result);
        return [shown.numbers, workedEntry(template, numbers, 0, 0).numbers, formatNumber(result)];
    }"""
    for template, named, value_of in TEMPLATES:
        result = value_of(named)
        written, at_four, shown = page.evaluate(script, [template, named, result])
        assert adds_up([str(latex_arithmetic(written))], shown), (template, written, shown)
        if adds_up([str(latex_arithmetic(at_four))], shown):
            assert written == at_four
        else:
            assert written != at_four
    assert watched.errors == []


def significant(text: str) -> str:
    """The significant digits of a plain number as written ("-0.05370" -> "5370")."""
    return text.lstrip("-").replace(".", "").lstrip("0")


def test_one_format_keeps_significant_zeros_and_shows_a_change(watched: Watched) -> None:
    """format.js writes a given number as it is (0.5), any other to 4 significant digits with
    its trailing zeros, and a number that only rounds to a short one (0.4999964 -> 0.5000)
    with the digits that tell it from that number."""
    page = watched.page
    watched.open("/")
    given = [0.5, 1.2, -0.5, 1, 0.001, 0.8, 0.1]
    rng = random.Random(16)
    computed = [
        rng.choice((-1, 1)) * rng.uniform(1, 10) * 10.0 ** rng.randint(-3, 2) for _ in range(200)
    ]
    computed += [0.53700012, -0.60397]  # a zero as the last digit
    near = [0.4999964, 1.20014, 0.79999871, -0.49999921, 0.10000213]
    texts = {
        name: formatted(page, v)
        for name, v in (("given", given), ("computed", computed), ("near", near))
    }
    assert [float(text) for text in texts["given"]] == given
    for number, text in zip(computed, texts["computed"], strict=True):
        rounds_short = f"{number:.3e}".split("e")[0].endswith("00")  # 0.5000: written with more
        assert len(significant(text)) == 4 or "." not in text or rounds_short, (number, text)
        unit = 10.0 ** -(len(text.split(".")[1]) if "." in text else 0)
        assert abs(float(text) - number) <= unit / 2 * (1 + 1e-9), (number, text)
    for number, text in zip(near, texts["near"], strict=True):
        short = round(number, 1)
        assert text != formatted(page, short)[0] and float(text) != short, (number, text)
        assert abs(float(text) - number) <= 10.0 ** -len(text.split(".")[1]) / 2, (number, text)
    assert watched.errors == []

"""The forward panel retraced with pencil and paper: every line of the seed's forward pass at
epochs 1 and 2, of a GRU's and an LSTM's, and hello's output, read from the page's LaTeX,
worked out in Python from its numbers as shown (products, sums, tanh, sigmoid, softmax) and
compared with its results at their shown digits; the results are the API's values."""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Any

import numpy as np
from playwright.sync_api import Locator, Page

from tests.page.conftest import Watched
from tests.page.helpers import bracketed, next_view, numbers_of, open_first_steps, run_epoch

ANNOTATIONS = "els => els.map(e => e.querySelector('annotation').textContent)"
MATRIX = r"\\begin\{bmatrix\}(.*?)\\end\{bmatrix\}"
NUMBER = r"\d+(?:\.\d+)?(?: \\times 10\^\{-?\d+\})?"
TOKEN = re.compile(
    rf"{MATRIX}|{NUMBER}|\\cdot|\\odot|\\tanh|\\sigma|\\operatorname\{{(\w+)\}}|[-+()]"
)


class Shown:
    """A value as a student holds it: a number or a matrix (a vector as a column); * is the
    entry-wise ⊙, @ the · of the page (a matrix product, or a number times a value)."""

    def __init__(self, value: Any) -> None:
        self.value = np.asarray(value, dtype=float)

    def __add__(self, other: Shown) -> Shown:
        return Shown(self.value + other.value)

    def __sub__(self, other: Shown) -> Shown:
        return Shown(self.value - other.value)

    def __mul__(self, other: Shown) -> Shown:
        return Shown(self.value * other.value)

    def __matmul__(self, other: Shown) -> Shown:
        if self.value.ndim == 0 or other.value.ndim == 0:
            return Shown(self.value * other.value)
        return Shown(self.value @ other.value)

    def __neg__(self) -> Shown:
        return Shown(-self.value)


def softmax(z: Shown) -> Shown:
    powers = np.exp(z.value - z.value.max())
    return Shown(powers / powers.sum())


FUNCTIONS = {
    "tanh": lambda z: Shown(np.tanh(z.value)),
    "sigma": lambda z: Shown(1 / (1 + np.exp(-z.value))),
    "relu": lambda z: Shown(np.maximum(z.value, 0)),
    "softmax": softmax,
}


def number(text: str) -> float:
    """0.5, or 1.2 \\times 10^{-5}, as a float."""
    mantissa, _, exponent = text.strip().partition(" \\times 10^{")
    return float(mantissa) * 10.0 ** int(exponent.rstrip("}") or 0)


def entries(latex: str) -> list[str]:
    """A number's or a bmatrix's entries as written, in reading order."""
    found = re.fullmatch(MATRIX, latex.strip())
    if not found:
        return [latex.strip()]
    return [entry.strip() for row in found.group(1).split("\\\\") for entry in row.split("&")]


def worked(latex: str) -> np.ndarray:
    """The value of a form's numbers, as a student works it out from them."""
    text = bracketed(latex).replace("{}", "")
    python = []
    for found in TOKEN.finditer(text):
        token = found.group(0)
        if found.group(1) is not None:  # a bmatrix: its rows
            rows = [[number(e) for e in row.split("&")] for row in found.group(1).split("\\\\")]
            python.append(f"Shown({rows!r})")
        elif re.fullmatch(NUMBER, token):
            python.append(f"Shown({number(token)!r})")
        else:
            names = {"\\cdot": "@", "\\odot": "*", "\\tanh": "tanh", "\\sigma": "sigma"}
            python.append(found.group(2) or names.get(token, token))
    leftover = TOKEN.sub("", text).replace(" ", "")
    assert leftover == "", (leftover, latex)  # every part of the form was read
    expression = " ".join(python)
    return eval(expression, {"__builtins__": {}, "Shown": Shown, **FUNCTIONS}).value.ravel()


def unit(entry: str) -> float:
    """The place of a shown number's last digit: 0.5376 -> 1e-4, 1.2 \\times 10^{-5} -> 1e-6."""
    mantissa, _, exponent = entry.lstrip("-").partition(" \\times 10^{")
    places = len(mantissa.split(".")[1]) if "." in mantissa else 0
    return 10.0 ** (int(exponent.rstrip("}") or 0) - places)


def reads_as(values: Any, shown: str) -> bool:
    """True when each of `values` rounds to the entry of `shown` at that entry's last digit."""
    written = entries(shown)
    numbers = np.ravel(np.asarray(values, dtype=float))
    return len(numbers) == len(written) and all(
        abs(value - number(entry)) <= unit(entry) / 2 * (1 + 1e-9)
        for value, entry in zip(numbers, written, strict=True)
    )


def common_prefix(a: str, b: str) -> int:
    size = 0
    while size < min(len(a), len(b)) and a[size] == b[size]:
        size += 1
    return size


def is_value(latex: str) -> bool:
    """True for one number or one bmatrix."""
    return bool(re.fullmatch(MATRIX, latex) or re.fullmatch(f"-?{NUMBER}", latex))


def differing(numbers: str, via: str) -> tuple[str, str]:
    """The part of `numbers` that `via` writes as one value: \\tanh(0.5 \\cdot 1 + 0.1) and
    \\tanh(0.6) give ("0.5 \\cdot 1 + 0.1", "0.6"); the rest of the two the same."""
    for start in range(common_prefix(numbers, via), -1, -1):
        if start and via[start - 1] not in " (":
            continue  # the same text up to a space or a bracket, not into a number
        rest, value = numbers[start:], via[start:]
        for tail in range(common_prefix(rest[::-1], value[::-1]), -1, -1):
            if is_value(value[: len(value) - tail].strip()):
                return rest[: len(rest) - tail].strip(), value[: len(value) - tail].strip()
    raise AssertionError(f"{via} writes no part of {numbers} as one value")


def texts(within: Page | Locator, selector: str) -> list[str]:
    return within.locator(selector).evaluate_all(ANNOTATIONS)


def check_chain(forms: list[str], checked: list[tuple[str, str]]) -> list[str]:
    """numbers [= via] = result: each form worked out gives the next as shown (the last but
    one gives the result; numbers gives via where they differ). The vias' values, returned."""
    values = []
    for index, (here, there) in enumerate(pairwise(forms)):
        if index == len(forms) - 2:
            shown_from, shown = here, there
        else:
            shown_from, shown = differing(here, there)
            values.append(shown)
        assert reads_as(worked(shown_from), shown), f"{shown_from} does not give {shown}"
        checked.append((shown_from, shown))
    return values


def step_value(name: str, record: dict[str, Any]) -> Any:
    return record["values"].get(name, record.get(name))


def check_step(page: Page, state: dict[str, Any], t: int, checked: list[tuple[str, str]]) -> None:
    """Every line of forward step t worked out from its numbers, its results the API's."""
    record, cell = state["forward"][t - 1], state["cell"]
    rows = page.locator("#formula .step-line").all()
    assert len(rows) == len(cell["step"])
    for row, line in zip(rows, cell["step"], strict=True):
        _, numbers, result = (text.removeprefix("= ") for text in texts(row, ":scope > .math"))
        forms = [numbers, *result.split(" = ")]
        vias = check_chain(forms, checked)
        assert reads_as(numbers_of(step_value(line["result"], record)), forms[-1]), line
        via_names = set(re.findall(r"\[\[(\w+)\]\]", line["via"])) - set(
            re.findall(r"\[\[(\w+)\]\]", line["rhs"])
        )
        for name, shown in zip(sorted(via_names), vias, strict=True):
            assert reads_as(numbers_of(step_value(name, record)), shown), (name, shown)
    if record["loss"] is not None:
        check_output(page, record, checked)


def check_output(page: Page, record: dict[str, Any], checked: list[tuple[str, str]]) -> None:
    """ŷ = g(W_y h + b_y) = g(numbers) = g(z) = ŷ (or an entry of z, then g(z)): worked out,
    and z and ŷ the API's."""
    for line in texts(page, "#formula .output-entry, #formula .output-line"):
        lhs, _, *forms = line.split(" = ")
        vias = check_chain(forms, checked)
        if lhs.startswith("["):  # [z_t]_k: the entry k of z
            k = int(re.search(r"\]_\{(\d+)\}$", lhs).group(1)) - 1
            assert reads_as(numbers_of(record["z"])[k], forms[-1]), line
        else:
            assert reads_as(numbers_of(record["yhat"]), forms[-1]), line
        for shown in vias:
            assert reads_as(numbers_of(record["z"]), shown), line


def walk_forward(watched: Watched, steps: int, checked: list[tuple[str, str]]) -> None:
    page = watched.page
    for t in range(1, steps + 1):
        assert f"forward step t = {t}," in next_view(page)
        check_step(page, watched.state(), t, checked)


def test_the_seeds_forward_pass_retraces_at_epochs_1_and_2(watched: Watched) -> None:
    page = watched.page
    watched.open("/?preset=seed-3-step")
    checked: list[tuple[str, str]] = []
    walk_forward(watched, 3, checked)
    epoch_1 = len(checked)
    assert epoch_1 == 3 * 2 + 2  # each h_t: sum -> a_t, tanh(a_t) -> h_t; W_y h_3 -> z, σ(z) -> ŷ
    # ŷ_3 = σ(W_y h_3) puts its numbers in: 1.2 · h_3 as shown gives z_3 as shown
    (output,) = texts(page, "#formula .output-line")
    assert re.search(r"\\sigma\\left\(1\.2 \\cdot 0\.\d{4,}\\right\)", output), output
    run_epoch(page)  # the rest of epoch 1: backward, update; epoch 2 starts
    walk_forward(watched, 3, checked)
    assert len(checked) == 2 * epoch_1
    # after the update the weights are no short decimals (0.499996): still every line adds up
    assert "0.499996" in checked[epoch_1][0]
    assert watched.errors == []


def test_a_grus_and_an_lstms_forward_lines_retrace_at_epochs_1_and_2(watched: Watched) -> None:
    """Every gate line, c_t and h_t of each step (the one loss at the last), before and after
    an update; and the Elman cell's with vectors (vanishing: H = 2). Each preset cut to its
    first 4 inputs: step 1 (from s_0), steps 2 and 3 (from the step before) and the last (with
    the output) are every kind of step its 20 have; its steps 5..20 write the same lines."""
    lines_of = {"gru-update-gate": "zrnh", "lstm-remembers": "ifogch", "vanishing": "h"}
    T = 4
    for preset, results in lines_of.items():
        open_first_steps(watched, preset, T)
        state = watched.state()
        assert state["cell"]["name"] == {"g": "gru", "l": "lstm", "v": "elman"}[preset[0]]
        assert "".join(line["result"] for line in state["cell"]["step"]) == results
        # each line once a step, a line with a via twice (LSTM h: tanh(c) -> tanh c, then
        # o ⊙ tanh c -> h; Elman h: the sum -> a, then tanh(a) -> h), and the output
        per_step = len(results) + 1 if preset != "gru-update-gate" else len(results)
        for epoch in (1, 2):
            checked: list[tuple[str, str]] = []
            walk_forward(watched, T, checked)
            assert len(checked) == T * per_step + 1, (preset, epoch)
            if epoch == 1:
                run_epoch(watched.page)  # the rest of epoch 1: backward, update
        assert watched.state()["epoch"] == 2
    assert watched.errors == []


def test_hellos_output_entry_and_softmax_retrace(watched: Watched) -> None:
    """W_y h_t is too big to write out (4×6 times 6): the loss's entry of z_t is, as a sum
    of six products, then ŷ_t = softmax(z_t) from z_t as shown."""
    page = watched.page
    watched.open("/?preset=hello")
    state = watched.state()
    for t in range(1, 5):
        assert f"forward step t = {t}," in next_view(page)
        record = watched.state()["forward"][t - 1]
        checked: list[tuple[str, str]] = []
        check_output(page, record, checked)
        assert len(checked) == 2, checked
        products = checked[0][0].count("\\cdot")
        assert products == len(state["params"]["W_y"][0])
        k = int(np.argmax(record["y"]))  # at first the entry the loss line reads
        (entry,) = texts(page, "#formula .output-entry")
        assert entry.startswith(f"[z_{{{t}}}]_{{{k + 1}}} =")
    # another entry picked: its sum of products instead, kept while stepping back
    page.get_by_label("z_4, the entry in view: row").select_option("1")
    page.keyboard.press("ArrowLeft")
    page.wait_for_function(
        "() => document.getElementById('view-note').textContent.includes('forward step t = 3,')"
    )
    (entry,) = texts(page, "#formula .output-entry")
    assert entry.startswith("[z_{3}]_{1} =")
    checked = []
    check_output(page, watched.state()["forward"][2], checked)
    assert len(checked) == 2
    assert watched.errors == []

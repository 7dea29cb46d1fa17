"""Helpers for the browser tests: page boxes, numbers as shown, stepping and waiting, the editor."""

from __future__ import annotations

import base64
import json
import math
from typing import Any

from playwright.sync_api import Locator, Page

from tests.page.conftest import Watched


def box(locator: Locator) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not displayed"
    return found


def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    """True when two boxes share area (touching edges do not count)."""
    return (
        a["x"] < b["x"] + b["width"] - 0.5
        and b["x"] < a["x"] + a["width"] - 0.5
        and a["y"] < b["y"] + b["height"] - 0.5
        and b["y"] < a["y"] + a["height"] - 0.5
    )


def inside(inner: dict[str, float], outer: dict[str, float]) -> bool:
    return (
        inner["x"] >= outer["x"] - 0.5
        and inner["y"] >= outer["y"] - 0.5
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 0.5
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 0.5
    )


def numbers_of(value: Any) -> list[Any]:
    """Every number of a (nested) value, in reading order."""
    if isinstance(value, list):
        return [number for entry in value for number in numbers_of(entry)]
    return [value]


def formatted(page: Page, value: Any) -> list[str]:
    """Every number of a value as the page formats it (format.js), in reading order."""
    script = """async numbers => {
        const { formatNumber } = await import('/static/js/format.js');
        return numbers.map((number) => formatNumber(number));
    }"""
    return page.evaluate(script, numbers_of(value))


def open_editor_session(watched: Watched, **changes: Any) -> None:
    """Change fields of the scenario editor (filled from the seed example) and create it."""
    page = watched.page
    page.get_by_text("Scenario editor", exact=True).click()
    editor = page.locator("#editor")
    for name, value in changes.items():
        field = editor.locator(f"[name='{name}']")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value if isinstance(value, str) else json.dumps(value))
    old = watched.session_id
    page.get_by_role("button", name="Create session").click()
    page.wait_for_function("id => document.body.dataset.sessionId !== id", arg=old)
    page.get_by_text("Scenario editor", exact=True).click()  # close it again


def open_first_steps(watched: Watched, preset: str, steps: int) -> None:
    """The preset's scenario cut to its first `steps` inputs (its weights, its targets),
    made in the editor: the same cell and lines as the preset's, fewer steps to walk."""
    watched.open(f"/?preset={preset}")
    cut_to_first_steps(watched, steps)


def link_json(value: object) -> str:
    """A value as the address writes it: base64url (no padding) of its JSON (address.js)."""
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def first_steps_query(state: dict, steps: int) -> str:
    """The address of the session's scenario cut to its first `steps` inputs, its weights."""
    scenario = {name: state[name] for name in ("config", "targets", "seed")}
    scenario["inputs"] = state["inputs"][:steps]
    return f"s={link_json(scenario)}&w={link_json(state['params'])}"


def cut_to_first_steps(watched: Watched, steps: int) -> None:
    """The session's scenario cut to its first `steps` inputs, made in the editor."""
    inputs = watched.state()["inputs"][:steps]
    open_editor_session(watched, inputs=inputs)
    assert len(watched.state()["inputs"]) == steps


# ---- reading what the page shows --------------------------------------------------------

LIT_IDS = "els => els.map(e => e.dataset.id)"


def open_growing_session(watched: Watched) -> None:
    """A linear RNN growing from h_0 = 0 over 30 steps (W_h = diag(2.5, 2), many-to-one),
    made in the editor: its values grow to about 10^23, all finite."""
    growing = {
        "W_x": [[1.0], [1.0]],
        "W_h": [[2.5, 0.0], [0.0, 2.0]],
        "b": [0.0, 0.0],
        "W_y": [[1.0, 1.0]],
        "h0": [0.0, 0.0],
    }
    open_editor_session(
        watched,
        hidden_size="2",
        activation="identity",
        output="identity_mse",
        mode="many_to_one",
        inputs=[[1.0]] * 30,
        targets=[0.0],
        params=growing,
    )


def lit_ids(page: Page) -> tuple[set[str], set[str]]:
    """The graph ids the page has lit, read from the DOM."""
    nodes = page.eval_on_selector_all("#graph .node.lit", LIT_IDS)
    edges = page.eval_on_selector_all("#graph .edge.lit", LIT_IDS)
    return set(nodes), set(edges)


def path_ids(path: dict[str, list[str]]) -> tuple[set[str], set[str]]:
    return set(path["nodes"]), set(path["edges"])


def shown_values(page: Page, selector: str) -> list[tuple[Any, float | None]]:
    """For each typeset value: the JSON it was drawn from and the number KaTeX shows."""
    script = """els => els.map(e => [e.dataset.value,
        e.querySelector('annotation') ? e.querySelector('annotation').textContent : null])"""
    pairs = page.eval_on_selector_all(selector, script)
    return [(json.loads(value), latex_number(latex)) for value, latex in pairs]


def latex_number(latex: str | None) -> float | None:
    """1.23 \\times 10^{-5}, -0.3949 or \\left(-0.5\\right) as a float (None for matrices)."""
    if latex is None:
        return None
    text = latex
    for sized in ("\\left.", "\\right.", "\\left(", "\\right)"):
        text = text.replace(sized, "")
    text = text.replace(" \\times 10^{", "e").replace("}", "").strip()
    try:
        return float(text)
    except ValueError:
        return None


def single(value: Any) -> float:
    while isinstance(value, list):
        (value,) = value
    return value


def assert_close(shown: float | None, exact: Any, rel_tol: float = 2e-3) -> None:
    assert shown is not None
    assert math.isclose(shown, single(exact), rel_tol=rel_tol, abs_tol=1e-12), (shown, exact)


# ---- doing what a person does -------------------------------------------------------------


def press_and_wait(page: Page, key: str, note: str) -> None:
    """Press a key and wait until the page says it shows `note` (a term: with its factors,
    which the page fetches when the term comes into view)."""
    page.keyboard.press(key)
    wait_for_view(page, note)


def wait_for_view(page: Page, note: str) -> None:
    """Wait until the page shows `note`, and no term's factors are still on their way."""
    page.wait_for_function(
        "note => document.getElementById('view-note').textContent.includes(note) && "
        "document.querySelector('#formula [data-waiting]') === null",
        arg=note,
    )


def address(page: Page) -> str:
    """The page's address once it names the view drawn: the page writes it after the frame
    that shows the view (render.js), as a person sees it in the address bar."""
    return page.evaluate(
        "() => new Promise((done) => requestAnimationFrame("
        "() => setTimeout(() => done(location.href))))"
    )


def wait_for_status(page: Page, status: str, viewing: str | None = None) -> None:
    """Wait until the status line reads the API's `status` sentence: as it is at the session's
    latest step; walked back to an earlier view (`viewing`, as "forward t = 3"; another epoch's
    view names its epoch), after the view it shows."""
    expected = status if viewing is None else walked_back_status(viewing, status)
    page.wait_for_function("s => document.getElementById('status').textContent === s", arg=expected)


def walked_back_status(viewing: str, status: str) -> str:
    """The status line while ← shows an earlier view than the session's latest step."""
    return f"Viewing {viewing}; the session: {status}"


def click_and_wait(page: Page, button: str, endpoint: str) -> dict[str, Any]:
    """Click a button, wait for its API answer and for the page to show the new status."""
    with page.expect_response(lambda r: r.url.split("?")[0].endswith(endpoint) and r.ok) as answer:
        page.get_by_role("button", name=button, exact=True).click()
    body = answer.value.json()
    wait_for_status(page, body.get("session", body)["status"])
    return body


def run_epoch(page: Page) -> dict[str, Any]:
    """Press "Run epoch" and wait until the page shows the state it answered."""
    return click_and_wait(page, "Run epoch", "/train")


FORMAT = "async ([v, d]) => (await import('/static/js/format.js')).formatNumber(v, d)"


def losses_as_read(page: Page, before: float, after: float) -> tuple[str, str]:
    """L before and L after as the page's one number format writes them side by side: at 4
    significant digits, more only where the two would read the same (0.50230 and 0.50228)."""
    digits = next(
        (d for d in range(4, 10) if f"{before:.{d}g}" != f"{after:.{d}g}" or before == after), 10
    )
    return page.evaluate(FORMAT, [before, digits]), page.evaluate(FORMAT, [after, digits])


def bracketed(latex: str) -> str:
    """KaTeX's sized brackets as the reader sees them: \\left( \\right) as ( ), the invisible
    \\left. \\right. (where a long line may wrap inside the brackets) as nothing."""
    for sized, plain in (("\\left.", ""), ("\\right.", ""), ("\\left(", "("), ("\\right)", ")")):
        latex = latex.replace(sized, plain)
    return latex


def next_view(page: Page) -> str:
    """Press → and wait for the next view drawn whole (no term's factors on their way); its note."""
    note = page.locator("#view-note").text_content()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "old => document.getElementById('view-note').textContent !== old && "
        "document.querySelector('#formula [data-waiting]') === null",
        arg=note,
    )
    return page.locator("#view-note").text_content()


def walk_to(page: Page, note: str, presses: int = 40) -> None:
    """Press → until the view note reads `note`."""
    for _ in range(presses):
        if note in page.locator("#view-note").text_content():
            return
        next_view(page)
    assert note in page.locator("#view-note").text_content()

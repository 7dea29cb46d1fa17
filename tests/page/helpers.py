"""Helpers for the browser tests: page boxes, the page's number format, the scenario editor."""

from __future__ import annotations

import json
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
    page.get_by_text("Scenario editor").click()
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
    page.get_by_text("Scenario editor").click()  # close it again

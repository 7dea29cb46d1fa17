"""Optimisers on the page: the editor offers the server's cells and optimisers with their
hyper-parameters; the update view typesets any rule with the API's numbers."""

from __future__ import annotations

import json

from playwright.sync_api import Page

from tests.page.conftest import Watched
from tests.page.helpers import numbers_of, press_and_wait, run_epoch
from tests.page.test_cells import ANNOTATION, assert_numbers_close, latex_numbers


def choose(page: Page, **fields: str) -> None:
    """Set editor fields (selects by value, text fields by text), in the order given."""
    editor = page.locator("#editor")
    for name, value in fields.items():
        field = editor.locator(f"[name='{name}']")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


def create(watched: Watched) -> None:
    old = watched.session_id
    watched.page.get_by_role("button", name="Create session").click()
    watched.page.wait_for_function("id => document.body.dataset.sessionId !== id", arg=old)


def test_an_adam_update_is_typeset_with_the_api_numbers(watched: Watched) -> None:
    page = watched.page
    watched.open("/")
    page.get_by_text("Scenario editor").click()
    choose(page, optimizer="adam")
    hyper = page.locator("#editor [data-fields-for='optimizer'] input")
    assert hyper.evaluate_all("els => els.map(e => [e.name, e.value])") == [
        ["beta1", "0.9"],
        ["beta2", "0.999"],
        ["eps", "1e-8"],
    ]
    choose(page, beta1="0.8")
    create(watched)
    assert watched.state()["config"]["optimizer"] == {
        "name": "adam",
        "beta1": 0.8,
        "beta2": 0.999,
        "eps": 1e-8,
    }
    for _ in range(2):  # two updates: the second has n = 2 and state carried from the first
        run_epoch(page)
    update = watched.state()["last_update"]
    assert update["optimizer"] == "adam" and update["update_number"] == 2
    panel = page.locator("#formula")
    assert "update n = 2" in panel.locator("h2").inner_text()
    rule = panel.locator(".update-formula").evaluate_all(f"els => els.map({ANNOTATION})")
    assert rule == update["formula"]
    assert "beta1 = 0.8" in panel.locator(".update-hyper").inner_text()
    quantities = {q["name"]: q for q in update["quantities"]}
    for name, new in update["params_new"].items():
        row = panel.locator(f".quantity-row[data-param='{name}']")
        shown = row.locator(".update-quantity").evaluate_all(
            "els => els.map(e => e.dataset.quantity)"
        )
        assert shown == ["g", "m", "v", "m_hat", "v_hat"]
        for quantity in shown:
            value = row.locator(f"[data-quantity='{quantity}'] .quantity-value")
            assert (
                json.loads(value.get_attribute("data-value"))
                == quantities[quantity]["values"][name]
            )
            assert_numbers_close(
                latex_numbers(value.evaluate(ANNOTATION)),
                numbers_of(quantities[quantity]["values"][name]),
            )
        # θ_new = θ_old + Δθ, each with its numbers.
        update_row = panel.locator(f".update-row[data-param='{name}']")
        for selector, exact in (
            (".param-old", update["params_old"][name]),
            (".param-delta", quantities["delta"]["values"][name]),
            (".param-new", new),
        ):
            value = update_row.locator(selector)
            assert json.loads(value.get_attribute("data-value")) == exact
            assert_numbers_close(latex_numbers(value.evaluate(ANNOTATION)), numbers_of(exact))
    assert watched.errors == []


def test_the_editor_creates_an_lstm_with_momentum(watched: Watched) -> None:
    page = watched.page
    watched.open("/")
    page.get_by_text("Scenario editor").click()
    editor = page.locator("#editor")
    cells = editor.locator("[name='cell'] option").evaluate_all("els => els.map(e => e.value)")
    assert cells == ["elman", "gru", "lstm"]
    # The seed example's weights are Elman's: choosing another cell empties the box and says so.
    choose(page, cell="lstm")
    editor.locator("[name='cell']").dispatch_event("change")
    assert editor.locator("[name='params']").input_value() == ""
    assert "cell changed" in editor.locator("[data-note-for='params']").inner_text()
    assert editor.locator("[name='activation']").is_disabled()
    choose(page, optimizer="momentum", momentum="1.5")
    page.get_by_role("button", name="Create session").click()
    error = editor.locator("[data-error-for='momentum']")
    page.wait_for_function(
        "() => document.querySelector(\"[data-error-for='momentum']\").textContent !== ''"
    )
    assert error.inner_text().startswith("Momentum: ")  # as the editor labels the field
    choose(page, momentum="0.5")
    create(watched)
    state = watched.state()
    assert state["config"]["cell"] == "lstm"
    assert state["config"]["optimizer"] == {"name": "momentum", "momentum": 0.5}
    assert error.inner_text() == ""
    assert page.locator("#graph [data-id='c_1']").count() == 1
    # The editor reads back what the session is: LSTM, momentum 0.5.
    assert editor.locator("[name='cell']").input_value() == "lstm"
    assert editor.locator("[name='momentum']").input_value() == "0.5"
    press_and_wait(page, "ArrowRight", "Showing forward step t = 1,")
    gates = page.locator("#formula .gate").evaluate_all("els => els.map(e => e.dataset.gate)")
    assert gates == ["i", "f", "o", "g"]
    # Its update is momentum's: v <- mu v + g, with v per parameter.
    for t in (2, 3):
        press_and_wait(page, "ArrowRight", f"Showing forward step t = {t},")
    run_epoch(page)
    update = watched.state()["last_update"]
    assert update["optimizer"] == "momentum"
    rule = page.locator("#formula .update-formula").evaluate_all(f"els => els.map({ANNOTATION})")
    assert rule == update["formula"]
    (velocity,) = [q for q in update["quantities"] if q["name"] == "v"]
    for name, value in velocity["values"].items():
        shown = page.locator(
            f".quantity-row[data-param='{name}'] [data-quantity='v'] .quantity-value"
        )
        assert json.loads(shown.get_attribute("data-value")) == value
    # The one refused create (momentum 1.5) is the browser's only complaint.
    assert [e for e in watched.errors if "status of 422" not in e] == []
    assert len(watched.errors) == 1

"""Export and import: the graph as SVG (with the lit path's ids) and as a PNG for slides, the
scenario as JSON round-tripping to an identical session, the derivation of the epoch as
JSON, and the worksheet printing to a PDF (with a variant of blanks)."""

from __future__ import annotations

import json
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

from playwright.sync_api import Page

from tests.page.conftest import Watched
from tests.page.helpers import (
    address,
    first_steps_query,
    formatted,
    lit_ids,
    press_and_wait,
    run_epoch,
)

SVG = "{http://www.w3.org/2000/svg}"
SCENARIO_FIELDS = ("config", "params", "inputs", "targets", "seed")


def to_second_term(page: Page) -> None:
    for t in (1, 2, 3):
        press_and_wait(page, "ArrowRight", f"Showing forward step t = {t},")
    press_and_wait(page, "ArrowRight", "Showing backward step t = 3, term 1 of")
    press_and_wait(page, "ArrowRight", "Showing backward step t = 3, term 2 of")


def exported(page: Page, button: str, tmp_path: Path) -> Path:
    page.get_by_text("Export and import").click()
    with page.expect_download() as download:
        page.get_by_role("button", name=button).click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    page.get_by_text("Export and import").click()
    return target


def test_the_graph_exports_as_svg_with_the_lit_path_and_as_a_wide_png(
    watched: Watched, tmp_path: Path
) -> None:
    page = watched.page
    watched.open("/")
    to_second_term(page)
    nodes, edges = lit_ids(page)
    assert nodes and edges
    svg = exported(page, "Graph as SVG", tmp_path)
    assert svg.suffix == ".svg"
    root = ET.parse(svg).getroot()  # parses as XML, and is an SVG
    assert root.tag == f"{SVG}svg"
    lit = {e.get("data-id") for e in root.iter() if "lit" in (e.get("class") or "").split()}
    assert nodes | edges <= lit
    ids = {e.get("data-id") for e in root.iter() if e.get("data-id")}
    assert {"h_1", "h_2", "h_3", "W_h", "h_2->h_3"} <= ids
    png = exported(page, "Graph as PNG", tmp_path).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk
    graph = page.locator("#graph")
    ratio = float(graph.get_attribute("height")) / float(graph.get_attribute("width"))
    assert width >= 1920 and abs(height / width - ratio) < 0.01
    assert watched.errors == []


def test_the_scenario_round_trips_to_an_identical_session(watched: Watched, tmp_path: Path) -> None:
    page = watched.page
    watched.open("/?preset=gru-update-gate")
    state = watched.state()
    body = json.loads(exported(page, "Scenario as JSON", tmp_path).read_text())
    assert set(body) == set(SCENARIO_FIELDS)  # exactly what POST /api/sessions takes
    assert {name: body[name] for name in SCENARIO_FIELDS} == {
        name: state[name] for name in SCENARIO_FIELDS
    }
    old = watched.session_id
    page.get_by_text("Export and import").click()
    page.get_by_label("Open a scenario file").set_input_files(next(tmp_path.glob("*.json")))
    page.wait_for_function("id => document.body.dataset.sessionId !== id", arg=old)
    again = watched.state()
    assert again["id"] != old
    for name in (*SCENARIO_FIELDS, "graph", "phase", "t", "epoch"):
        assert again[name] == state[name], name
    # A broken file says what is wrong and opens nothing.
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({**body, "inputs": [[1.0, 2.0]]}))
    page.get_by_label("Open a scenario file").set_input_files(broken)
    page.locator("#error").wait_for(state="visible")
    assert "inputs" in page.locator("#error").inner_text()
    assert watched.session_id == again["id"]
    assert [error for error in watched.errors if "status of 422" not in error] == []


def test_the_derivation_holds_every_value_term_and_the_update(
    watched: Watched, tmp_path: Path
) -> None:
    page = watched.page
    watched.open("/")
    data = json.loads(exported(page, "Derivation as JSON", tmp_path).read_text())
    assert len(data["forward"]) == 3 and len(data["backward"]) == 3
    terms = [term for record in data["backward"] for term in record["terms"]]
    assert len(terms) == 10 and all(term["factors"] for term in terms)
    assert data["scenario"]["params"] == watched.state()["params"]
    # The same numbers as the session stepped through its epoch, term by term.
    token = page.evaluate(f"sessionStorage.getItem('bptt-explorer.token.{watched.session_id}')")
    session = f"{watched.base_url}/api/sessions/{watched.session_id}"
    for action in ["forward"] * 3 + ["backward"] * 3:
        page.request.post(f"{session}/{action}", headers={"Authorization": f"Bearer {token}"})
    stepped = watched.state()
    assert data["forward"] == stepped["forward"]
    assert [term["value"] for term in terms] == [
        term["value"] for record in stepped["backward"] for term in record["terms"]
    ]
    page.request.post(f"{session}/update", headers={"Authorization": f"Bearer {token}"})
    assert data["update"] == watched.state()["last_update"]
    assert watched.errors == []


def test_the_worksheet_prints_to_a_pdf_and_has_a_variant_with_blanks(
    watched: Watched, tmp_path: Path
) -> None:
    page = watched.page
    watched.open("/")
    state = watched.state()
    page.get_by_text("Export and import").click()
    for button, blanks in (("Worksheet", False), ("Worksheet with blanks", True)):
        with page.context.expect_page() as opened:
            page.get_by_role("button", name=button, exact=True).click()
        sheet = opened.value
        sheet.wait_for_function("() => document.body.dataset.ready === '1'")
        text = sheet.locator("#worksheet").inner_text()
        assert "Forward step t = 3" in text and "Term W_h:3:1" in text and "Update" in text
        h_1 = formatted(sheet, [0.5370495669980352])[0]
        w_h = formatted(sheet, state["params"]["W_h"])[0]
        assert w_h in text  # the weights are given in both
        assert (h_1 in text) is not blanks  # the answers only in the full one
        assert (sheet.locator("[data-blanks]").count() > 0) is blanks  # boxes to fill in
        # Typeset as the explorer shows it: h_1's line with its numbers put in, each
        # term's factors and product, the update; and no formula KaTeX could not read.
        assert sheet.locator("#worksheet .katex").count() > 20
        assert sheet.locator(".katex-error").count() == 0
        step_1 = sheet.locator("[data-t='1']").first.inner_text()
        assert "tanh" in step_1 and w_h in step_1  # the numbers put in: W_h is given
        term = sheet.locator("[data-term='W_h:3:1']")
        # k - t = 2: dl/dz, W_y, two recurrent factors and the direct partial
        assert term.locator(".factor").count() == 5 and term.locator(".product").count() == 1
        pdf = sheet.pdf(format="A4")
        assert pdf[:5] == b"%PDF-" and len(pdf) > 10_000
        sheet.close()
    assert watched.errors == []


def test_the_derivation_of_an_update_made_by_training_is_that_update(
    watched: Watched, tmp_path: Path
) -> None:
    page = watched.page
    watched.open("/")
    run_epoch(page)  # epoch 1 on the training path: the view of its update
    link = address(page)
    assert "trained=1" in link and "view=e1-update" in link
    data = json.loads(exported(page, "Derivation as JSON", tmp_path).read_text())
    assert data["update"] == watched.state()["last_update"]  # the trained one, bit for bit
    assert data["update"]["trained"] is True and len(data["backward"]) == 3
    assert watched.errors == []


def test_the_worksheet_of_a_gru_and_an_lstm_works_each_factor_entry(watched: Watched) -> None:
    # A factor's entry templates come by block (an LSTM's h and c parts): the worksheet read
    # them as one string and said "The worksheet could not be made" on every preset. Each
    # preset cut to its first 4 steps: their terms have every kind of factor the 20 steps have.
    page = watched.page
    for preset in ("gru-update-gate", "lstm-remembers"):
        watched.open(f"/?preset={preset}")
        query = first_steps_query(watched.state(), 4)
        for blanks in ("", "&blanks=1"):
            page.goto(f"{watched.base_url}/worksheet?{query}&view=e1-update{blanks}")
            page.wait_for_function("() => document.body.dataset.ready === '1'")
            sheet = page.locator("#worksheet")
            assert page.locator(".error").count() == 0, sheet.inner_text()[:200]
            assert "Forward step t = 4" in sheet.inner_text()
            assert "Forward step t = 5" not in sheet.inner_text()
            assert sheet.locator(".line.factor.entry").count() > 0  # entry (1, 1) worked out
            assert sheet.locator(".katex-error").count() == 0
    assert watched.errors == [] and watched.warnings == []

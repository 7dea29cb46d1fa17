"""What a press costs the browser, in counts the machine's load does not change: a Chrome trace
of each press (Playwright's tracing) read for the elements styled (UpdateLayoutTree), the
layout objects dirtied (Layout), the elements created and the main thread's time in style,
layout, paint and script. Medians per kind of step, with the first and last ten at T = 50.

    .venv/bin/python bench/trace.py                         # both scenarios, this checkout
    .venv/bin/python bench/trace.py --scenario large --presses 60
    .venv/bin/python bench/trace.py --root /tmp/bptt-int    # another checkout (git archive)
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import defaultdict
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import Browser, Page, sync_playwright

from bench.page import CHROMIUM, PRESS, PRESS_TIMEOUT_MS, kind_of, open_large
from tests.servers import ROOT, Uvicorn

CATEGORIES = ["devtools.timeline", "blink.user_timing", "disabled-by-default-devtools.timeline"]
# Elements in the page: counted before and after a press (created = new ones ever made).
COUNT_CREATED = "() => window.__created ?? 0"
WATCH_CREATED = """() => {
    if (window.__created !== undefined) return;
    window.__created = 0;
    const seen = new WeakSet(document.querySelectorAll('*'));
    new MutationObserver((records) => {
        for (const record of records) for (const node of record.addedNodes) {
            if (node.nodeType !== 1) continue;
            for (const element of [node, ...node.querySelectorAll('*')]) {
                if (!seen.has(element)) { seen.add(element); window.__created += 1; }
            }
        }
    }).observe(document.body, { childList: true, subtree: true });
}"""
PHASES = {
    "UpdateLayoutTree": "style",
    "Layout": "layout",
    "PrePaint": "paint",
    "Paint": "paint",
    "Layerize": "paint",
    "FunctionCall": "script",
    "EvaluateScript": "script",
    "v8.run": "script",
}


def main_thread(events: list[dict]) -> tuple[int, int]:
    """(pid, tid) of the page's renderer main thread."""
    for event in events:
        if event.get("name") == "thread_name" and event["args"].get("name") == "CrRendererMain":
            return event["pid"], event["tid"]
    raise RuntimeError("no CrRendererMain in the trace")


def read_trace(data: bytes) -> dict[str, float]:
    """Counts and milliseconds of one press's trace, on the renderer's main thread."""
    events = json.loads(data)["traceEvents"]
    pid, tid = main_thread(events)
    figures: dict[str, float] = defaultdict(float)
    for event in events:
        if (event.get("pid"), event.get("tid")) != (pid, tid) or event.get("ph") != "X":
            continue
        name, args = event["name"], event.get("args", {})
        if name == "UpdateLayoutTree":
            figures["styled"] += args.get("elementCount", 0)
        if name == "Layout":
            figures["dirty"] += args.get("beginData", {}).get("dirtyObjects", 0)
            figures["layouts"] += 1
        if name == "RunTask" and event.get("dur"):
            figures["main ms"] += event["dur"] / 1000
        if name in PHASES and event.get("dur"):
            figures[f"{PHASES[name]} ms"] += event["dur"] / 1000
    return figures


def walk(browser: Browser, page: Page, presses: int) -> dict[str, list[dict[str, float]]]:
    page.evaluate(WATCH_CREATED)
    found: dict[str, list[dict[str, float]]] = {}
    previous = page.locator("#view-note").text_content() or ""
    for _ in range(presses):
        if page.evaluate("document.getElementById('update-button').disabled === false"):
            break
        created = page.evaluate(COUNT_CREATED)
        browser.start_tracing(page=page, categories=CATEGORIES)
        elapsed, note, shown = page.evaluate(PRESS, PRESS_TIMEOUT_MS)
        figures = read_trace(browser.stop_tracing())
        if not shown:
            break
        figures["created"] = page.evaluate(COUNT_CREATED) - created
        figures["wall ms"] = elapsed
        found.setdefault(kind_of(note, previous), []).append(figures)
        previous = note
    return found


COLUMNS = ("created", "styled", "dirty", "style ms", "layout ms", "paint ms", "main ms", "wall ms")


def report(name: str, found: dict[str, list[dict[str, float]]]) -> None:
    print(f"\n{name} (medians per press; first 10 -> last 10 when more than 20)")
    print(f"{'step':<10}{'n':>4}" + "".join(f"{column:>17}" for column in COLUMNS))
    for kind, rows in found.items():
        cells = []
        for column in COLUMNS:
            values = [row.get(column, 0.0) for row in rows]
            cell = f"{statistics.median(values):.0f}"
            if len(values) > 20:
                first, last = statistics.median(values[:10]), statistics.median(values[-10:])
                cell += f" ({first:.0f}>{last:.0f})"
            cells.append(f" {cell:>16}")
        print(f"{kind:<10}{len(rows):>4}" + "".join(cells))


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--presses", type=int, default=200)
    parser.add_argument("--scenario", choices=("seed", "large", "both"), default="both")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to serve")
    args = parser.parse_args(argv)
    with ExitStack() as stack, sync_playwright() as playwright:
        server = stack.enter_context(Uvicorn(env={}, root=args.root))
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        for scenario in ("seed", "large"):
            if args.scenario not in (scenario, "both"):
                continue
            page.goto(server.url + "/")
            page.wait_for_function("() => document.getElementById('status').textContent")
            if scenario == "large":
                open_large(page, 50, 32)
            report(f"{scenario} ({args.root})", walk(browser, page, args.presses))
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1:])

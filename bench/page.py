"""The page's speed in headless Chromium: press-to-paint for forward, backward and term steps.

Each press of → is timed inside the page, from the keydown to the first frame after the page
shows the new view (its note changed and no term's factors are on their way): the
server's answer, the page's drawing and the browser's style, layout and paint. Reported per
kind of step: count, p50, p95, and p50 of the first and the last ten presses (flat means no
growth from the first click to the last), then the verdict against the targets of issue 9:
p95 under 50 ms on the seed preset and under 150 ms at T = 50, H = 32, and the last ten no
slower than the first ten (within FLAT_NOISE).

Two scenarios: the seed preset (T = 3, H = 1), and T = 50, H = 32, many-to-one (built in the
scenario editor). Bounded: one uvicorn on 127.0.0.1, at most --presses presses a scenario, a
press that shows nothing within PRESS_TIMEOUT_MS ends its scenario.

    .venv/bin/python bench/page.py                  # both scenarios
    .venv/bin/python bench/page.py --presses 80
    .venv/bin/python bench/page.py --seed-rounds 10  # the seed's 11 presses ten times, pooled
    mkdir /tmp/bptt-main && git archive main | tar -x -C /tmp/bptt-main
    .venv/bin/python bench/page.py --baseline /tmp/bptt-main   # A/B in one run, with ratios
    .venv/bin/python bench/page.py --pause 0.3       # a person's pace: 300 ms before each press

Back to back (--pause 0, the default) a press also waits for what the last one left to the
browser (the raster of its frame), which grows with the view; at a person's pace it does not.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import Page, sync_playwright

from tests.servers import Uvicorn

CHROMIUM = os.environ.get("BPTT_CHROMIUM", "/usr/bin/chromium")
TARGET_P95_MS = {"seed": 50.0, "large": 150.0}  # issue 9, "Speed"
FLAT_NOISE = 0.10  # the last ten's median may exceed the first ten's by this share
PRESS_TIMEOUT_MS = 10_000

# One press inside the page: keydown on the body, then wait (MutationObserver) until the
# view note changed and nothing is on its way, then the next frame (style, layout, paint).
PRESS = """async (timeout) => {
    const note = document.getElementById('view-note');
    const before = note.textContent;
    const ready = () => note.textContent !== before &&
        document.querySelector('#formula [data-waiting]') === null &&
        !document.body.classList.contains('busy');
    const start = performance.now();
    document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
    const shown = await new Promise((resolve) => {
        const done = () => requestAnimationFrame(() => setTimeout(() => resolve(true), 0));
        setTimeout(() => resolve(false), timeout);
        if (ready()) return done();
        const watcher = new MutationObserver(() => {
            if (ready()) { watcher.disconnect(); done(); }
        });
        const what = { subtree: true, childList: true, characterData: true, attributes: true };
        watcher.observe(document.body, what);
    });
    return [performance.now() - start, note.textContent, shown];
}"""


def kind_of(note: str, previous: str) -> str:
    """forward, backward (a new backward step) or term (another term of the same step)."""
    if "forward step" in note:
        return "forward"
    step = re.search(r"backward step t = (\d+)", note)
    old = re.search(r"backward step t = (\d+)", previous)
    if step and old and step.group(1) == old.group(1):
        return "term"
    return "backward" if step else "update"


def walk(page: Page, presses: int, pause: float = 0.0) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {}
    previous = page.locator("#view-note").text_content() or ""
    for _ in range(presses):
        if page.evaluate("document.getElementById('update-button').disabled === false"):
            break  # the backward pass is complete
        time.sleep(pause)
        elapsed, note, shown = page.evaluate(PRESS, PRESS_TIMEOUT_MS)
        if not shown:
            print(f"a press showed nothing within {PRESS_TIMEOUT_MS} ms: the scenario ends here")
            break
        times.setdefault(kind_of(note, previous), []).append(elapsed)
        previous = note
    return times


def open_large(page: Page, T: int, H: int) -> None:
    """T steps, H hidden units, many-to-one, from the scenario editor (weights from the seed)."""
    page.get_by_text("Scenario editor").click()
    editor = page.locator("#editor")
    editor.locator("[name='hidden_size']").fill(str(H))
    editor.locator("[name='mode']").select_option("many_to_one")
    editor.locator("[name='output']").select_option("identity_mse")
    editor.locator("[name='inputs']").fill(
        json.dumps([[round(0.1 * (t % 7) - 0.3, 2)] for t in range(T)])
    )
    editor.locator("[name='targets']").fill("[1.0]")
    editor.locator("[name='params']").fill("")
    old = page.evaluate("document.body.dataset.sessionId")
    page.get_by_role("button", name="Create session").click()
    page.wait_for_function("id => document.body.dataset.sessionId !== id", arg=old)
    # Closed again, and back at the top as the page leaves a new session (the graph and the
    # panel in view): clicking the summary scrolls the editor into view.
    page.get_by_text("Scenario editor").click()
    page.evaluate("window.scrollTo({ top: 0, behavior: 'instant' })")


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


def report(
    name: str, times: dict[str, list[float]], target: float, base: dict[str, list[float]] | None
) -> bool:
    """The table of one scenario and its verdict, and with a baseline (measured in the same
    run) each kind's p50 and p95 as a ratio of the baseline's; True when every kind meets it."""
    print(f"\n{name}")
    header = f"{'step':<10}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}{'first 10':>10}{'last 10':>9}"
    ratio = f"{'x base p50':>12}{'x base p95':>12}" if base is not None else ""
    rule = f"p95 < {target:.0f} ms, last 10 <= first 10 + {FLAT_NOISE:.0%}"
    print(f"{header}{ratio}   verdict ({rule})")
    met = True
    for kind, values in times.items():
        first, last = statistics.median(values[:10]), statistics.median(values[-10:])
        fast, flat = p95(values) < target, last <= first * (1 + FLAT_NOISE)
        met = met and fast and flat
        verdict = ("p95 met" if fast else "p95 MISSED") + ", " + ("flat" if flat else "GROWS")
        if len(values) < 20:
            verdict += f" (n = {len(values)}: the first and last ten overlap)"
        against = ""
        if base is not None and base.get(kind):
            p50_ratio = statistics.median(values) / statistics.median(base[kind])
            against = f"{p50_ratio:>12.2f}{p95(values) / p95(base[kind]):>12.2f}"
        print(
            f"{kind:<10}{len(values):>5}{statistics.median(values):>9.1f}{p95(values):>9.1f}"
            f"{first:>10.1f}{last:>9.1f}{against}   {verdict}"
        )
    return met


def measure(
    page: Page, url: str, scenario: str, rounds: int, presses: int, pause: float
) -> dict[str, list]:
    """The presses of `rounds` walks through one scenario, each in a new session (a new page)."""
    times: dict[str, list[float]] = {}
    for _ in range(rounds):
        page.goto(url + "/")
        page.wait_for_function("() => document.getElementById('status').textContent")
        if scenario == "large":
            open_large(page, 50, 32)
        for kind, taken in walk(page, presses, pause).items():
            times.setdefault(kind, []).extend(taken)
    return times


SCENARIOS = (("seed-3-step (T = 3, H = 1)", "seed"), ("T = 50, H = 32, many-to-one", "large"))


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--presses", type=int, default=200, help="at most this many a scenario")
    parser.add_argument(
        "--seed-rounds", type=int, default=1, help="the seed's epoch this many times (pooled)"
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        help="another checkout (e.g. a git worktree of main), served alongside and measured "
        "in turn with this one in the same run: ratios against it",
    )
    parser.add_argument(
        "--pause", type=float, default=0.0, help="seconds before each press (0.3: a person's pace)"
    )
    args = parser.parse_args(argv)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"pause before each press: {args.pause:.2f} s")
    met = True
    with ExitStack() as stack, sync_playwright() as playwright:
        server = stack.enter_context(Uvicorn(env={}))
        base = stack.enter_context(Uvicorn(env={}, root=args.baseline)) if args.baseline else None
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        for name, scenario in SCENARIOS:
            rounds = args.seed_rounds if scenario == "seed" else 1
            # In turn, the baseline first: the load of the moment falls on both alike.
            walked = (scenario, rounds, args.presses, args.pause)
            base_times = measure(page, base.url, *walked) if base else None
            times = measure(page, server.url, *walked)
            if base_times is not None:
                report(f"{name}: baseline", base_times, TARGET_P95_MS[scenario], None)
            met = report(name, times, TARGET_P95_MS[scenario], base_times) and met
        browser.close()
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("every target met" if met else "targets missed (see the verdicts above)")


if __name__ == "__main__":
    main(sys.argv[1:])

"""The README's screenshots, taken from a live page in headless Chromium (127.0.0.1 only).

    .venv/bin/python scripts/screenshots.py      # writes docs/screen-*.png

The seed example at backward t = 2, term 2 (dL/dW_h through l_3) at 1024x768, 1280x720
and 1920x1080; the hello preset in presentation mode at 1920x1080, backward t = 2, term 6
(a 6×6 term, its path from h_1 to L lit). Each as the window shows it after the last press:
scrolled to the term's product and running sum, the graph beside it; in presentation mode under
the head (status line, heading), the term's value line, its entry lines, then r and the cards.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import Page, sync_playwright

from tests.servers import Uvicorn

DOCS = Path(__file__).resolve().parents[1] / "docs"
CHROMIUM = os.environ.get("BPTT_CHROMIUM", "/usr/bin/chromium")
SEED_TERM = "backward step t = 2, term 2 of"
HELLO_TERM = "backward step t = 2, term 6 of"
SHOTS = (
    ("screen-1024x768.png", "/", (1024, 768), SEED_TERM),
    ("screen-1280x720.png", "/", (1280, 720), SEED_TERM),
    ("screen-1920x1080.png", "/", (1920, 1080), SEED_TERM),
    ("screen-present.png", "/?preset=hello&present=1", (1920, 1080), HELLO_TERM),
)


def walk_to(page: Page, note: str) -> None:
    for _ in range(40):
        text = page.locator("#view-note").text_content() or ""
        if note in text:
            return
        page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "old => document.getElementById('view-note').textContent !== old && "
            "document.querySelector('#formula [data-waiting]') === null",
            arg=text,
        )
    raise RuntimeError(f"never reached {note!r}")


def main() -> None:
    with Uvicorn(env={}) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for name, path, (width, height), note in SHOTS:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(server.url + path)
            page.wait_for_function("() => document.getElementById('status').textContent !== ''")
            walk_to(page, note)
            page.wait_for_timeout(300)
            page.screenshot(path=str(DOCS / name))
            page.close()
            print("wrote", DOCS / name)
        browser.close()


if __name__ == "__main__":
    main()

"""Take docs/explorer.png: the explorer at 1280x720, mid-backward-pass on seed-3-step.

Starts the app with uvicorn on a free port, steps forward three times and backward to t = 2,
lights the W_h term there, and saves the screenshot. Run: .venv/bin/python scripts/screenshot.py
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "docs" / "explorer.png"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


def find_chromium() -> str:
    for candidate in (os.environ.get("BPTT_CHROMIUM", ""), *CHROMIUM_CANDIDATES):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    sys.exit("No Chromium found: set BPTT_CHROMIUM or run scripts/ensure-chromium")


def start_server() -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "uvicorn", "app.main:app", "--port", str(port)]
    server = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{url}/api/presets", timeout=1).close()
            return server, url
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    server.kill()
    sys.exit("uvicorn did not start")


def wait_for_note(page, text: str) -> None:
    page.wait_for_function(
        "text => document.getElementById('view-note').textContent.includes(text)", arg=text
    )


def main() -> None:
    server, url = start_server()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=find_chromium(), args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.goto(f"{url}/?preset=seed-3-step")
            page.wait_for_function("document.body.dataset.sessionId !== undefined")
            for t in (1, 2, 3):
                page.keyboard.press("ArrowRight")
                wait_for_note(page, f"forward step t = {t},")
            page.keyboard.press("ArrowRight")
            wait_for_note(page, "backward step t = 3")
            page.get_by_role("button", name="Backward step").click()
            wait_for_note(page, "backward step t = 2, term 1")
            page.locator("#term-list button[data-term^='W_h:']").click()
            wait_for_note(page, "term 2 of")
            page.evaluate("document.activeElement.blur()")
            page.screenshot(path=str(OUTPUT))
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"saved {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

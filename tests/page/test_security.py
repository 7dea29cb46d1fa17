"""The page, the editor and /docs under the Content-Security-Policy (no inline script or
style, no eval): no violation anywhere; and whatever a user types is shown as text."""

from __future__ import annotations

import urllib.request
from urllib.parse import quote

import pytest

from tests.page.conftest import Watched
from tests.page.helpers import open_editor_session, press_and_wait, run_epoch

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (event) => window.__violations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || 'inline'} at ${event.sourceFile}`));
"""
PAYLOADS = (
    '<script>window.__ran = "script"</script>',
    '"><img src=x onerror="window.__ran=\'img\'">',
    "'><svg onload=\"window.__ran='svg'\"></svg>",
    "javascript:window.__ran='link'",
)
INJECTED = "img[src='x'], svg[onload], script:not([src]):not([type='application/json'])"


def violations(watched: Watched) -> list[str]:
    found = watched.page.evaluate("window.__violations")
    return [*found, *(error for error in watched.errors if "Content Security Policy" in error)]


@pytest.fixture
def guarded(watched: Watched) -> Watched:
    watched.page.add_init_script(RECORD_VIOLATIONS)
    watched.dialogs = []  # type: ignore[attr-defined]
    watched.page.on(
        "dialog", lambda dialog: (watched.dialogs.append(dialog.message), dialog.dismiss())
    )
    return watched


def test_every_answer_carries_the_security_headers(base_url: str) -> None:
    for path in ("/", "/docs", "/api/health", "/static/js/main.js", "/api/sessions/nope"):
        try:
            response = urllib.request.urlopen(base_url + path)
        except urllib.error.HTTPError as error:  # the 404 too
            response = error
        headers = response.headers
        policy = headers["Content-Security-Policy"]
        assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy, path
        assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"


def test_the_page_and_the_editor_work_with_no_violation(guarded: Watched) -> None:
    page = guarded.page
    guarded.open("/")
    for note in ("forward step t = 1,", "forward step t = 2,", "forward step t = 3,"):
        press_and_wait(page, "ArrowRight", note)
    press_and_wait(page, "ArrowRight", "backward step t = 3, term 1 of")
    press_and_wait(page, "ArrowRight", "term 2 of")  # a term's factors, coloured by CSSOM
    assert page.locator("#formula .factor").count() > 0
    colour = page.eval_on_selector(
        "#formula .factor", "e => e.style.getPropertyValue('--factor-colour')"
    )
    assert colour
    run_epoch(page)
    open_editor_session(guarded, hidden_size="3", params="")
    assert guarded.state()["config"]["hidden_size"] == 3
    assert violations(guarded) == []
    assert guarded.errors == []


def test_docs_work_with_no_violation(guarded: Watched) -> None:
    page = guarded.page
    page.goto(guarded.base_url + "/docs")
    page.get_by_text("Create a session").first.click()
    page.get_by_role("button", name="Try it out").first.click()
    page.locator(".opblock.is-open textarea").first.wait_for()
    assert page.locator(".opblock").count() >= 10
    assert violations(guarded) == []


@pytest.mark.parametrize("payload", PAYLOADS)
def test_what_a_user_types_is_shown_as_text_and_never_runs(guarded: Watched, payload: str) -> None:
    page = guarded.page
    page.goto(f"{guarded.base_url}/?preset={quote(payload)}")  # an unknown preset: said so
    page.locator("#formula .unknown-preset").wait_for(state="visible")
    assert payload in page.locator("#formula .unknown-preset").inner_text()  # as text
    page.get_by_text("Scenario editor").click()
    editor = page.locator("#editor")
    for name in ("learning_rate", "truncation", "clip_norm", "inputs", "targets", "params"):
        editor.locator(f"[name='{name}']").fill(payload)
    page.get_by_role("button", name="Create session").click()
    page.wait_for_function("() => document.querySelector('#editor [aria-invalid=true]') !== null")
    page.goto(f"{guarded.base_url}/?session={quote(payload)}")  # no such session: a 404 shown
    page.locator("#error").wait_for(state="visible")
    assert (
        payload.split(">")[0] in page.locator("#error").inner_text()
        or page.locator("#error").inner_text()
    )
    assert page.evaluate("window.__ran") is None
    assert page.locator(INJECTED).count() == 0
    assert guarded.dialogs == []  # type: ignore[attr-defined]
    assert violations(guarded) == []

"""The session across requests and reloads: one POST a step, the address keeps the session,
a shared link is read-only, and Start over is the way back after an overflow."""

from __future__ import annotations

from playwright.sync_api import Browser, Page

from tests.page.conftest import Watched
from tests.page.helpers import (
    address,
    click_and_wait,
    lit_ids,
    losses_as_read,
    press_and_wait,
    run_epoch,
    wait_for_status,
    wait_for_view,
)

STEP_BUTTONS = ("Forward step", "Backward step", "Update weights", "Run epoch", "Reset")


def api_calls(watched: Watched, since: int) -> list[tuple[str, str]]:
    """The page's requests to the API since `since`, as (method, path)."""
    own = watched.base_url
    return [(m, u.removeprefix(own)) for m, u in watched.calls[since:] if "/api/" in u]


def test_a_step_is_one_post_and_no_get(watched: Watched) -> None:
    """The step's answer carries the session summary: the page fetches nothing else but,
    for a backward step, the factors of the term it shows."""
    page = watched.page
    watched.open("/")
    path = f"/api/sessions/{watched.session_id}"
    steps = [("Forward step", "/forward")] * 3 + [("Backward step", "/backward")] * 3
    for button, endpoint in [*steps, ("Update weights", "/update")]:
        before = len(watched.calls)
        answer = click_and_wait(page, button, endpoint)
        wait_for_view(page, "")
        calls = api_calls(watched, before)
        posts = [(m, u) for m, u in calls if m != "GET"]
        gets = [u for m, u in calls if m == "GET"]
        if endpoint == "/backward":  # the term it opens on comes with the step's answer
            assert posts == [("POST", f"{path}/backward?first_term=true")]
            first = f"W_x%3A3%3A{answer['t']}"
            assert answer["first_term"]["id"] == f"W_x:3:{answer['t']}"
            assert all(first not in u for u in gets)  # never asked for
        else:
            assert posts == [("POST", path + endpoint)]
        # Else only what the next → shows, asked for ahead (once a view is painted, so a
        # preview may leave just before the click's POST): the factors of terms the page
        # holds, what the next forward or backward step would answer, and the epoch's running
        # sums (GETs that change nothing).
        ahead = (
            "/terms/",
            f"{path}/forward/preview",
            f"{path}/backward/preview?first_term=true",
            f"{path}/sums?epoch=1",
        )
        assert all(any(a in u for a in ahead) for u in gets), gets
        state = watched.state()
        assert page.get_by_role("status").inner_text() == state["status"]
        assert answer["session"]["status"] == state["status"]
    # After the update the rails show the new weights, taken from the answer's summary.
    assert state["epoch"] == 2 and state["params"]["W_h"] == answer["params_new"]["W_h"]
    assert page.locator("[data-id='W_h']").get_attribute("aria-label") == "W_h = 0.8004"
    # said once: last epoch's, and what the new weights give (not stepped), in the one format
    loss, after = losses_as_read(page, state["loss_history"][0], answer["loss_after"])
    assert len(loss.replace("0.", "")) == 4 and loss != after  # 0.5023, not 0.502300
    assert page.locator("#loss-now").inner_text() == (
        f"epoch 1: {loss}; epoch 2: {after} (L after the update; its forward pass not stepped yet)"
    )
    assert page.locator("#loss-chart .chart-point").count() == 1  # one epoch completed
    assert watched.errors == []


def snapshot(page: Page) -> tuple[str, str, tuple[set[str], set[str]], str]:
    return (
        page.get_by_role("status").inner_text(),
        page.locator("#view-note").inner_text(),
        lit_ids(page),
        page.locator("#formula").inner_text(),
    )


def reload(watched: Watched) -> None:
    address(watched.page)  # the view's address written, as a person reloading sees it
    watched.page.reload()
    watched.page.wait_for_function("() => document.body.dataset.sessionId !== undefined")
    wait_for_status(watched.page, watched.state()["status"])
    wait_for_view(watched.page, "")


def test_reload_keeps_the_session_and_a_shared_link_is_read_only(
    watched: Watched, browser: Browser
) -> None:
    page = watched.page
    watched.open("/")
    session = watched.session_id
    for t in (1, 2):
        press_and_wait(page, "ArrowRight", f"Showing forward step t = {t},")
    assert f"session={session}" in address(page)
    seen = snapshot(page)
    reload(watched)
    assert watched.session_id == session
    assert snapshot(page) == seen
    # On, into the backward pass, and to the second term of t = 3: a reload shows that term.
    press_and_wait(page, "ArrowRight", "Showing forward step t = 3,")
    press_and_wait(page, "ArrowRight", "Showing backward step t = 3, term 1 of")
    press_and_wait(page, "ArrowRight", "Showing backward step t = 3, term 2 of")
    seen = snapshot(page)
    before = len(watched.calls)
    reload(watched)
    assert snapshot(page) == seen
    assert lit_ids(page)[1]  # a lit path, the same as before the reload
    calls = api_calls(watched, before)  # presets, the session, the factors of the term in view
    others = [u for m, u in calls if not (m == "GET" and "/terms/" in u)]  # terms: also ahead
    # and the epoch's running sums, whose digits the term's view writes
    assert others == [
        "/api/presets",
        f"/api/sessions/{session}",
        f"/api/sessions/{session}/sums?epoch=1",
    ]
    assert any(m == "GET" and "/terms/W_h%3A3%3A3" in u for m, u in calls)
    # The token stayed with this tab: stepping goes on.
    assert page.get_by_role("button", name="Backward step").is_enabled()
    assert page.locator("#read-only").is_hidden()
    click_and_wait(page, "Backward step", "/backward")
    seen = snapshot(page)

    # The same address in a new browser context has no token: the same picture, read-only.
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        other = context.new_page()
        other.goto(address(page))
        other.wait_for_function("() => document.body.dataset.sessionId !== undefined")
        wait_for_status(other, watched.state()["status"])
        assert snapshot(other) == seen
        notice = other.locator("#read-only")
        assert notice.is_visible() and "Read-only" in notice.inner_text()
        for name in (*STEP_BUTTONS, "Start over"):
            assert other.get_by_role("button", name=name, exact=True).is_disabled(), name
        # Walking back is allowed (no request); stepping on is not.
        calls: list[str] = []
        other.on("request", lambda request: calls.append(request.method))
        other.keyboard.press("ArrowLeft")
        other.wait_for_function(
            "() => !document.getElementById('view-note').textContent.includes('t = 2')"
        )
        other.keyboard.press("ArrowRight")
        other.keyboard.press("ArrowRight")
        other.wait_for_timeout(200)
        assert "POST" not in calls
        assert watched.state()["backward"][-1]["t"] == 2
    finally:
        context.close()
    assert watched.errors == []


def test_start_over_after_an_overflow(watched: Watched) -> None:
    page = watched.page
    watched.open("/?preset=exploding")
    run_epoch(page)  # its first update overflows
    banner = page.locator("#diverged-banner")
    assert banner.is_visible()
    assert "Start over" in banner.inner_text()
    start_over = page.get_by_role("button", name="Start over", exact=True)
    assert "attention" in start_over.get_attribute("class")
    with page.expect_request(lambda r: r.url.endswith("/reset")) as sent:
        state = click_and_wait(page, "Start over", "/reset")
    assert sent.value.post_data_json == {"to": "start"}
    assert state["epoch"] == 1 and state["loss_history"] == [] and state["diverged"] is None
    assert banner.is_hidden()
    assert page.get_by_role("status").inner_text() == watched.state()["status"]
    assert "epoch 1" in page.locator("#view-note").inner_text()
    w_h = page.locator("[data-id='W_h']").get_attribute("aria-label")
    assert w_h.startswith("W_h = [2.5, ")
    assert page.locator("#loss-chart circle").count() == 0
    assert "attention" not in start_over.get_attribute("class")
    # It is a session like a new one: stepping works.
    click_and_wait(page, "Forward step", "/forward")
    assert watched.errors == []


def test_a_view_from_an_earlier_epoch_says_it_is_gone(watched: Watched) -> None:
    """?view=e1-backward-1-2 after an update: epoch 2 is shown, and the page says why."""
    page = watched.page
    watched.open("/?preset=seed-3-step")
    run_epoch(page)
    click_and_wait(page, "Forward step", "/forward")
    session = watched.session_id
    page.goto(f"{watched.base_url}/?session={session}&view=e1-backward-1-2")
    page.wait_for_function("() => document.getElementById('view-note').textContent !== ''")
    notice = page.locator("#view-lost")
    assert notice.is_visible()
    assert "epoch 1" in notice.inner_text() and "showing epoch 2" in notice.inner_text()
    assert page.locator("#view-note").inner_text() == "Showing forward step t = 1, epoch 2."
    assert "view=e2-forward-1" in address(page)
    # The next move is an ordinary one: the line goes.
    press_and_wait(page, "ArrowLeft", "the update of epoch 1")
    assert not notice.is_visible()
    assert watched.errors == []


# Set once: whether the formula panel ever said a term's factors were on their way.
WATCH_FETCHING = """() => {
    window.sawFetching = false;
    new MutationObserver(() => {
        if (document.querySelector('#formula [data-waiting]')) window.sawFetching = true;
    }).observe(document.getElementById('formula'), { subtree: true, childList: true });
}"""


def test_the_next_term_is_fetched_ahead_and_drawn_once(watched: Watched) -> None:
    """While a term is shown the page asks for the next term's factors: → then shows that
    term at once, with no request and no "Fetching" first; ← and → again ask for nothing."""
    page = watched.page
    watched.open("/")
    path = f"/api/sessions/{watched.session_id}"
    for t in (1, 2, 3):
        press_and_wait(page, "ArrowRight", f"Showing forward step t = {t},")
    page.evaluate(WATCH_FETCHING)
    press_and_wait(page, "ArrowRight", "Showing backward step t = 3, term 1 of")
    assert page.evaluate("window.sawFetching") is False  # the step's first term, drawn once
    second = f"{path}/terms/W_h%3A3%3A3?epoch=1"
    page.wait_for_function(  # the next term's factors, asked for while term 1 is shown
        "url => performance.getEntriesByType('resource').some(e => e.name.endsWith(url))",
        arg=second,
    )
    before = len(watched.calls)
    press_and_wait(page, "ArrowRight", "Showing backward step t = 3, term 2 of")
    assert ("GET", second) not in api_calls(watched, before)
    assert page.evaluate("window.sawFetching") is False
    assert page.locator("#formula #term-value").count() == 1  # the term in full, factors drawn
    before = len(watched.calls)
    press_and_wait(page, "ArrowLeft", "Showing backward step t = 3, term 1 of")
    press_and_wait(page, "ArrowRight", "Showing backward step t = 3, term 2 of")
    assert [
        u
        for _, u in api_calls(watched, before)
        if u in (second, f"{path}/terms/W_x%3A3%3A3?epoch=1")
    ] == []
    assert watched.errors == []

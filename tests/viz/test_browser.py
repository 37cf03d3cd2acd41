"""The views in a real browser: JupyterLab 4 (and Notebook 7 when installed) in headless Chromium.

Runs ``views_check.ipynb`` and checks, with selectors only the live widgets render (a missing
widget front end silently falls back to the static HTML), that the timeline, its reward
chart, the run table and its plotly charts, the live view, compare and the dashboard work,
that clicks make kernel round trips, and that hostile content stays inert text.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest

from .browser import CHROMIUM_FLAGS, JupyterServer, chromium_path, run_all

HERE = Path(__file__).parent
NOTEBOOK = "views_check.ipynb"
IN_CI = os.environ.get("OPENREWARD_NB_CI") == "1"

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]


def _need(ok: bool, why: str) -> None:
    if not ok:
        if IN_CI:
            pytest.fail(f"{why} (OPENREWARD_NB_CI=1: the browser test must run)")
        pytest.skip(why)


TOP_TURN = """l => { const base = l.querySelector('.orw-items').offsetTop;
  const e = [...l.querySelectorAll('.orw-ev')].find(e => e.offsetTop - base + e.offsetHeight > l.scrollTop + 4);
  return e && e.dataset.turn; }"""


def visible_entries(timeline) -> list[str]:
    """Types of the entries a timeline shows (hidden ones left out)."""
    return timeline.locator(".orw-ev:not([hidden])").evaluate_all(
        "els => els.map(e => [...e.classList].find(c => c.startsWith('orw-t-')))"
    )


@pytest.fixture(params=["lab", "notebook"])
def app(request) -> str:
    if request.param == "notebook":
        _need(importlib.util.find_spec("notebook") is not None, "Notebook 7 is not installed (pip install notebook)")
    return request.param


def test_views_in_browser(app: str, tmp_path: Path) -> None:
    chromium = chromium_path()
    _need(
        chromium is not None, "no chromium at $OPENREWARD_NB_CHROMIUM or /usr/bin/chromium (apt-get install chromium)"
    )
    from playwright.sync_api import sync_playwright

    shutil.copy(HERE / NOTEBOOK, tmp_path / NOTEBOOK)
    shots = Path(os.environ.get("OPENREWARD_NB_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    with JupyterServer(tmp_path, app) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1500})
            dialogs: list[str] = []
            errors: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.on("pageerror", lambda e: errors.append(str(e)))
            run_all(page, server.url(NOTEBOOK))
            cells = page.locator(".jp-Notebook .jp-Cell")  # markdown cells count
            check_timeline(page, cells.nth(2).locator(".orw-timeline"), shots / f"timeline-{app}.png")
            check_hostile(page, cells.nth(3).locator(".orw-timeline"), dialogs)
            check_run_view(page, cells.nth(4).locator(".orw-run"))
            cells.nth(4).locator(".orw-run").screenshot(path=str(shots / f"run-{app}.png"))
            check_live(cells.nth(5).locator(".orw-timeline"))
            check_compare_and_dashboard(cells.nth(6).locator(".orw-compare"), cells.nth(7).locator(".orw-dashboard"))
            cells.nth(6).locator(".orw-compare").screenshot(path=str(shots / f"compare-{app}.png"))
            assert not dialogs, f"a script opened a dialog: {dialogs}"
            assert not [e for e in errors if "orw" in e or "anywidget" in e], errors
        finally:
            browser.close()


def check_timeline(page, tl, shot: Path) -> None:
    tl.locator(".orw-ev").first.wait_for(timeout=30_000)
    tl.locator("img.orw-thumb").wait_for(timeout=15_000)
    tl.scroll_into_view_if_needed()
    tl.screenshot(path=str(shot))
    assert tl.locator(".orw-name-main").inner_text() == "episode-solved"
    types = visible_entries(tl)
    assert len(types) == 12 and {"orw-t-tool_call", "orw-t-reasoning", "orw-t-assistant_message"} <= set(types)
    # reward chart: one point per rewarded event, drawn as SVG by the widget's own module
    assert tl.locator(".orw-chart circle.orw-pt").count() == 3
    # tool calls joined to their results by call_id
    assert "result #" in tl.locator(".orw-t-tool_call .orw-join").first.inner_text()
    # assistant markdown rendered (bold), reasoning collapsed behind its summary
    assert tl.locator(".orw-md strong").first.inner_text() == "two files"
    assert tl.locator("details.orw-reasoning:not([open])").count() == 1
    # the image thumbnail arrives from the kernel as a binary buffer
    tl.locator("img.orw-thumb[src^='blob:']").wait_for(timeout=15_000)
    # a type filter: the entries change to that type only
    tl.locator(".orw-filter[data-type='tool_call']").click()
    after = visible_entries(tl)
    assert after == ["orw-t-tool_call"] * 3, after
    tl.locator(".orw-filter[data-type='tool_call']").click()  # back to all
    assert len(visible_entries(tl)) == 12
    # search highlights matches in the loaded events
    tl.locator(".orw-search").fill("flag")
    tl.locator("mark.orw-hit").first.wait_for(timeout=5_000)
    assert all("flag" in t.lower() for t in tl.locator(".orw-ev:not([hidden]) .orw-body").all_inner_texts())
    tl.locator(".orw-search").fill("")
    page.wait_for_timeout(300)
    # clipped content expands with the full text fetched from the kernel
    clipped = tl.locator(".orw-ev:has(.orw-expand) .orw-body").element_handle()
    short = len(clipped.inner_text())
    tl.locator(".orw-expand").click()
    page.wait_for_function("([el, n]) => el.innerText.length > n", arg=[clipped, short], timeout=10_000)
    # clicking a chart point brings its event into view
    tl.locator(".orw-chart circle.orw-pt").last.click()
    tl.locator(".orw-ev.orw-flash").wait_for(timeout=5_000)
    assert tl.locator(".orw-ev.orw-flash").get_attribute("data-i") == "10"


def check_hostile(page, tl, dialogs: list[str]) -> None:
    tl.locator(".orw-ev").first.wait_for(timeout=15_000)
    tl.locator(".orw-toggle").first.click()  # metadata on demand, hostile too
    for details in tl.locator("details").all():
        details.evaluate("d => d.open = true")
    page.wait_for_timeout(500)
    assert page.evaluate("() => window.__orw_pwned") is None
    assert not dialogs
    inert = page.evaluate(
        """() => document.querySelectorAll('img[src="x"], a[href^="javascript" i], [onerror], [onmouseover], .orw-timeline script').length"""
    )
    assert inert == 0
    text = tl.inner_text()
    assert "<script>window.__orw_pwned" in text and '<img src=x onerror="window.__orw_pwned' in text
    assert "[click me](javascript:" in text and "</style><b onmouseover=" in text
    assert tl.locator(".orw-name-main").inner_text().startswith("hostile<script>")


def check_run_view(page, run) -> None:
    rows = run.locator(".orw-run-table tr.orw-row")
    rows.first.wait_for(timeout=15_000)
    assert rows.count() == 24
    run.locator(".js-plotly-plot").nth(1).wait_for(timeout=30_000)  # histogram and reward curve
    run.locator(".orw-run-table th", has_text="reward").first.click()  # sort by reward, highest first
    first = run.locator(".orw-run-table tr.orw-row").first.locator("td").nth(2).inner_text()
    assert float(first) == max(
        float(t) for t in run.locator(".orw-run-table tr.orw-row td:nth-child(3)").all_inner_texts()
    )
    run.locator(".orw-run-table tr.orw-row").nth(3).click()
    run.locator(".orw-timeline .orw-ev").first.wait_for(timeout=15_000)


def check_live(tl) -> None:
    tl.page.wait_for_function(
        "el => el.querySelectorAll('.orw-ev').length === 11 && el.querySelector('.orw-status').textContent === 'finished'",
        arg=tl.element_handle(),
        timeout=20_000,
    )


def check_compare_and_dashboard(cmp, dash) -> None:
    cmp.locator(".orw-timeline .orw-ev").first.wait_for(timeout=15_000)
    assert cmp.locator(".orw-timeline").count() == 2
    # scrolling one side scrolls the other to the same model turn (anchors linked in the browser);
    # the left list may stop short of #6 when it cannot scroll further, so compare the turns at the top
    left, right = (cmp.locator(".orw-timeline").nth(k).locator(".orw-list") for k in (0, 1))
    left.evaluate(
        "l => { const e = l.querySelector('.orw-ev[data-i=\"6\"]'); l.scrollTop = e.offsetTop - l.querySelector('.orw-items').offsetTop; }"
    )
    right.page.wait_for_function(
        f"([l, r]) => r.scrollTop > 0 && ({TOP_TURN})(l) === ({TOP_TURN})(r) && ({TOP_TURN})(r) !== '0'",
        arg=[left.element_handle(), right.element_handle()],
        timeout=10_000,
    )
    runs = dash.locator(".orw-runs-table tr.orw-row")
    runs.first.wait_for(timeout=15_000)
    assert runs.count() == 4
    dash.locator(".orw-runs-table tr.orw-row", has_text="ctf-demo").click()
    dash.locator(".orw-run .orw-run-table tr.orw-row").first.wait_for(timeout=15_000)
    dash.locator(".orw-run .orw-run-table tr.orw-row").first.click()
    dash.locator(".orw-run .orw-timeline .orw-ev").first.wait_for(timeout=15_000)

"""The views in a real browser: JupyterLab 4 (and Notebook 7 when installed) in headless Chromium.

Runs ``views_check.ipynb`` and checks, with selectors only the live widgets render (a missing
widget front end silently falls back to the static HTML), that the timeline, its reward
chart, the run table and its charts (which filter the table when clicked), the live timeline
and run view, compare and the dashboard work, that clicks make kernel round trips, that events
look as the presentation table says, that attachments are images only when their bytes are,
and that hostile content stays inert text.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from .browser import CHROMIUM_FLAGS, JupyterServer, need_chromium, run_all
from .hostile import SENTINEL

HERE = Path(__file__).parent
NOTEBOOK = "views_check.ipynb"
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]


TOP_TURN = """l => { const base = l.querySelector('.orw-items').offsetTop;
  const e = [...l.querySelectorAll('.orw-ev')].find(e => e.offsetTop - base + e.offsetHeight > l.scrollTop + 4);
  return e && e.dataset.turn; }"""


def visible_entries(timeline) -> list[str]:
    """Types of the entries a timeline shows (hidden ones left out)."""
    return timeline.locator(".orw-ev:not([hidden])").evaluate_all(
        "els => els.map(e => [...e.classList].find(c => c.startsWith('orw-t-')))"
    )


def test_views_in_browser(app: str, tmp_path: Path) -> None:
    chromium = need_chromium()
    from playwright.sync_api import sync_playwright

    shutil.copy(HERE / NOTEBOOK, tmp_path / NOTEBOOK)
    shots = Path(os.environ.get("OPENREWARD_NB_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    with JupyterServer(tmp_path, app) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_FLAGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 1500}, accept_downloads=True)
            page = context.new_page()
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
            check_looks(cells.nth(8).locator(".orw-timeline"))
            check_attachments(page, cells.nth(9).locator(".orw-timeline"))
            check_live_run(cells.nth(10).locator(".orw-run"))
            for k in range(2, 11):  # every view's static rendering steps aside for its live widget
                assert not any(
                    cells.nth(k).locator(".orws-static").evaluate_all("els => els.map(e => e.checkVisibility())")
                )
            assert page.evaluate(f"() => window.{SENTINEL}") is None
            assert len(context.pages) == 1, "something opened a page"
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


def row_count(run) -> int:
    return run.locator(".orw-run-table tr.orw-row").count()


def wait_rows(run, n: int) -> None:
    run.page.wait_for_function(
        "([el, n]) => el.querySelectorAll('.orw-run-table tr.orw-row').length === n",
        arg=[run.element_handle(), n],
        timeout=10_000,
    )


def check_run_view(page, run) -> None:
    rows = run.locator(".orw-run-table tr.orw-row")
    rows.first.wait_for(timeout=15_000)
    assert rows.count() == 24
    assert "views-check.sqlite" in run.locator(".widget-html").first.inner_text()  # the store, in the header
    # rewards are 0 or 1.3: one bar each; clicking one keeps its rollouts, clicking the chip clears it
    bars = run.locator(".orw-hist rect.orw-hbar")
    assert bars.count() == 2
    bars.nth(1).click()
    wait_rows(run, 16)
    assert "reward 1.3" in run.locator(".orw-table-chip").inner_text()
    run.locator(".orw-table-chip").click()
    wait_rows(run, 24)
    # the curve is by training step: whole-number ticks, and a point keeps that step's rollouts
    assert run.locator(".orw-curve .orw-xtick").all_text_contents() == ["0", "1", "2", "3", "4", "5"]
    run.locator(".orw-curve circle.orw-cpt[data-x='2']").click()
    wait_rows(run, 4)
    # columns: rollout, labels, status, reward, final, ..., step (12th)
    assert all(t == "2" for t in run.locator(".orw-run-table tr.orw-row td:nth-child(12)").all_inner_texts())
    run.locator(".orw-table-chip").click()
    wait_rows(run, 24)
    # the reward-range filter in the table
    run.locator(".orw-range-lo").fill("1")
    wait_rows(run, 16)
    run.locator(".orw-range-lo").fill("")
    wait_rows(run, 24)
    run.locator(".orw-run-table th", has_text="reward").first.click()  # sort by reward, highest first
    first = run.locator(".orw-run-table tr.orw-row").first.locator("td").nth(3).inner_text()
    assert float(first) == max(
        float(t) for t in run.locator(".orw-run-table tr.orw-row td:nth-child(4)").all_inner_texts()
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


def check_looks(tl) -> None:
    """Events drawn from the presentation table: colours, folded reasoning, tool output, neutral zero."""
    tl.locator(".orw-ev").first.wait_for(timeout=15_000)
    # colours come from the table as data (tool_call: #9a6700 on a light theme)
    call = tl.locator(".orw-ev.orw-t-tool_call").first
    assert call.evaluate("e => getComputedStyle(e).borderLeftColor") == "rgb(154, 103, 0)"
    # and the dark one under a dark JupyterLab theme (#d29922)
    dark = """e => { const b = document.body, was = b.dataset.jpThemeLight; b.dataset.jpThemeLight = "false";
      const c = getComputedStyle(e).borderLeftColor; b.dataset.jpThemeLight = was; return c; }"""
    assert call.evaluate(dark) == "rgb(210, 153, 34)"
    # long text wraps between words: JupyterLab's `pre { word-break: break-all }` does not win
    text = tl.locator(".orw-t-user_message pre.orw-text").first
    assert text.evaluate("e => getComputedStyle(e).wordBreak") == "normal"
    assert text.evaluate("e => getComputedStyle(e).overflowWrap") == "anywhere"
    # reasoning folds behind its first line (the text's when there is no summary), not repeated inside
    folds = tl.locator("details.orw-reasoning")
    assert folds.locator("summary").all_inner_texts() == ["The user wants the flag.", "Planning the search"]
    for k in range(2):
        folds.nth(k).evaluate("d => d.open = true")
    assert folds.nth(0).locator("pre").inner_text() == "I will list the files first, then read the likely one."
    assert "Planning the search" not in folds.nth(1).locator(".orw-summary").inner_text()
    # tool output: text as text, JSON as JSON
    results = tl.locator(".orw-t-tool_result pre.orw-text")
    assert results.nth(0).inner_text() == "notes.txt\nflag.txt"
    assert json.loads(results.nth(1).inner_text()) == {"size": 24, "mode": "0644"}
    assert "orw-json" in results.nth(1).get_attribute("class")
    # a reward of 0 is neutral, 1 is good
    zero, one = tl.locator(".orw-reward.orw-zero"), tl.locator(".orw-reward.orw-good")
    assert zero.count() == 1 and one.count() == 1
    assert zero.evaluate("e => getComputedStyle(e).color") != one.evaluate("e => getComputedStyle(e).color")


def check_attachments(page, tl) -> None:
    """Only bytes that are an image become a thumbnail; SVG and HTML are downloads, never opened here."""
    tl.locator("img.orw-thumb[src^='blob:']").wait_for(timeout=15_000)
    assert tl.locator("img").count() == 1
    downloads = tl.locator(".orw-download")
    assert downloads.count() == 4
    assert [d.split(" ")[1] for d in downloads.all_inner_texts()] == [
        "drawing.png",
        "drawing.svg",
        "pageload.html",
        "inline.png",
    ]
    with page.expect_download() as info:
        downloads.nth(1).click()
    got = info.value
    assert got.suggested_filename == "drawing.svg"
    assert b"<svg" in Path(got.path()).read_bytes()
    page.wait_for_timeout(500)
    assert page.evaluate(f"() => window.{SENTINEL}") is None


def check_live_run(run) -> None:
    """The run view follows rollouts recorded while it is open, then stops following."""
    run.locator(".orw-run-table tr.orw-row").first.wait_for(timeout=15_000)
    assert "live" in run.locator(".widget-html").first.inner_text()
    wait_rows(run, 7)
    run.page.wait_for_function(
        "el => !el.querySelector('.orw-run-live')",
        arg=run.locator(".widget-html").first.element_handle(),
        timeout=15_000,
    )
    assert run.locator(".orw-hist rect.orw-hbar").count() == 2  # rewards 0 and 1, redrawn live

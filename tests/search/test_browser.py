"""The search view in a real browser (JupyterLab 4 in headless Chromium): results grouped by rollout
with the match highlighted, counts per run, filters that search again, hostile text inert, and a
click on a result opening its rollout's timeline at the matching event with the match highlighted."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

from ..viz.browser import CHROMIUM_FLAGS, JupyterServer, need_chromium, run_all
from ..viz.hostile import SENTINEL

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]

RECORD = f"""
import openreward_nb
from openreward_nb import OpenReward, ToolCall, ToolResult, UserMessage
client = OpenReward(store="search-check.sqlite")
for k in range(3):
    r = client.rollout.create(run_name="ctf-a" if k < 2 else "ctf-b", rollout_name=f"short-{{k}}")
    r.log(UserMessage("find the flag"))
    r.log(ToolCall(name="submit", content='{{"flag": "flag{{try_' + str(k) + '}}"}}', call_id="c"))
    r.log(ToolResult(content="wrong", call_id="c"), reward=0.0, is_finished=True)
deep = client.rollout.create(run_name="ctf-b", rollout_name="deep")
for k in range(300):
    deep.log(UserMessage(f"step {{k}}" + (" and here is FLAG{{deep}} at last" if k == 250 else "")))
deep.finish()
bad = client.rollout.create(run_name="ctf-b", rollout_name="<img src=x onerror=window.{SENTINEL}=1>")
bad.log(UserMessage('flag{{<script>window.{SENTINEL}=2</script><img src=x onerror="window.{SENTINEL}=3">}}'))
client.close()
"""
SHOW = 'openreward_nb.search_view("flag{", store="search-check.sqlite")'


def test_search_view_in_browser(tmp_path: Path) -> None:
    chromium = need_chromium()
    from playwright.sync_api import sync_playwright

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(RECORD), nbformat.v4.new_code_cell(SHOW)])
    nbformat.write(nb, tmp_path / "search_check.ipynb")
    shots = Path(os.environ.get("OPENREWARD_NB_SCREENSHOTS") or tmp_path)
    with JupyterServer(tmp_path, "lab") as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 1400}).new_page()
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            run_all(page, server.url("search_check.ipynb"))
            view = page.locator(".jp-Notebook .jp-Cell").nth(1).locator(".orw-searchview")
            hits = view.locator(".orw-s-hit")
            page.wait_for_function(
                "el => el.querySelector('.orw-s-text').textContent.startsWith('5 matching events in 5 rollouts')",
                arg=view.element_handle(),
                timeout=30_000,
            )
            assert hits.count() == 5 and view.locator(".orw-s-group").count() == 5
            assert view.locator("mark.orw-s-mark").all_inner_texts() == ["flag{", "flag{", "flag{", "FLAG{", "flag{"]
            assert [c.replace("\n", " ") for c in view.locator(".orw-s-chip").all_inner_texts()] == [
                "ctf-b 3",
                "ctf-a 2",
            ]
            # hostile names and snippets are text: no element, no script ran
            assert view.locator(".orw-s-rname", has_text="<img src=x").count() == 1
            assert page.locator(".orw-searchview img, .orw-searchview script").count() == 0
            assert page.evaluate(f"() => window.{SENTINEL}") is None and not dialogs
            view.screenshot(path=str(shots / "search.png"))

            # a result opens its rollout's timeline at the event, the match highlighted there
            view.locator(".orw-s-hit[data-i='250']").click()
            timeline = page.locator(".jp-Notebook .jp-Cell").nth(1).locator(".orw-timeline")
            focused = timeline.locator(".orw-ev.orw-focused")
            focused.wait_for(timeout=30_000)
            assert focused.get_attribute("data-i") == "250"
            assert focused.locator("mark.orw-hit").inner_text() == "FLAG{"
            page.wait_for_function(  # scrolled into the list's view
                """el => { const l = el.closest('.orw-list').getBoundingClientRect(), r = el.getBoundingClientRect();
                           return r.top >= l.top - 1 && r.top < l.bottom; }""",
                arg=focused.element_handle(),
                timeout=10_000,
            )
            timeline.screenshot(path=str(shots / "search-timeline.png"))

            # a filter control searches again, in the kernel
            view.locator(".orw-s-run").select_option("ctf-a")
            page.wait_for_function(
                "el => el.querySelector('.orw-s-text').textContent.startsWith('2 matching events in 2 rollouts')",
                arg=view.element_handle(),
                timeout=30_000,
            )
            assert view.locator(".orw-s-grun").all_inner_texts() == ["ctf-a", "ctf-a"]
        finally:
            browser.close()

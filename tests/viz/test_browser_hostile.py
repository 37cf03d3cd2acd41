"""The widgets on hostile data that came over the wire (the ingest server) or sits in an older store's
tables, in JupyterLab in headless Chromium: every view, every fold opened, every row clicked, and no
script runs (the sentinel an ``alert`` / ``onerror`` / ``onload`` would set stays unset)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from .browser import CHROMIUM_FLAGS, JupyterServer, need_chromium, run_all
from .hostile import SENTINEL, make_hostile_store

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]

CELLS = (
    """import openreward_nb as orn
from IPython.display import display
client = orn.OpenReward(store="hostile.sqlite")
recs = list(client.rollouts.iter())
runs = client.runs.list()
print(len(recs), "rollouts in", len(runs), "runs")""",
    "for rec in recs:\n    display(rec)",
    "for run in runs:\n    display(run)",
    "orn.dashboard(client)",
    "orn.compare(recs[0], recs[-1])",
)
ACTIVE = (
    "img[src='x'], [onerror], [onload], [onmouseover], a[href^='javascript' i], "
    ".jp-OutputArea-output script, .jp-OutputArea-output iframe, .jp-OutputArea-output object"
)


def test_hostile_wire_data_stays_inert_in_every_widget(tmp_path: Path) -> None:
    chromium = need_chromium()
    from playwright.sync_api import sync_playwright

    ids = make_hostile_store(tmp_path / "hostile.sqlite")
    nbformat.write(
        nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS]), tmp_path / "hostile.ipynb"
    )
    with JupyterServer(tmp_path, "lab") as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1400})
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            run_all(page, server.url("hostile.ipynb"))
            cells = page.locator(".jp-Notebook .jp-Cell")
            timelines = cells.nth(1).locator(".orw-timeline")
            timelines.nth(len(ids) - 1).locator(".orw-ev").first.wait_for(timeout=30_000)
            shown_ids = timelines.locator(".orw-id").all_text_contents()
            assert sorted(shown_ids) == sorted(ids)  # every id shown whole, as text
            # open everything a reader can open
            for toggle in page.locator(".orw-toggle").all():
                toggle.click()
            page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
            runs = cells.nth(2).locator(".orw-run")
            runs.first.locator(".orw-run-table tr.orw-row").first.wait_for(timeout=30_000)
            for k in range(runs.count()):
                rows = runs.nth(k).locator(".orw-run-table tr.orw-row")
                for r in range(rows.count()):
                    rows.nth(r).click()  # the kernel opens that rollout by its (hostile) id
                    runs.nth(k).locator(".orw-timeline .orw-ev").first.wait_for(timeout=15_000)
            dash = cells.nth(3).locator(".orw-dashboard")
            dash.locator(".orw-runs-table tr.orw-row").first.click()
            dash.locator(".orw-run .orw-run-table tr.orw-row").first.click()
            dash.locator(".orw-run .orw-timeline .orw-ev").first.wait_for(timeout=15_000)
            cells.nth(4).locator(".orw-compare .orw-timeline .orw-ev").first.wait_for(timeout=15_000)
            page.wait_for_timeout(1000)
            assert page.evaluate(f"() => window.{SENTINEL}") is None
            assert not dialogs, dialogs
            assert page.locator(ACTIVE).count() == 0
            assert "<script>window.__orw_pwned" in cells.nth(1).inner_text()  # shown, as text
        finally:
            browser.close()

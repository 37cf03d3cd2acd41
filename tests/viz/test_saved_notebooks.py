"""Saved notebooks stay readable, in a real browser: run every view in JupyterLab (and Notebook 7), save,
shut the kernel down, reopen without running (twice: Lab's choice of what to show has varied between
runs) and the static renderings show the rollouts' events, with no "model not found" in sight; and
``jupyter nbconvert --to html --execute`` gives a page that shows them with the network off.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .browser import CHROMIUM_FLAGS, JupyterServer, need_chromium, open_without_running, run_all, save_and_shut_down
from .saved_notebook import VIEWS, nbconvert, write_notebook

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(420)]

NOTEBOOK = "saved_check.ipynb"
BROKEN = ("Error displaying widget", "model not found", "Loading widget")
VISIBLE = "els => els.filter(e => e.checkVisibility()).length"


def view_cells(page):
    return page.locator(".jp-Notebook .jp-Cell")


def check_live(page) -> None:
    """While the kernel runs: every view is its live widget; the static renderings step aside."""
    cells = view_cells(page)
    for k in range(1, len(VIEWS) + 1):
        cells.nth(k).locator(".orw-live").first.wait_for(timeout=30_000)
        assert cells.nth(k).locator(".orws-static").evaluate_all(VISIBLE) == 0


def check_static(page, where: str) -> None:
    """Without a live kernel: every view's static rendering is visible and shows its events; nothing broken shows."""
    cells = view_cells(page)
    for k, (_, marker) in enumerate(VIEWS, start=1):
        cell = cells.nth(k)
        static = cell.locator(".orws-static")
        assert static.evaluate_all(VISIBLE) == 1, f"{where}: cell {k} shows no static rendering"
        assert marker in static.first.inner_text(), f"{where}: cell {k} lacks {marker}"
        assert cell.locator(".orw-live").count() == 0
        shown = cell.inner_text()
        assert not [b for b in BROKEN if b in shown], f"{where}: cell {k} shows {shown[-200:]!r}"
    assert view_cells(page).nth(2).locator(".orws-static svg").evaluate_all(VISIBLE) == 2  # the run's charts
    assert view_cells(page).nth(1).locator(".orws-ev").count() == 5


def test_saved_notebook_reopened_without_a_kernel_shows_the_views(app: str, tmp_path: Path) -> None:
    chromium = need_chromium()
    from playwright.sync_api import sync_playwright

    write_notebook(tmp_path / NOTEBOOK)
    with JupyterServer(tmp_path, app) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 1400})
            run_all(page, server.url(NOTEBOOK))
            check_live(page)
            save_and_shut_down(page)
            page.close()
            for attempt in range(2):
                page = browser.new_page(viewport={"width": 1200, "height": 1400})
                open_without_running(page, server.url(NOTEBOOK))
                check_static(page, f"{app}, reopened ({attempt + 1})")
                page.screenshot(path=str(tmp_path / f"reopened-{app}-{attempt}.png"), full_page=True)
                page.close()
        finally:
            browser.close()


def test_nbconvert_execute_html_shows_the_views_offline(tmp_path: Path) -> None:
    chromium = need_chromium()
    from playwright.sync_api import sync_playwright

    write_notebook(tmp_path / NOTEBOOK)
    nbconvert(tmp_path, "--to", "html", "--execute", NOTEBOOK)
    page_path = tmp_path / NOTEBOOK.replace(".ipynb", ".html")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 1400})
            # offline, as on a plane: the widget scripts the page asks a CDN for never arrive
            page.route(
                "**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort()
            )
            page.goto(page_path.as_uri())
            page.wait_for_timeout(1500)
            statics = page.locator(".orws-static")
            assert statics.evaluate_all(VISIBLE) == len(VIEWS)
            for k, (_, marker) in enumerate(VIEWS):
                assert marker in statics.nth(k).inner_text()
            assert page.locator(".orws-ev").count() >= 5
            assert not [b for b in BROKEN if b in page.inner_text("body")]
        finally:
            browser.close()

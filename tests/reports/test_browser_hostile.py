"""A report of hostile data (sent through the ingest server's ``POST /v1/rollouts``, planted in an older
store's tables, logged through the API) in headless Chromium from file://, every request blocked: every
rollout opened, every fold and detail opened, every search run; no script runs, nothing is requested, and
the hostile text is on the page as text."""

from __future__ import annotations

from pathlib import Path

import pytest

import openreward_nb
from openreward_nb import OpenReward

from ..viz.conftest import HOSTILE, record_hostile
from ..viz.hostile import HOSTILE as WIRE_HOSTILE
from ..viz.hostile import SENTINEL, make_hostile_store
from .support import OfflineBrowser, index

#: what would be active content in the page the report draws
ACTIVE = ", ".join(
    f"main {s}"
    for s in (
        "img[src='x']",
        "[onerror]",
        "[onload]",
        "[onmouseover]",
        "a[href^='javascript' i]",
        "script",
        "iframe",
        "object",
        "embed",
        "style",
        "link",
    )
)
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]


def test_hostile_content_in_every_field_stays_inert_text(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    store = tmp_path / "hostile.sqlite"
    ids = make_hostile_store(store)
    client = OpenReward(store=store)
    ids.append(record_hostile(client).id)
    client.close()
    out = openreward_nb.report(None, tmp_path / "hostile.html", store=store, title=HOSTILE)
    assert sorted(index(out.path)["rollouts"]) == sorted(ids)
    with sync_playwright() as pw:
        browser = OfflineBrowser(pw)
        try:
            page = browser.open(out.path)
            assert page.title().startswith("<script>window.__orw_pwned=1</script> <img src=x")  # as text
            assert page.locator(".orw-report-title").text_content() == HOSTILE
            sections = page.locator(".orw-report-section")
            shown_ids = []
            for s in range(sections.count()):
                rows = sections.nth(s).locator(".orw-run-table tr.orw-row")
                for r in range(rows.count()):
                    rows.nth(r).click()
                    timeline = sections.nth(s).locator(".orw-timeline")
                    timeline.locator(".orw-ev").first.wait_for()
                    shown_ids.append(timeline.locator(".orw-id").text_content())
                    for toggle in timeline.locator(".orw-toggle").all():
                        toggle.click()
                    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
                    for link in timeline.locator(".orw-join .orw-link").all():
                        link.click()
                    timeline.locator(".orw-search").fill("script")
                    timeline.locator(".orw-search-all").click()
                    timeline.locator(".orw-hits .orw-link").first.wait_for()
                    assert "<script>window.__orw_pwned" in timeline.inner_text()  # shown, as text
            assert sorted(shown_ids) == sorted(ids)  # every id shown whole, as text
            for chart in page.locator(".orw-run-charts .orw-hbar, .orw-run-charts .orw-cpt").all():
                chart.click()
            page.wait_for_timeout(500)
            assert page.evaluate(f"() => window.{SENTINEL}") is None
            assert browser.dialogs == []
            assert page.locator(ACTIVE).count() == 0
            scripts = page.locator("script").evaluate_all("ss => ss.map(s => s.type)")
            assert scripts.count("module") == 1 and set(scripts) == {"module", "application/octet-stream"}
            protocols = page.locator("a[href]").evaluate_all("as => as.map(a => a.protocol)")
            assert set(protocols) <= {"http:", "https:", "mailto:"}, protocols
            assert WIRE_HOSTILE.split(" ")[0] in page.locator("main").inner_text()
            assert browser.foreign_requests(out.path) == []
            assert browser.errors == []
        finally:
            browser.close()

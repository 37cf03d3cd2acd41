"""The report in headless Chromium, opened from file:// with every request blocked: the run table (sorted,
filtered), its charts (a click filters the table), a timeline opened from a row with the widget's type
filter, search, "show all" and thumbnails; a one-rollout report; and the policy refusing a script that is
not the one shipped."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

import openreward_nb
from openreward_nb import AssistantMessage
from openreward_nb.events import Attachment, Event

from ..viz.conftest import record_episode
from ..viz.test_browser import visible_entries
from .support import OfflineBrowser, blocks, index

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]


def _photo() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.radial_gradient("L").resize((800, 600)).convert("RGB").save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def report_path(client, tmp_path) -> Path:
    for k in range(4):
        record_episode(client, run="demo", name=f"ep-{k}", solved=k % 2 == 0, step=k)
    r = client.rollout.create(run_name="pictures", rollout_name="photo")
    r._emit(Event("user_message", "a photo", attachments=[Attachment("image/png", _photo(), name="photo.png")]))
    r.log(AssistantMessage("A **gradient**."), reward=1.0, is_finished=True)
    r.finish()
    client.rollout.flush()
    return openreward_nb.report(None, tmp_path / "report.html", store=client.store).path


def rows_text(run) -> list[str]:
    return run.locator(".orw-run-table tr.orw-row td:first-child").all_text_contents()


def test_table_charts_and_timeline_work_offline(report_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = OfflineBrowser(pw)
        try:
            page = browser.open(report_path)
            demo = page.locator(".orw-report-section").nth(0)
            assert demo.locator(".orw-report-run-name").text_content() == "demo"
            assert rows_text(demo) == ["ep-0", "ep-1", "ep-2", "ep-3"]
            # the table sorts and filters
            demo.locator(".orw-run-table th", has_text="reward").first.click()
            assert rows_text(demo) == ["ep-0", "ep-2", "ep-1", "ep-3"]  # highest reward first
            demo.locator(".orw-table-filter").fill("ep-3")
            page.wait_for_timeout(300)
            assert rows_text(demo) == ["ep-3"]
            demo.locator(".orw-table-filter").fill("")
            page.wait_for_timeout(300)
            # a click on the histogram's bar of the lowest reward keeps those rollouts only
            bars = demo.locator(".orw-run-charts .orw-hbar")
            assert bars.count() == 2
            bars.first.click()
            assert sorted(rows_text(demo)) == ["ep-1", "ep-3"]
            assert demo.locator(".orw-table-chip").text_content().startswith("reward -0.4")
            demo.locator(".orw-table-chip").click()
            assert len(rows_text(demo)) == 4
            # a row opens its timeline, drawn by the widget's module
            demo.locator(".orw-run-table tr.orw-row", has_text="ep-1").click()
            tl = demo.locator(".orw-timeline")
            tl.locator(".orw-ev").first.wait_for()
            assert tl.locator(".orw-name-main").text_content() == "ep-1"
            assert tl.locator(".orw-ev").count() == 9
            assert tl.locator(".orw-chart .orw-pt").count() == 2
            tool_call = tl.locator(".orw-filter[data-type='tool_call']")
            tool_call.click()
            assert visible_entries(tl) == ["orw-t-tool_call", "orw-t-tool_call"]
            tool_call.click()
            assert len(visible_entries(tl)) == 9
            tl.locator(".orw-search").fill("ls is cheap")
            page.wait_for_timeout(400)
            assert visible_entries(tl) == ["orw-t-reasoning"] and tl.locator("mark.orw-hit").count() == 1
            tl.locator(".orw-search").fill("wrong")
            tl.locator(".orw-search-all").click()
            tl.locator(".orw-hits .orw-link").first.wait_for()
            assert tl.locator(".orw-hits .orw-link").all_text_contents() == ["#8"]
            tl.locator(".orw-search").fill("")
            page.wait_for_timeout(400)
            long = tl.locator(".orw-ev[data-i='5'] pre.orw-text")
            assert len(long.text_content()) < 3000
            tl.locator(".orw-ev[data-i='5'] .orw-expand").click()
            page.wait_for_function(
                "() => document.querySelector(\".orw-ev[data-i='5'] pre.orw-text\").textContent.length === 15000"
            )
            assert "orw-clip" not in (tl.locator(".orw-ev[data-i='5']").inner_html())
            # another run's rollout: its image, a thumbnail made in Python, from the file's own bytes
            pictures = page.locator(".orw-report-section").nth(1)
            pictures.locator(".orw-run-table tr.orw-row").first.click()
            assert demo.locator(".orw-timeline").count() == 0  # one timeline open at a time
            thumb = pictures.locator("img.orw-thumb")
            thumb.wait_for()
            page.wait_for_function("() => document.querySelector('img.orw-thumb').naturalWidth > 0")
            assert thumb.evaluate("i => [i.naturalWidth, i.src.slice(0, 5)]") == [480, "blob:"]
            assert pictures.locator(".orw-md strong").text_content() == "gradient"
            measures = page.evaluate("() => performance.getEntriesByType('measure').map(m => m.name)")
            assert "orw-first-paint" in measures and measures.count("orw-open") == 2
            assert browser.foreign_requests(report_path) == []
            assert browser.errors == [] and browser.dialogs == []
        finally:
            browser.close()


def test_a_cut_report_and_a_link_to_a_rollout(client, tmp_path) -> None:
    from playwright.sync_api import sync_playwright

    for k in range(3):
        record_episode(client, run="demo", name=f"ep-{k}")
    client.rollout.flush()
    full = openreward_nb.report("demo", tmp_path / "full.html", store=client.store)
    one = len(blocks(full.path.read_text())["orw-r0"])
    out = openreward_nb.report("demo", tmp_path / "cut.html", store=client.store, max_mb=1.5 * one / 1e6)
    assert out.timelines == 1
    ix = index(out.path)
    left = [rid for rid, e in ix["rollouts"].items() if e["chunk"] is None]
    kept = [rid for rid, e in ix["rollouts"].items() if e["chunk"]]
    with sync_playwright() as pw:
        browser = OfflineBrowser(pw)
        try:
            page = browser.open(out.path)
            assert page.locator(".orw-report-notices li").first.text_content() == out.notices[0]
            run = page.locator(".orw-report-section")
            run.locator(f".orw-run-table tr.orw-row >> nth={len(kept)}").click()
            note = run.locator(".orw-report-slot .orw-report-note")
            assert "timeline is not in this file: the report reached its size cap" in note.text_content()
            assert run.locator(".orw-run-table td", has_text="table only").count() == len(left)
            page.goto(f"{out.path.as_uri()}#{kept[0]}")  # a link to one rollout opens it
            page.reload()
            page.wait_for_selector("#orw-report[data-ready] .orw-timeline .orw-ev")
            assert page.locator(".orw-timeline .orw-id").text_content() == kept[0]
            assert browser.foreign_requests(out.path) == [] and browser.errors == []
        finally:
            browser.close()


def test_a_rollout_report_and_a_policy_that_refuses_any_other_script(client, tmp_path) -> None:
    from playwright.sync_api import sync_playwright

    rec = record_episode(client)
    out = rec.to_html(tmp_path / "one.html")
    text = out.path.read_text()
    tampered = tmp_path / "tampered.html"
    tampered.write_text(text.replace("const MODULES = {", "const MODULES = { x: 1,", 1))
    with sync_playwright() as pw:
        browser = OfflineBrowser(pw)
        try:
            page = browser.open(out.path)
            assert page.locator(".orw-report-section").count() == 0
            assert page.locator(".orw-timeline .orw-ev").count() == 9
            assert browser.errors == []
            with pytest.raises(Exception, match="Timeout"):  # the changed script does not run
                browser.open(tampered, timeout=3_000)
            assert any("Content Security Policy" in e for e in browser.errors), browser.errors
        finally:
            browser.close()


WINDOWS = (
    (0, 40, None, False, None),
    (37, 100, None, False, None),
    (0, 100, ["tool_call"], False, None),
    (120, 100, ["reasoning", "user_message"], False, None),
    (250, 100, None, True, None),
    (90, 100, ["tool_result"], True, None),
    (10, 7, None, True, None),
    (0, 300, None, False, 7),
    (0, 50, None, False, 1000),
    (400, 100, None, False, None),
)


def test_the_report_pages_events_as_the_kernel_does(client, tmp_path) -> None:
    """Every page request a timeline makes gets the answer TimelineSource gives in a kernel."""
    from playwright.sync_api import sync_playwright

    from openreward_nb import AssistantMessage, ReasoningItem, ToolCall, ToolResult, UserMessage
    from openreward_nb.viz.source import TimelineSource

    r = client.rollout.create(run_name="long")
    for i in range(50):
        r.log(UserMessage(f"observation {i}"))
        r.log(ReasoningItem(summary=f"plan {i}"))
        r.log(ToolCall(name="bash", content="{}", call_id=f"c{i}"))
        r.log(ToolResult(content="ok", call_id=f"c{i}"), reward=0.5)
        r.log(AssistantMessage(f"step {i}"))
    r.finish()
    rec = r.record()
    source = TimelineSource(rec)
    out = rec.to_html(tmp_path / "long.html")
    with sync_playwright() as pw:
        browser = OfflineBrowser(pw)
        try:
            page = browser.open(out.path)
            for start, limit, types, backward, turn in WINDOWS:
                got = page.evaluate(
                    "a => window.orwReport.open.data.window(...a)", [start, limit, types, backward, turn]
                )
                assert got == source.window(start, limit, types, backward, turn), (start, limit, types, backward, turn)
            tl = page.locator(".orw-timeline")
            assert tl.locator(".orw-ev").count() == 40  # the first page; the rest as the list scrolls
            tl.locator(".orw-list").evaluate("l => l.scrollTop = l.scrollHeight")
            page.wait_for_function("() => document.querySelectorAll('.orw-ev').length >= 140")
            tl.locator(".orw-filter[data-type='reasoning']").click()  # pages of one type, asked of the file
            page.wait_for_function("() => document.querySelectorAll('.orw-ev').length === 50")
            assert set(visible_entries(tl)) == {"orw-t-reasoning"}
            assert browser.errors == [] and browser.foreign_requests(out.path) == []
        finally:
            browser.close()

"""The report in Debian's Firefox, opened from file:// with every request failed: the table, a chart, a
timeline, a filter and a search work there as in Chromium (DecompressionStream and all)."""

from __future__ import annotations

import pytest

import openreward_nb

from ..viz.conftest import record_episode
from .firefox import Firefox

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]

ROWS = "[...document.querySelectorAll('.orw-run-table tr.orw-row td:first-child')].map(td => td.textContent)"
SHOWN = "[...document.querySelectorAll('.orw-timeline .orw-ev:not([hidden])')].map(e => e.dataset.i)"


def test_the_report_works_in_firefox(client, tmp_path) -> None:
    for k in range(3):
        record_episode(client, run="demo", name=f"ep-{k}", solved=k != 1, step=k)
    client.rollout.flush()
    path = openreward_nb.report("demo", tmp_path / "report.html", store=client.store).path
    firefox = Firefox()
    try:
        firefox.open(path)
        firefox.wait_for("document.querySelector('#orw-report[data-ready]')")
        assert firefox.evaluate(ROWS) == ["ep-0", "ep-1", "ep-2"]
        assert firefox.evaluate("document.querySelectorAll('.orw-run-charts .orw-hbar').length") == 2
        firefox.evaluate("document.querySelector('.orw-run-charts .orw-hbar').dispatchEvent(new MouseEvent('click'))")
        assert firefox.evaluate(ROWS) == ["ep-1"]  # the chart filtered the table
        firefox.evaluate("document.querySelector('.orw-table-chip').click()")
        firefox.evaluate("document.querySelectorAll('.orw-run-table tr.orw-row')[2].click()")
        firefox.wait_for("document.querySelectorAll('.orw-timeline .orw-ev').length === 9")
        assert firefox.evaluate("document.querySelector('.orw-timeline .orw-name-main').textContent") == "ep-2"
        firefox.evaluate("document.querySelector(\".orw-filter[data-type='tool_result']\").click()")
        assert firefox.evaluate(SHOWN) == ["5", "8"]
        firefox.evaluate("document.querySelector(\".orw-filter[data-type='tool_result']\").click()")
        firefox.evaluate(
            "(() => { const s = document.querySelector('.orw-search'); s.value = 'correct';"
            " s.dispatchEvent(new Event('input')); document.querySelector('.orw-search-all').click(); })()"
        )
        firefox.wait_for("document.querySelector('.orw-hits .orw-link')")
        firefox.wait_for(f"{SHOWN}.join() === '8'")  # the loaded events filtered as typed
        assert firefox.evaluate("[...document.querySelectorAll('.orw-hits .orw-link')].map(b => b.textContent)") == [
            "#8"
        ]
        assert firefox.foreign_requests() == []
        assert not [line for line in firefox.logs if line.startswith("error")], firefox.logs
    finally:
        firefox.close()

"""``openreward-nb demo`` ends in a file a person can open without Jupyter: it writes the run's report and
prints its path, and the report opens, offline, on the demo's rollouts."""

from __future__ import annotations

import re
import subprocess

import pytest

from ..demo.test_cli import _env
from ..helpers import PYTHON
from .support import OfflineBrowser, index

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]


def test_the_demo_writes_its_runs_report_and_says_where(tmp_path) -> None:
    from playwright.sync_api import sync_playwright

    cmd = [PYTHON, "-m", "openreward_nb", "demo", "--tasks", "2"]
    out = subprocess.run(cmd, capture_output=True, text=True, env=_env(tmp_path), cwd=tmp_path, timeout=300)
    assert out.returncode == 0, out.stderr
    found = re.search(r"^report: (\S+)   # the run as one HTML file", out.stdout, re.M)
    assert found and found.group(1) == ".openreward_nb/quickstart-report.html", out.stdout
    path = tmp_path / found.group(1)
    assert len(index(path)["rollouts"]) == 2
    with sync_playwright() as pw:
        browser = OfflineBrowser(pw)
        try:
            page = browser.open(path)
            rows = page.locator(".orw-run-table tr.orw-row")
            assert rows.count() == 2
            rows.first.click()
            page.locator(".orw-timeline .orw-ev").first.wait_for()
            assert page.locator(".orw-timeline .orw-name-main").text_content() == "episode-0"
            assert page.locator(".orw-timeline .orw-filter[data-type='tool_call']").count() == 1
            assert browser.foreign_requests(path) == [] and browser.errors == []
        finally:
            browser.close()
    again = subprocess.run(
        [*cmd, "--report", "mine.html"], capture_output=True, text=True, env=_env(tmp_path), cwd=tmp_path
    )
    assert "\nreport: mine.html   #" in again.stdout and len(index(tmp_path / "mine.html")["rollouts"]) == 4

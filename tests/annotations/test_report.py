"""Labels in the shareable report: chips in each run's table and in the timelines, as the run view shows
them (read back from the file's data, and drawn in Chromium offline); ``annotations=False`` and
``--no-annotations`` leave every label and note out of the file."""

from __future__ import annotations

from pathlib import Path

import pytest

import openreward_nb
from openreward_nb.cli import main

from ..reports.support import OfflineBrowser, blocks, chunk, index, unpack
from .conftest import Run


def _label(run: Run) -> None:
    get = run.client.rollouts.get
    get(run.ids[1]).annotate("reward hacking", note="edited the test file")
    get(run.ids[1]).annotate("env bug")
    get(run.ids[2]).annotate("wrong tool", event=1)


def _table(path: Path) -> tuple[list[str], dict[str, dict]]:
    (section,) = index(path)["sections"]
    return [c["key"] for c in section["columns"]], {r["id"]: r for r in section["rows"]}


def test_the_table_and_timelines_carry_the_labels(run: Run, tmp_path: Path) -> None:
    _label(run)
    path = openreward_nb.report("ctf", tmp_path / "r.html", store=run.client.store).path
    keys, rows = _table(path)
    assert keys[:2] == ["rollout", "labels"] and "note" in keys
    assert rows[run.ids[1]]["labels"] == ["env bug", "reward hacking"]
    assert rows[run.ids[1]]["note"] == "edited the test file"
    assert rows[run.ids[0]]["labels"] == [] and rows[run.ids[2]]["labels"] == []  # a step's label is not the rollout's
    head = chunk(path, run.ids[1])["header"]
    assert (head["labels"], head["note"]) == (["env bug", "reward hacking"], "edited the test file")
    steps = {e["i"]: e.get("lb") for e in chunk(path, run.ids[2])["events"]}
    assert steps == {0: None, 1: ["wrong tool"], 2: None, 3: None}


def test_label_filters_choose_what_goes_in(run: Run, tmp_path: Path) -> None:
    _label(run)
    store = run.client.store
    _, rows = _table(openreward_nb.report("ctf", tmp_path / "a.html", store=store, label="env bug").path)
    assert list(rows) == [run.ids[1]]
    _, rows = _table(openreward_nb.report("ctf", tmp_path / "b.html", store=store, unlabelled=True).path)
    assert list(rows) == [run.ids[0], run.ids[2], run.ids[3]]


def _decoded(path: Path) -> str:
    """Everything the file holds, its data blocks decompressed."""
    text = path.read_text()
    return text + "".join(str(unpack(b)) for b in blocks(text).values())


@pytest.mark.parametrize("how", ["api", "command"])
def test_without_annotations_no_label_or_note_is_in_the_file(run: Run, tmp_path: Path, store_url: str, how) -> None:
    _label(run)
    path = tmp_path / "shared.html"
    if how == "api":
        openreward_nb.report("ctf", path, store=run.client.store, annotations=False)
    else:
        assert main(["--store", store_url, "report", "ctf", "-o", str(path), "--no-annotations"]) == 0
    keys, rows = _table(path)
    assert "labels" not in keys and "note" not in keys
    assert "labels" not in rows[run.ids[1]]
    assert chunk(path, run.ids[1])["header"]["labels"] == []
    assert all("lb" not in e for e in chunk(path, run.ids[2])["events"])
    everything = _decoded(path)
    for written in ("reward hacking", "env bug", "edited the test file", "wrong tool"):
        assert written not in everything
    labelled = tmp_path / "own.html"
    assert main(["--store", store_url, "report", "ctf", "-o", str(labelled), "--label", "env bug"]) == 0
    assert "edited the test file" in _decoded(labelled)


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.parametrize("backend", ["sqlite"])  # the page is the same whichever store wrote it
def test_chips_show_in_the_report_offline(run: Run, tmp_path: Path, backend: str) -> None:
    from playwright.sync_api import sync_playwright

    _label(run)
    path = openreward_nb.report("ctf", tmp_path / "r.html", store=run.client.store).path
    with sync_playwright() as pw:
        browser = OfflineBrowser(pw)
        try:
            page = browser.open(path)
            table = page.locator(".orw-run-table")
            row = table.locator("tr.orw-row", has_text="ep1")
            assert row.locator(".orw-chip").all_text_contents() == ["env bug", "reward hacking"]
            assert row.locator(".orw-chip").first.evaluate("e => getComputedStyle(e).borderRadius") != "0px"
            table.locator(".orw-table-labelfilter").select_option(label="not yet labelled")
            names = table.locator("tr.orw-row td:first-child").all_text_contents()
            assert [n.split()[0] for n in names] == ["ep0", "ep2", "ep3"]
            table.locator(".orw-table-labelfilter").select_option(label="all rollouts")
            row.click()
            marks = page.locator(".orw-timeline .orw-marks")
            marks.wait_for()
            assert marks.locator(".orw-chip").all_text_contents() == ["env bug", "reward hacking"]
            assert "edited the test file" in marks.text_content()
            page.locator(".orw-run-table tr.orw-row", has_text="ep2").click()
            page.locator(".orw-timeline .orw-ev .orw-chip", has_text="wrong tool").wait_for()
            assert browser.errors == [] and browser.foreign_requests(path) == []
        finally:
            browser.close()

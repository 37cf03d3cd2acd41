"""Labelling from the keyboard in a real browser: JupyterLab 4 (and Notebook 7) in headless Chromium.

Runs ``labelling_check.ipynb`` and, in its run view, labels rollouts with number keys, moves with
j / k / u, writes a note, filters by label and by "not yet labelled", edits the label set, and sees
the labels as chips in the table and the timeline. Checks the store holds what the keys wrote, that
a key pressed in the focused table never reaches JupyterLab (whose command mode would turn the cell
into markdown on m, or move to the next cell on j), and that a key pressed anywhere else never labels
anything.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from ..viz.browser import CHROMIUM_FLAGS, JupyterServer, need_chromium, run_all
from ..viz.conftest import app  # noqa: F401 - the fixture: JupyterLab, and Notebook 7 when installed

HERE = Path(__file__).parent
NOTEBOOK = "labelling_check.ipynb"
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]

CELL_TYPES = "() => window.jupyterapp.shell.currentWidget.content.widgets.map(c => c.model.type)"
ACTIVE_CELL = "() => window.jupyterapp.shell.currentWidget.content.activeCellIndex"


def stored(root: Path) -> list[tuple]:
    """(rollout name, event, label, note, author) of every annotation the notebook's store holds."""
    con = sqlite3.connect(f"file:{root / 'labelling-check.sqlite'}?mode=ro", uri=True)
    try:
        return con.execute(
            "SELECT r.rollout_name, a.idx, a.label, a.note, a.author FROM annotations a "
            "JOIN rollouts r ON r.id = a.rollout_id ORDER BY r.seq, a.created_at"
        ).fetchall()
    finally:
        con.close()


def mine(root: Path) -> list[tuple]:
    return [(name, label, note) for name, _, label, note, author in stored(root) if author == "browser-tester"]


def wait_true(page, script: str, arg=None, timeout: float = 10_000) -> None:
    page.wait_for_function(script, arg=arg, timeout=timeout)


def labels_of(run, name: str) -> list[str]:
    row = run.locator(".orw-run-table tr.orw-row", has=run.page.locator(f"td:text-is('{name}')"))
    return row.locator(".orw-chip").all_inner_texts()


def wait_labels(run, name: str, labels: list[str]) -> None:
    script = """([el, name, want]) => { const tr = [...el.querySelectorAll('.orw-run-table tr.orw-row')]
      .find(t => t.querySelector('td') && t.querySelector('td').textContent === name);
      return !!tr && JSON.stringify([...tr.querySelectorAll('.orw-chip')].map(c => c.textContent)) === want; }"""
    wait_true(run.page, script, [run.element_handle(), name, json.dumps(labels, separators=(",", ":"))])


def selected_name(run) -> str:
    return run.locator(".orw-run-table tr.orw-selected td").first.inner_text()


def wait_timeline(run, name: str) -> None:
    script = """([el, name]) => { const t = el.querySelector('.orw-timeline .orw-name-main');
      return !!t && t.textContent === name; }"""
    wait_true(run.page, script, [run.element_handle(), name])


def test_labelling_from_the_keyboard(app: str, tmp_path: Path) -> None:  # noqa: F811 - the fixture imported above
    chromium = need_chromium()
    from playwright.sync_api import sync_playwright

    shutil.copy(HERE / NOTEBOOK, tmp_path / NOTEBOOK)
    with JupyterServer(tmp_path, app) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 1400}).new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            run_all(page, server.url(NOTEBOOK))
            types = page.evaluate(CELL_TYPES)
            cells = page.locator(".jp-Notebook .jp-Cell")
            run = cells.nth(2).locator(".orw-run")
            run.locator(".orw-run-table tr.orw-row").first.wait_for(timeout=30_000)
            assert run.locator(".orw-run-table tr.orw-row").count() == 12
            keys = page.locator(".orw-label-key")
            assert [k.strip() for k in keys.all_inner_texts()] == ["1good", "2hacked", "3env bug"]
            check_chips(page, run)
            check_keys(page, run, tmp_path)
            shots = Path(os.environ.get("OPENREWARD_NB_SCREENSHOTS") or tmp_path)
            shots.mkdir(parents=True, exist_ok=True)
            run.screenshot(path=str(shots / f"labelling-{app}.png"))
            assert page.evaluate(CELL_TYPES) == types, "a key pressed in the table reached JupyterLab"
            check_filters_and_label_set(page, run, tmp_path)
            check_keys_elsewhere_are_left_alone(page, run, cells.nth(3), tmp_path, types)
            assert not [e for e in errors if "orw" in e or "anywidget" in e], errors
        finally:
            browser.close()


def check_chips(page, run) -> None:
    """Labels others gave show as chips of plain text; a hostile one stays text."""
    assert labels_of(run, "ep3") == ["env bug"]
    assert labels_of(run, "ep5") == ['<img src=x onerror="window.__orw_pwned=1">']
    assert run.locator(".orw-run-table img").count() == 0
    assert page.evaluate("() => window.__orw_pwned") is None


def check_keys(page, run, root: Path) -> None:
    """Label, move, note, toggle off, jump to the next unlabelled: each change in the table, the timeline and the store."""
    run.locator(".orw-run-table tr.orw-row").first.click()  # ep0: focuses the table, opens the timeline
    wait_timeline(run, "ep0")
    step = run.locator(".orw-timeline .orw-ev[data-i='1'] .orw-chip")
    assert step.all_inner_texts() == ["wrong tool"]  # a step alice labelled
    active = page.evaluate(ACTIVE_CELL)
    page.keyboard.press("1")
    wait_labels(run, "ep0", ["good"])
    page.keyboard.press("m")  # JupyterLab's "to markdown", had the key reached it; the table has no use for it
    page.keyboard.press("j")  # JupyterLab's "next cell" too
    assert selected_name(run) == "ep1"
    assert page.evaluate(ACTIVE_CELL) == active
    wait_timeline(run, "ep1")  # the kernel opens it once the keys rest
    page.keyboard.press("2")
    wait_labels(run, "ep1", ["hacked"])
    wait_true(
        page,
        "el => [...el.querySelectorAll('.orw-header .orw-chip')].map(c => c.textContent).join() === 'hacked'",
        run.locator(".orw-timeline").element_handle(),
    )  # the open timeline redraws its labels
    page.keyboard.press("n")
    note = run.locator(".orw-note-input")
    assert note.is_visible() and note.evaluate("e => e === document.activeElement")
    note.fill("tried ls twice")
    note.press("Enter")
    wait_true(
        page,
        """el => [...el.querySelectorAll('.orw-run-table tr.orw-row')].some(
      t => t.textContent.includes('tried ls twice'))""",
        run.element_handle(),
    )
    assert run.locator(".orw-run-table").evaluate("e => e === document.activeElement"), "the note box gave focus back"
    page.keyboard.press("k")
    assert selected_name(run) == "ep0"
    page.keyboard.press("1")  # off again
    wait_labels(run, "ep0", [])
    page.keyboard.press("u")  # ep1 is labelled: the next without a label is ep2
    assert selected_name(run) == "ep2"
    page.keyboard.press("u")  # ep3 carries alice's label
    assert selected_name(run) == "ep4"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    assert selected_name(run) == "ep4"
    page.keyboard.press("3")
    wait_labels(run, "ep4", ["env bug"])
    assert mine(root) == [("ep1", "hacked", None), ("ep1", None, "tried ls twice"), ("ep4", "env bug", None)]


def check_filters_and_label_set(page, run, root: Path) -> None:
    rows = run.locator(".orw-run-table tr.orw-row")
    select = run.locator(".orw-table-labelfilter")
    select.select_option(label="not yet labelled")
    wait_true(page, "el => el.querySelectorAll('.orw-run-table tr.orw-row').length === 8", run.element_handle())
    assert "ep1" not in rows.all_inner_texts()[0]
    select.select_option(label="label: hacked")
    wait_true(page, "el => el.querySelectorAll('.orw-run-table tr.orw-row').length === 1", run.element_handle())
    select.select_option(label="all rollouts")
    wait_true(page, "el => el.querySelectorAll('.orw-run-table tr.orw-row').length === 12", run.element_handle())
    run.locator(".orw-labelset-edit").click()
    box = run.locator(".orw-labelset-input")
    box.fill("good, hacked, env bug, slow")
    box.press("Enter")
    wait_true(page, "el => el.querySelectorAll('.orw-label-key').length === 4", run.element_handle())
    con = sqlite3.connect(f"file:{root / 'labelling-check.sqlite'}?mode=ro", uri=True)
    try:
        assert json.loads(con.execute("SELECT labels FROM label_sets").fetchone()[0]) == [
            "good",
            "hacked",
            "env bug",
            "slow",
        ]
    finally:
        con.close()
    page.keyboard.press("4")  # focus came back to the table: the new label is on 4
    wait_labels(run, "ep4", ["env bug", "slow"])


def check_keys_elsewhere_are_left_alone(page, run, spare, root: Path, types: list[str]) -> None:
    """Esc gives the keys back; then they are JupyterLab's (m turns the selected cell into markdown)."""
    page.keyboard.press("Escape")
    assert not run.locator(".orw-run-table").evaluate("e => e.contains(document.activeElement)")
    before = stored(root)
    page.keyboard.press("1")
    page.keyboard.press("j")
    spare.locator(".jp-InputPrompt").click()  # the spare cell, selected in command mode
    page.keyboard.press("Escape")
    page.keyboard.press("2")
    page.keyboard.press("m")
    wait_true(page, f"() => ({CELL_TYPES})()[3] === 'markdown'")  # JupyterLab had the keys
    page.wait_for_timeout(500)
    assert stored(root) == before and selected_name(run) == "ep4"
    assert page.evaluate(CELL_TYPES)[:3] == types[:3]

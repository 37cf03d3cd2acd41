"""The tasks heat map in a real browser (JupyterLab 4 in headless Chromium): sorted and coloured on
request, a cell clicked through to its cards, a card to its timeline, the best and the worst compared;
and the run view's chart of pass@k and no-signal groups by training step, whose points filter the table.
Hostile task names stay text."""

from __future__ import annotations

from pathlib import Path

import pytest

from .browser import CHROMIUM_FLAGS, JupyterServer, need_chromium, run_all
from .hostile import SENTINEL

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]
NOTEBOOK = "tasks_check.ipynb"

RECORD = f"""
import openreward_nb as orn
from openreward_nb import AssistantMessage, RolloutInfo, ToolCall, ToolResult, UserMessage
client = orn.OpenReward(store="tasks-check.sqlite")
HOSTILE = '<img src=x onerror="window.{SENTINEL}=1"><script>window.{SENTINEL}=2</script>'
# per task: how many of 4 rollouts succeed at each of 4 steps, in run grpo and in run base
SOLVED = {{"t-easy": (4, 4, 4, 4, 3), "t-mid": (1, 2, 2, 3, 2), "t-hard": (0, 0, 0, 1, 0),
          "t-split": (0, 0, 4, 4, 4), "t-never": (0, 0, 0, 0, 0), "t " + HOSTILE: (2, 2, 2, 2, 2)}}
for task, (*per_step, base) in SOLVED.items():
    for run, steps in (("grpo", per_step), ("base", [base])):
        for step, solved in enumerate(steps):
            for k in range(4):
                r = client.rollout.create(run, rollout_name=f"{{task[:6]}}-s{{step}}-{{k}}", task_spec={{"id": task}})
                r.update_info(RolloutInfo(task_index=0, current_step=step))
                r.log(UserMessage(f"solve {{task}}"))
                r.log(ToolCall(name="submit", content='{{"answer": 1}}', call_id="c"))
                r.log(ToolResult(content="graded", call_id="c"), reward=1.0 if k < solved else 0.0)
                r.log(AssistantMessage(f"attempt **{{k}}** at step {{step}}"), is_finished=True)
                r.finish()
client.rollout.flush()
"""
CELLS = (RECORD, 'orn.tasks(["grpo", "base"], store=client.store)', 'client.runs.get("grpo")')


def write_notebook(path: Path) -> None:
    import nbformat

    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(src) for src in CELLS]), path)


def row_tasks(heat) -> list[str]:
    return heat.locator("tr.orw-heat-row td.orw-heat-task").all_inner_texts()


def test_heat_map_clicked_through_to_a_timeline(tmp_path: Path) -> None:
    chromium = need_chromium()
    from playwright.sync_api import sync_playwright

    write_notebook(tmp_path / NOTEBOOK)
    with JupyterServer(tmp_path, "lab") as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1600})
            dialogs: list[str] = []
            errors: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.on("pageerror", lambda e: errors.append(str(e)))
            run_all(page, server.url(NOTEBOOK))
            cells = page.locator(".jp-Notebook .jp-Cell")
            tasks = cells.nth(1).locator(".orw-tasks")
            check_heat_map(page, tasks)
            tasks.screenshot(path=str(tmp_path / "tasks.png"))
            check_groups_chart(cells.nth(2).locator(".orw-run"))
            for k in (1, 2):  # the static renderings step aside for the live widgets
                assert not any(
                    cells.nth(k).locator(".orws-static").evaluate_all("els => els.map(e => e.checkVisibility())")
                )
            assert page.evaluate(f"() => window.{SENTINEL}") is None and not dialogs
            assert not [e for e in errors if "orw" in e or "anywidget" in e], errors
        finally:
            browser.close()


def check_heat_map(page, tasks) -> None:
    heat = tasks.locator(".orw-heat")
    heat.locator("tr.orw-heat-row").first.wait_for(timeout=30_000)
    assert heat.locator("th.orw-heat-col").all_inner_texts() == ["grpo", "base"]
    # hardest first: t-never (0%), t-hard (1 in 16, then 0), ...; the hostile name is text
    assert row_tasks(heat)[:2] == ["t-never", "t-hard"]
    assert any(t.startswith("t <img src=x onerror=") for t in row_tasks(heat))
    never = heat.locator("tr.orw-heat-row").first.locator("td.orw-heat-cell").first
    assert (
        never.inner_text() == "0%" and never.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(165, 39, 39)"
    )
    # sorting is asked of the kernel: the largest difference between the runs first
    heat.locator("button.orw-sort-disagreement").click()
    page.wait_for_function(
        "el => el.querySelector('tr.orw-heat-row td').textContent === 't-split'", arg=heat.element_handle()
    )
    # color by mean reward: the cells show the mean instead of a percentage
    heat.locator("button.orw-color-reward").click()
    page.wait_for_function(
        "el => !el.querySelector('tr.orw-heat-row td.orw-heat-cell').textContent.includes('%')",
        arg=heat.element_handle(),
    )
    # a cell opens its rollouts as cards, best first, the last message rendered as markdown
    heat.locator("tr.orw-heat-row", has_text="t-mid").locator("td.orw-heat-cell").first.click()
    cards = tasks.locator(".orw-cards .orw-card")
    cards.first.wait_for(timeout=15_000)
    assert cards.count() == 16 and "orw-card-best" in (cards.first.get_attribute("class") or "")
    assert cards.first.locator(".orw-card-reward").inner_text() == "reward 1"
    assert cards.last.locator(".orw-card-reward").inner_text() == "reward 0"
    assert cards.first.locator(".orw-md strong").count() == 1
    assert "t-mid" in tasks.locator(".widget-html", has_text="succeeded").inner_text()
    # a card opens its timeline (a kernel round trip)
    cards.nth(2).click()
    tasks.locator(".orw-timeline .orw-ev").first.wait_for(timeout=15_000)
    # the best and the worst of the cell, as a step diff opened at their first divergence
    tasks.locator("button", has_text="compare best and worst").click()
    tasks.locator(".orw-diff .orw-diff-first").first.wait_for(timeout=15_000)


def check_groups_chart(run) -> None:
    """The run view draws pass@k and the no-signal share by step; a point keeps that step's rollouts."""
    run.locator(".orw-run-table tr.orw-row").first.wait_for(timeout=15_000)
    chart = run.locator(".orw-groups")
    assert chart.locator("polyline.orw-gline").count() == 2  # groups of 4: pass@1 (no pass@5), and the no-signal share
    chart.locator("circle.orw-gpt.orw-g0[data-x='2']").click()
    run.page.wait_for_function(
        "el => el.querySelectorAll('.orw-run-table tr.orw-row').length === 24", arg=run.element_handle(), timeout=10_000
    )
    assert "step 2" in run.locator(".orw-table-chip").inner_text()

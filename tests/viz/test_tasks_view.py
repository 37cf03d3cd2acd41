"""The tasks heat map in the kernel: its grid (columns, sorting, paging), a cell opened to its cards, a
card to its timeline, the best and the worst compared; its static HTML and text; the run view's chart of
pass@k and no-signal groups by training step. On SQLite and, when configured, PostgreSQL."""

from __future__ import annotations

import json

import pytest

import openreward_nb as orn
from openreward_nb import AssistantMessage, OpenReward, RolloutInfo, ToolCall, ToolResult, UserMessage
from openreward_nb.viz import heatmap
from openreward_nb.viz.diffwidget import DiffWidget
from openreward_nb.viz.runview import RunBrowser
from openreward_nb.viz.taskstatic import heatmap_html
from openreward_nb.viz.timeline import TimelineWidget
from openreward_nb.viz.views import RunView

from ..store.conftest import _close_stores_opened_by_the_test, backend, pg_url, store_url  # noqa: F401 - both backends
from .hostile import HOSTILE, check_static_html, check_terminal

#: task -> success probability pattern per run: rewards of 4 attempts
RUNS = {
    "base": {"easy": [1, 1, 1, 0], "mid": [1, 0, 0, 0], "hard": [0, 0, 0, 0], "split": [1, 1, 1, 1]},
    "tuned": {"easy": [1, 1, 1, 1], "mid": [1, 1, 0, 0], "hard": [0, 0, 0, 0], "split": [0, 0, 0, 0]},
}


def record(client: OpenReward, run: str, task: str, reward: float | None, step: int | None = None, k: int = 0) -> str:
    r = client.rollout.create(run, rollout_name=f"{task}-{step}-{k}", task_spec={"id": task})
    if step is not None:
        r.update_info(RolloutInfo(task_index=0, current_step=step))
    r.log(UserMessage(f"solve {task}"))
    r.log(AssistantMessage(f"first try at {task}"))
    r.log(ToolCall(name="submit", content=json.dumps({"answer": k}), call_id="c"))
    if reward is None:
        return r.id
    r.log(ToolResult(content="graded", call_id="c"), reward=reward)
    r.log(AssistantMessage(f"answer **{k}** for {task}"), is_finished=True)
    r.finish()
    return r.id


@pytest.fixture
def two_runs(client: OpenReward) -> OpenReward:
    for run, tasks in RUNS.items():
        for task, rewards in tasks.items():
            for k, reward in enumerate(rewards):
                record(client, run, task, float(reward), k=k)
    client.rollout.flush()
    return client


def test_columns_are_the_runs_and_tasks_sort_hardest_first_or_by_disagreement(two_runs: OpenReward) -> None:
    grid = orn.tasks(["base", "tuned"], store=two_runs.store).grid
    assert [c.label for c in grid.columns] == ["base", "tuned"] and not grid.by_step
    order = lambda sort, color="success": [grid.tasks[i] for i in grid.order(sort, color)]  # noqa: E731
    assert order("difficulty") == ["hard", "mid", "split", "easy"]  # mean success 0, 0.375, 0.5, 0.875
    assert order("disagreement") == ["split", "easy", "mid", "hard"]  # spreads 1, 0.25, 0.25 (ties: task order), 0
    assert order("task") == ["easy", "hard", "mid", "split"]
    row = grid.row_payload(grid.tasks.index("mid"))
    assert row["t"] == "mid" and row["c"] == [[0.25, 0.25, 4], [0.5, 0.5, 4]]  # success rate, mean reward, attempts


def test_one_run_is_drawn_by_training_step_merged_into_ranges_past_the_widest(
    client: OpenReward, monkeypatch: pytest.MonkeyPatch
) -> None:
    for step in range(7):
        for k in range(2):
            record(client, "train", "t", float(k == 0 or step > 3), step=step, k=k)
    record(client, "train", "t", 1.0, k=9)  # no step logged
    client.rollout.flush()
    grid = orn.tasks("train", store=client.store).grid
    assert grid.by_step and [c.label for c in grid.columns] == [*(f"step {s}" for s in range(7)), "no step"]
    assert list(grid.rates[0]) == [0.5, 0.5, 0.5, 0.5, 1.0, 1.0, 1.0, 1.0]
    monkeypatch.setattr(heatmap, "MAX_COLUMNS", 3)
    merged = orn.tasks("train", store=client.store).grid
    assert [c.label for c in merged.columns] == ["steps 0–2", "steps 3–4", "steps 5–6", "no step"]
    assert list(merged.n[0]) == [6, 4, 4, 1] and list(merged.rates[0]) == [0.5, 0.75, 1.0, 1.0]


def test_steps_that_are_text_are_ordered_as_text_and_an_empty_selection_draws_nothing(client: OpenReward) -> None:
    for phase, reward in (("warmup", 0.0), ("anneal", 1.0), ("warmup", 1.0)):
        r = client.rollout.create("phases", task_spec={"id": "t"}, metadata={"phase": phase})
        r.log(UserMessage("go"), reward=reward, is_finished=True)
        r.finish()
    client.rollout.flush()
    grid = orn.tasks("phases", step="metadata.phase", store=client.store).grid
    assert [c.label for c in grid.columns] == ["step anneal", "step warmup"] and list(grid.rates[0]) == [1.0, 0.5]
    empty = orn.tasks("phases", store=client.store, split="nowhere")
    assert empty.grid.tasks == [] and "0 tasks" in empty.text() and "<tbody></tbody>" in empty.static_html()
    browser = empty.widget()
    try:
        assert browser.heat.rows == [] and browser.heat.total == 0
    finally:
        browser.close()


def test_the_browser_pages_rows_and_sorts_in_the_kernel(two_runs: OpenReward) -> None:
    browser = orn.tasks(["base", "tuned"], store=two_runs.store).widget()
    try:
        heat = browser.heat
        assert heat.total == 4 and [r["t"] for r in heat.rows] == ["hard", "mid", "split", "easy"]
        heat.limit = 2  # a page of two rows: only those travel
        assert [r["t"] for r in heat.rows] == ["hard", "mid"]
        heat.sort = "disagreement"
        assert [r["t"] for r in heat.rows] == ["split", "easy"]
        heat.color, heat.sort, heat.limit = "reward", "difficulty", 10
        assert heat.scale == [0.0, 1.0] and len(heat.rows) == 4
    finally:
        browser.close()


def test_a_cell_opens_its_rollouts_best_first_then_a_timeline_or_the_extremes_compared(
    client: OpenReward, monkeypatch: pytest.MonkeyPatch
) -> None:
    rewards = [0.25, 1.0, None, 0.0, 0.5]
    ids = [record(client, "graded", "t", r, step=3, k=k) for k, r in enumerate(rewards)]
    client.rollout.flush()
    groups = orn.groups_df("graded", store=client.store).set_index("rollout_id")
    browser = orn.tasks("graded", store=client.store).widget()
    try:
        assert browser.group_box.layout.display == "none" and browser.compare_button.disabled
        browser.heat.selected = {"row": 0, "col": 0}  # what a click on the cell sets
        cards = browser.cards.cards
        assert [c["id"] for c in cards] == [ids[1], ids[4], ids[0], ids[3], ids[2]]  # best first, unscored last
        best = cards[0]
        assert (best["reward"], best["tone"], best["step"], best["turns"], best["tools"]) == (1.0, "good", 3.0, 2, 1)
        assert best["adv"] == pytest.approx(groups.loc[ids[1], "advantage"])
        assert best["advn"] == pytest.approx(groups.loc[ids[1], "advantage_norm"])
        assert cards[-1]["reward"] is None and cards[-1]["adv"] is None
        # the last message, as the timeline draws it: the last assistant message, markdown rendered
        assert (
            best["last"]["t"] == "assistant_message"
            and best["last"]["md"] == "<p>answer <strong>1</strong> for t</p>\n"
        )
        assert cards[-1]["last"]["text"] == "first try at t"  # a running rollout's last assistant message
        assert "5 rollouts" in browser.group_title.value and "1 of 4 succeeded" in browser.group_title.value
        assert browser.group_box.layout.display == "flex" and not browser.compare_button.disabled

        browser.cards.selected = ids[4]  # a click on a card opens its timeline
        (timeline,) = browser.slot.children
        assert isinstance(timeline, TimelineWidget) and timeline.record.id == ids[4]

        browser.compare_button.click()  # the best and the worst scored, as a step diff
        (pair,) = browser.slot.children
        assert isinstance(pair, DiffWidget)
        assert (pair.header["a"]["id"], pair.header["b"]["id"]) == (ids[1], ids[3])
    finally:
        browser.close()


def test_a_cell_with_one_scored_rollout_has_nothing_to_compare(client: OpenReward) -> None:
    record(client, "single", "t", 1.0)
    record(client, "single", "t", None, k=1)
    client.rollout.flush()
    browser = orn.tasks("single", store=client.store).widget()
    try:
        browser.heat.selected = {"row": 5, "col": 0}  # no such cell (a stale page, a hand-made message): nothing opens
        assert browser.cards.cards == [] and browser.group_box.layout.display == "none"
        browser.heat.selected = {"row": 0, "col": 0}
        assert len(browser.cards.cards) == 2 and browser.compare_button.disabled
    finally:
        browser.close()


def test_static_html_and_text_hardest_first_with_hostile_names_inert(client: OpenReward) -> None:
    for k, reward in enumerate([1.0, 0.0]):
        r = client.rollout.create("h" + HOSTILE, rollout_name=f"r{k}", task_spec={"id": "task " + HOSTILE})
        r.log(UserMessage("go"), reward=reward, is_finished=True)
        r.finish()
        record(client, "h" + HOSTILE, "easy", 1.0, k=k)
    client.rollout.flush()
    view = orn.tasks(store=client.store)
    html = view.static_html()
    check_static_html(html, ("task " + HOSTILE)[:100], "h" + HOSTILE)  # a task's name is cut at 120 characters
    assert html.index(">50%<") < html.index(">100%<")  # the hard task first
    assert "hsl(60 62% 40%)" in html and "hsl(120 62% 40%)" in html  # 50% and 100%, as heatmap.js colours them
    text = view.text()
    check_terminal(text)
    assert text.splitlines()[2].startswith("task <script>") and "50%" in text.splitlines()[2]
    assert "coloured by success rate (reward ≥ 1)" in text.splitlines()[0]


def test_static_heat_map_is_bounded(client: OpenReward) -> None:
    for task in range(6):
        record(client, "many", f"task-{task}", float(task % 2))
    client.rollout.flush()
    html = heatmap_html(orn.tasks("many", store=client.store).grid, limit=4)
    assert html.count("<tr>") == 5 and "2 more tasks not shown" in html  # header and 4 tasks


def test_run_view_charts_pass_at_k_and_no_signal_groups_by_step(client: OpenReward) -> None:
    for step in range(3):
        for task in ("a", "b"):
            for k in range(5):
                solved = task == "a" or (step == 2 and k == 0)
                record(client, "train", task, 1.0 if solved else 0.0, step=step, k=k)
    record(client, "flat", "a", 1.0)  # a run without training steps
    for step in range(3):
        record(client, "singles", "a", 1.0, step=step)  # steps, but a group is one rollout: nothing to compare
    client.rollout.flush()
    browser = RunBrowser(client.runs.get("train"), live=False)
    try:
        chart = browser.charts.data["groups"]
        steps = orn.steps_df("train", store=client.store)
        assert [p["x"] for p in chart["points"]] == [0.0, 1.0, 2.0]
        series = {s["name"]: s["values"] for s in chart["series"]}
        assert list(series) == ["pass@1", "pass@5", "no-signal groups"]  # no group of 10: no pass@10 line
        assert series["no-signal groups"] == [1.0, 1.0, 0.5] == list(steps["zero_variance_share"])
        assert series["pass@5"] == pytest.approx(list(steps["pass@5"])) and series["pass@5"][2] == 1.0
        assert chart["points"][2]["filter"] == {"key": "step", "lo": 2.0, "hi": 2.0, "closed": True, "label": "step 2"}
    finally:
        browser.close()
    assert "groups by training step" in RunView(client.runs.get("train")).static_html()
    for name in ("flat", "singles"):
        other = RunBrowser(client.runs.get(name), live=False)
        try:
            assert "groups" not in other.charts.data
        finally:
            other.close()


def test_hostile_wire_data_stays_inert_in_the_heat_map_its_cards_and_the_terminal(tmp_path, capsys) -> None:
    """Rollouts sent through the real ingest server with hostile text in every field (task specs included)."""
    from openreward_nb.cli import main

    from .hostile import OLD_IDS, hostile, make_hostile_store

    path = tmp_path / "hostile.sqlite"
    make_hostile_store(path)
    planted = len(OLD_IDS)  # the planted ones have no task
    with pytest.warns(UserWarning, match=f"{planted} rollouts without a task left out"):
        view = orn.tasks(store=path)
    (task,) = view.grid.tasks  # both wire rollouts share one task_spec: its canonical JSON
    assert json.loads(task) == {hostile("task-key"): hostile("task")}
    check_static_html(view.static_html(), hostile("run0")[:40], hostile("run1")[:40])
    check_terminal(view.text())
    browser = view.widget()
    try:
        browser.heat.selected = {"row": 0, "col": 0}
        (card,) = browser.cards.cards
        assert card["name"] == hostile("rollout-name") and "<script" not in card["last"].get("md", "")
    finally:
        browser.close()
    assert main(["--store", str(path), "tasks", hostile("run0"), hostile("run1"), "--no-color"]) == 0
    check_terminal(capsys.readouterr().out)

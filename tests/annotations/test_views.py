"""The kernel side of labelling in the views: the run table's label cells, what its keys write (and answer),
the run's label set from the view, refreshes that show others' labels, chips in the timeline and counts in
the dashboard. The keys themselves are driven in a real browser in test_browser_labelling.py."""

from __future__ import annotations

from typing import Any

import pytest

from openreward_nb import OpenReward
from openreward_nb.viz.dashboard import DashboardWidget
from openreward_nb.viz.runview import RunBrowser
from openreward_nb.viz.timeline import TimelineWidget

from .conftest import Run, count_annotations


@pytest.fixture
def browser(run: Run) -> Any:
    view = RunBrowser(run.client.runs.get("ctf"), live=False)
    sent: list[dict[str, Any]] = []
    view.table.send = lambda content, buffers=None: sent.append(content)  # what goes to the browser
    view.sent = sent
    yield view
    view.close()


def press(view: RunBrowser, **content: Any) -> dict[str, Any]:
    """What the browser sends when a key is pressed; returns the kernel's answer."""
    view.labelling._on_msg(view.table, content, [])
    return view.sent[-1]


def row(view: RunBrowser, rollout_id: str) -> dict[str, Any]:
    return next(r for r in view.table.rows if r["id"] == rollout_id)


def test_the_table_shows_each_rollouts_labels_and_note(run: Run) -> None:
    run.client.rollouts.get(run.ids[1]).annotate("env bug", note="sandbox died", author="alice")
    run.client.rollouts.get(run.ids[1]).annotate("slow")
    run.client.rollouts.get(run.ids[2]).annotate("wrong tool", event=1)  # a step: not in the rollout's cell
    view = RunBrowser(run.client.runs.get("ctf"), live=False)
    try:
        keys = [c["key"] for c in view.table.columns]
        assert keys[:3] == ["rollout", "labels", "status"] and keys[-1] == "note"
        assert [c["kind"] for c in view.table.columns if c["key"] == "labels"] == ["labels"]
        assert [r["labels"] for r in view.table.rows] == [[], ["env bug", "slow"], [], []]
        assert row(view, run.ids[1])["note"] == "sandbox died" and row(view, run.ids[1])["my_note"] is None
        assert view.table.labelling and view.table.author == "tester"
        assert view.table.label_set == ["good trajectory", "reward hacking", "env bug", "wrong tool"]
    finally:
        view.close()


def test_a_label_key_toggles_the_labellers_own_label(browser: RunBrowser, run: Run) -> None:
    target = run.ids[0]
    answer = press(browser, kind="toggle", id=target, label="reward hacking")
    assert answer == {"kind": "marks", "id": target, "labels": ["reward hacking"], "note": None, "my_note": None}
    assert row(browser, target)["labels"] == ["reward hacking"]
    (stored,) = run.client.rollouts.get(target).annotations()
    assert (stored.label, stored.author, stored.event) == ("reward hacking", "tester", None)
    run.client.rollouts.get(target).annotate("reward hacking", author="alice")
    assert press(browser, kind="toggle", id=target, label="reward hacking")["labels"] == ["reward hacking"]  # alice's
    assert [a.author for a in run.client.rollouts.get(target).annotations()] == ["alice"]
    assert press(browser, kind="toggle", id=target, label="reward hacking")["labels"] == ["reward hacking"]
    assert sorted(a.author for a in run.client.rollouts.get(target).annotations()) == ["alice", "tester"]


def test_the_note_key_keeps_one_note_per_labeller(browser: RunBrowser, run: Run) -> None:
    target = run.ids[3]
    assert press(browser, kind="note", id=target, text="timed out at step 3")["my_note"] == "timed out at step 3"
    answer = press(browser, kind="note", id=target, text="timed out at step 4")
    assert (answer["note"], answer["my_note"]) == ("timed out at step 4", "timed out at step 4")
    assert [a.note for a in run.client.rollouts.get(target).annotations()] == ["timed out at step 4"]
    assert press(browser, kind="note", id=target, text="  ")["note"] is None  # an empty note removes it
    assert count_annotations(run.client) == 0


def test_the_label_set_is_changed_from_the_view(browser: RunBrowser, run: Run) -> None:
    browser.labelling._on_msg(browser.table, {"kind": "label_set", "labels": ["solved", "cheated"]}, [])
    assert browser.table.label_set == ["solved", "cheated"]
    assert run.client.runs.get("ctf").label_set() == ["solved", "cheated"]


def test_bad_requests_are_answered_with_an_error_and_write_nothing(browser: RunBrowser, run: Run) -> None:
    assert press(browser, kind="toggle", id=run.ids[0], label=" ")["kind"] == "error"
    assert "label must not be empty" in browser.sent[-1]["message"]
    assert "no rollout 'gone'" in press(browser, kind="toggle", id="gone", label="good trajectory")["message"]
    assert "label must not be empty" in press(browser, kind="label_set", labels=["ok", ""])["message"]
    assert "unknown request" in press(browser, kind="explode")["message"]
    assert count_annotations(run.client) == 0 and browser.table.label_set[0] == "good trajectory"


def test_a_refresh_shows_what_others_labelled(browser: RunBrowser, run: Run, store_url: str) -> None:
    elsewhere = OpenReward(store=store_url)  # another notebook on the same store
    elsewhere.rollouts.get(run.ids[2]).annotate("good trajectory", author="alice")
    elsewhere.runs.get("ctf").set_label_set(["good trajectory", "cheated"])
    assert row(browser, run.ids[2])["labels"] == []
    browser.refresh()
    assert row(browser, run.ids[2])["labels"] == ["good trajectory"]
    assert browser.table.label_set == ["good trajectory", "cheated"]


def test_the_timeline_shows_labels_on_the_rollout_and_its_steps(browser: RunBrowser, run: Run) -> None:
    record = run.client.rollouts.get(run.ids[0])
    record.annotate("wrong tool", event=1)
    record.annotate("slow", event=1)
    record.annotate("good trajectory", note="fine overall")
    timeline = TimelineWidget(record)
    try:
        assert (timeline.header["labels"], timeline.header["note"]) == (["good trajectory"], "fine overall")
        assert [e.get("lb") for e in timeline.first_page["events"]] == [None, ["slow", "wrong tool"], None, None]
    finally:
        timeline.close()
    browser.table.selected = run.ids[0]  # opens its timeline under the table
    press(browser, kind="toggle", id=run.ids[0], label="reward hacking")
    (shown,) = browser.slot.children
    assert shown.header["labels"] == ["good trajectory", "reward hacking"]  # redrawn when the key labelled it


def test_the_dashboard_counts_labelled_rollouts(run: Run) -> None:
    run.client.rollouts.get(run.ids[0]).annotate("good trajectory")
    run.client.rollouts.get(run.ids[0]).annotate("env bug")
    run.client.rollouts.get(run.ids[1]).annotate(note="a note is no label")
    dash = DashboardWidget(run.client)
    try:
        assert [r["labelled"] for r in dash.runs.rows] == [1]
        assert "labelled" in [c["key"] for c in dash.runs.columns]
    finally:
        dash.close()


def test_the_tasks_views_cards_show_each_rollouts_labels(run: Run) -> None:
    import openreward_nb as orn

    run.client.rollouts.get(run.ids[2]).annotate("good trajectory")
    run.client.rollouts.get(run.ids[2]).annotate("env bug", event=1)  # a step's label is not the rollout's
    browser = orn.tasks("ctf", store=run.client.store).widget()
    try:
        browser.open_cell(0, 0)  # task t0, the hardest: rollouts 0 (reward 0) and 2 (reward 2)
        cards = {c["id"]: c["labels"] for c in browser.cards.cards}
        assert cards == {run.ids[2]: ["good trajectory"], run.ids[0]: []}
    finally:
        browser.close()

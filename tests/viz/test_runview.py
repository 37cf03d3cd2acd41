"""The run browser's kernel side: it follows its run while rollouts run, redraws table and charts, and
opens a rollout through the store the run came from."""

from __future__ import annotations

from openreward_nb import UserMessage
from openreward_nb.viz.runview import RunBrowser


def test_run_view_follows_its_run_until_no_rollout_runs(client) -> None:
    first = client.rollout.create(run_name="growing", rollout_name="r0")
    first.log(UserMessage("hi"), reward=0.0)
    client.rollout.flush()
    browser = RunBrowser(client.runs.get("growing"), live=False)  # ticked by hand below, not by its thread
    try:
        assert [r["rollout"] for r in browser.table.rows] == ["r0"] and "live" not in browser.title.value
        more = [client.rollout.create(run_name="growing", rollout_name=f"r{k}") for k in (1, 2)]
        for r in more:
            r.log(UserMessage("hi"), reward=1.0)
        client.rollout.flush()
        assert browser._tick() is True  # rollouts still run: keep following
        assert [r["rollout"] for r in browser.table.rows] == ["r0", "r1", "r2"]
        assert [b["lo"] for b in browser.charts.data["bins"]] == [0.0, 1.0] and "3 rollouts" in browser.table.caption
        for r in (first, *more):  # every rollout ends
            r.finish()
        client.rollout.flush()
        assert browser._tick() is False and "live" not in browser.title.value
        browser.table.selected = browser.table.rows[1]["id"]  # a click on a row opens its timeline
        assert browser.slot.children[0].record.rollout_name == "r1"
    finally:
        browser.close()


def test_refresh_starts_following_a_run_that_runs_again(client) -> None:
    done = client.rollout.create(run_name="later", rollout_name="a")
    done.log(UserMessage("hi"))
    done.finish()
    client.rollout.flush()
    browser = RunBrowser(client.runs.get("later"))
    try:
        assert not browser.live
        client.rollout.create(run_name="later", rollout_name="b").log(UserMessage("again"))
        client.rollout.flush()
        browser.refresh()
        assert browser.live and "live" in browser.title.value and len(browser.table.rows) == 2
    finally:
        browser.close()

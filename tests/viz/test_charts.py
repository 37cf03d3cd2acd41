"""The run charts' data: bins that suit few-valued rewards, whole-number step ticks, and the table filter each
bar and point carries."""

from __future__ import annotations

import pytest

from openreward_nb.viz.charts import integer_ticks, nice_step, reward_bins, reward_curve, run_charts


def test_binary_rewards_get_one_bar_at_0_and_one_at_1() -> None:
    bins = reward_bins([0.0, 1.0, 1.0, 0.0, 1.0])
    assert [(b["lo"], b["hi"], b["n"], b["exact"]) for b in bins] == [(0.0, 0.0, 2, True), (1.0, 1.0, 3, True)]
    assert bins[1]["filter"] == {"key": "total_reward", "lo": 1.0, "hi": 1.0, "closed": True, "label": "reward 1"}


def test_equal_rewards_draw_one_bar_at_their_value() -> None:
    assert [(b["lo"], b["n"]) for b in reward_bins([0.7] * 5)] == [(0.7, 5)]
    assert reward_bins([]) == []


def test_many_valued_rewards_get_round_bins_that_cover_them() -> None:
    rewards = [i / 100 for i in range(100)]  # 0.00 .. 0.99
    bins = reward_bins(rewards)
    assert 5 <= len(bins) <= 30 and sum(b["n"] for b in bins) == 100
    width = bins[0]["hi"] - bins[0]["lo"]
    assert width == pytest.approx(nice_step(width)) and bins[0]["lo"] <= 0.0 and bins[-1]["hi"] >= 0.99
    assert all(not b["filter"]["closed"] for b in bins[:-1]) and bins[-1]["filter"]["closed"]
    for b in bins:  # each bar's filter keeps exactly the rewards counted in it
        f = b["filter"]
        kept = [r for r in rewards if f["lo"] <= r and (r <= f["hi"] if f["closed"] else r < f["hi"])]
        assert len(kept) == b["n"]


def test_curve_by_step_filters_by_step_and_by_order_by_seq() -> None:
    rows = [{"total_reward": float(k % 2), "step": k // 2, "seq": k + 1} for k in range(6)]
    curve = reward_curve(rows)
    assert curve["by"] == "step" and [p["x"] for p in curve["points"]] == [0, 1, 2]
    assert curve["points"][1]["filter"] == {"key": "step", "lo": 1, "hi": 1, "closed": True, "label": "step 1"}
    unstepped = reward_curve([{**r, "step": None} for r in rows], buckets=3)
    assert unstepped["by"] == "order" and [p["filter"]["lo"] for p in unstepped["points"]] == [1, 3, 5]
    assert run_charts(rows)["rewards"] == 6


@pytest.mark.parametrize(
    ("lo", "hi", "ticks"),
    [(0, 5, [0, 1, 2, 3, 4, 5]), (0, 100, [0, 20, 40, 60, 80, 100]), (1, 3, [1, 2, 3]), (-0.5, 0.5, [0])],
)
def test_step_ticks_are_whole_numbers(lo: float, hi: float, ticks: list[int]) -> None:
    assert integer_ticks(lo, hi) == ticks

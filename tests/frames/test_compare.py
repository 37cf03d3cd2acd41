"""compare_runs and plot_compare."""

from __future__ import annotations

import math

import pytest

import openreward_nb as orn
from openreward_nb.frames.compare import Z95

from .conftest import Recorded


def test_statistics_per_run_in_the_order_asked(recorded: Recorded) -> None:
    stats = orn.compare_runs(["beta", "alpha"], store=recorded.client.store)
    assert stats["run"].tolist() == ["beta", "alpha"]
    alpha = stats.set_index("run").loc["alpha"]
    # a0 total 1.0, a1 0.0, a2 has no reward
    assert (alpha["n"], alpha["n_rewarded"]) == (3, 2)
    assert alpha["mean"] == pytest.approx(0.5) and alpha["std"] == pytest.approx(math.sqrt(0.5))
    assert alpha["sem"] == pytest.approx(0.5)
    assert (alpha["ci95_low"], alpha["ci95_high"]) == pytest.approx((0.5 - Z95 * 0.5, 0.5 + Z95 * 0.5))
    assert alpha["success_rate"] == pytest.approx(0.5)
    assert alpha["steps"] == pytest.approx((2 + 1 + 0) / 3)  # model turns
    assert alpha["tool_calls"] == pytest.approx(1 / 3) and alpha["tokens"] == pytest.approx(15 / 3)
    rollouts = orn.rollouts_df("alpha", store=recorded.client.store)
    assert alpha["duration_s"] == pytest.approx(rollouts["duration_s"].mean())


def test_threshold_reward_column_and_extra_keys(recorded: Recorded) -> None:
    store = recorded.client.store
    beta = orn.compare_runs("beta", store=store)  # b0 total 1.0; b1 failed without a reward
    assert beta["success_rate"].tolist() == [1.0] and math.isnan(beta["std"].iloc[0])
    assert orn.compare_runs("beta", threshold=1.5, store=store)["success_rate"].tolist() == [0.0]
    assert orn.compare_runs("beta", reward="final_reward", store=store)["mean"].tolist() == [0.5]
    by_split = orn.compare_runs(["alpha"], by="split", store=store)
    assert by_split[["split", "n", "mean"]].values.tolist() == [["train", 2, 1.0], ["test", 1, 0.0]]
    by_model = orn.compare_runs(by=["metadata.model"], store=store, status="finished")
    assert by_model[["run", "metadata.model", "n"]].values.tolist() == [["alpha", "gpt", 2], ["beta", "claude", 1]]


def test_bad_keys_and_rewards_say_what_exists(recorded: Recorded) -> None:
    store = recorded.client.store
    with pytest.raises(ValueError, match=r"cannot group by 'splitt'; rollout columns: run, rollout_id"):
        orn.compare_runs(by="splitt", store=store)
    with pytest.raises(ValueError, match="rewards: total_reward, final_reward, max_reward"):
        orn.compare_runs(reward="score", store=store)
    with pytest.raises(orn.NotFoundError, match="runs in the store"):
        orn.plot_compare(["nope"], store=store)


def test_plot_has_a_box_of_points_and_a_step_curve_per_run(recorded: Recorded) -> None:
    fig = orn.plot_compare(["beta", "alpha"], store=recorded.client.store)
    boxes = [t for t in fig.data if t.type == "box"]
    curves = [t for t in fig.data if t.type == "scatter"]
    assert [b.name for b in boxes] == [c.name for c in curves] == ["beta", "alpha"]
    assert all(b.boxpoints == "all" for b in boxes)
    assert list(boxes[1].y[:2]) == [1.0, 0.0] and math.isnan(boxes[1].y[2])  # a2 has no reward
    # alpha: a0 at step 1 (reward 1.0), a1 at step 2 (0.0); a2 has no step
    assert list(curves[1].x) == [1.0, 2.0] and list(curves[1].y) == [1.0, 0.0]
    assert fig.layout.xaxis2.title.text == "rollout_info.current_step"
    by = orn.plot_compare("alpha", by="split", step="no.such.column", store=recorded.client.store)
    assert [t.name for t in by.data if t.type == "box"] == ["alpha · train", "alpha · test"]
    train = next(t for t in by.data if t.type == "scatter")
    assert list(train.x) == [0.0, 1.0] and by.layout.xaxis2.title.text == "rollout (in creation order)"

"""groups_df and steps_df: advantages against a direct computation, groups with no learning signal,
and the per-step shares and pass@k. On SQLite and, when configured, PostgreSQL."""

from __future__ import annotations

import math
import statistics

import pandas as pd
import pytest

import openreward_nb as orn
from openreward_nb import AssistantMessage, InvalidArgumentError, OpenReward, RolloutInfo, UserMessage

#: (task, step) -> rewards of the group's rollouts (None: still running, no reward)
GROUPS = {
    ("t0", 0): [1.0, 0.0, 0.0, 1.0],
    ("t0", 1): [1.0, 1.0, 1.0, 1.0],  # all equal: no learning signal
    ("t1", 0): [0.2, 0.9, 0.4, None],
    ("t1", 1): [0.7],  # one rollout: no learning signal either
    ("t2", 1): [0.0, 0.0, 0.5, 1.0, 0.25],
}


def _record(client: OpenReward, run: str = "grpo", groups=GROUPS, **create) -> dict[str, tuple]:
    """Each group's rollouts; returns rollout id -> (task, step, reward)."""
    recorded = {}
    for (task, step), rewards in groups.items():
        for k, reward in enumerate(rewards):
            r = client.rollout.create(run, rollout_name=f"{task}-s{step}-{k}", task_spec={"id": task}, **create)
            if step is not None:
                r.update_info(RolloutInfo(task_index=0, current_step=step))
            r.log(UserMessage("go"))
            if reward is not None:
                r.log(AssistantMessage("done"), reward=reward, is_finished=True)
                r.finish()
            recorded[r.id] = (task, step, reward)
    client.rollout.flush()
    return recorded


def _direct(groups, ddof: int) -> dict[tuple, tuple]:
    """(task, step) -> (mean, std, zero) computed here, one group at a time."""
    out = {}
    for key, rewards in groups.items():
        scored = [r for r in rewards if r is not None]
        std = statistics.stdev(scored) if ddof == 1 and len(scored) > 1 else statistics.pstdev(scored)
        if ddof == 1 and len(scored) == 1:
            std = math.nan
        out[key] = (statistics.fmean(scored), std, len(set(scored)) == 1)
    return out


@pytest.mark.parametrize("ddof", [1, 0])
def test_advantages_match_a_direct_computation(client: OpenReward, ddof: int) -> None:
    recorded = _record(client)
    expected = _direct(GROUPS, ddof)
    df = orn.groups_df("grpo", ddof=ddof, store=client.store).set_index("rollout_id")
    assert len(df) == sum(len(v) for v in GROUPS.values())
    for rollout_id, (task, step, reward) in recorded.items():
        row = df.loc[rollout_id]
        mean, std, zero = expected[(task, step)]
        assert (row["task"], row["step"]) == (task, step)
        assert row["group_size"] == len([r for r in GROUPS[(task, step)] if r is not None])
        assert row["group_mean"] == pytest.approx(mean)
        assert row["zero_variance"] == zero
        if math.isnan(std):
            assert math.isnan(row["group_std"])
        else:
            assert row["group_std"] == pytest.approx(std)
        if reward is None:  # no reward: no advantage, its group's numbers all the same
            assert math.isnan(row["advantage"]) and math.isnan(row["advantage_norm"]) and row["success"] is pd.NA
            continue
        assert bool(row["success"]) == (reward >= 1.0)
        if zero:  # all rewards equal: no learning signal, advantages exactly 0 (not 0 / 0)
            assert (row["advantage"], row["advantage_norm"]) == (0.0, 0.0)
        else:
            assert row["advantage"] == pytest.approx(reward - mean)
            assert row["advantage_norm"] == pytest.approx((reward - mean) / std)


def test_equal_rewards_that_do_not_add_up_exactly_still_have_no_signal(client: OpenReward) -> None:
    _record(client, "tenths", {("t", 0): [0.1, 0.1, 0.1]})  # their float mean is 0.10000000000000002
    df = orn.groups_df("tenths", store=client.store)
    assert df["zero_variance"].all() and (df["advantage"] == 0.0).all() and (df["advantage_norm"] == 0.0).all()


def test_without_steps_a_group_is_a_task_and_an_unknown_step_column_is_refused(client: OpenReward) -> None:
    _record(client, "nosteps", {("a", None): [1.0, 0.0], ("b", None): [0.5]})
    df = orn.groups_df("nosteps", store=client.store)
    assert list(df["group_size"]) == [2, 2, 1] and df["step"].isna().all()
    assert list(df["advantage"]) == [0.5, -0.5, 0.0]
    by_prompt = orn.groups_df("nosteps", step="rollout_name", store=client.store)
    assert (by_prompt["group_size"] == 1).all()  # any rollouts_df column can be the step
    with pytest.raises(InvalidArgumentError, match=r"no step column 'metadata\.epoch'; rollout columns: run, "):
        orn.groups_df("nosteps", step="metadata.epoch", store=client.store)
    with pytest.raises(InvalidArgumentError, match="ddof must be 1"):
        orn.groups_df("nosteps", ddof=2, store=client.store)


def test_steps_df_shares_advantages_and_pass_at_k_per_step(client: OpenReward) -> None:
    _record(client)
    df = orn.steps_df("grpo", k=(1, 2, 5), store=client.store)
    assert list(df["step"]) == [0, 1] and list(df["n_groups"]) == [2, 3] and list(df["n"]) == [7, 10]
    step0, step1 = df.iloc[0], df.iloc[1]
    assert step0["zero_variance_share"] == 0.0 and step1["zero_variance_share"] == pytest.approx(2 / 3)
    assert step0["mean_reward"] == pytest.approx((2 + 0.2 + 0.9 + 0.4) / 7)
    assert step1["success_rate"] == pytest.approx(5 / 10)
    # mean |reward - group mean| over the step's rollouts: t0's four are 0.5 away, t1's three are 0.3, 0.4, 0.1
    assert step0["mean_abs_advantage"] == pytest.approx((4 * 0.5 + 0.3 + 0.4 + 0.1) / 7)
    # pass@2 per group: t0 at step 0: 1 - C(2, 2) / C(4, 2) = 5/6; t1 (no success in 3): 0
    assert step0["pass@2"] == pytest.approx((5 / 6 + 0.0) / 2)
    # step 1: t0 all succeed (1), t1 has one rollout (no pass@2), t2 one success in 5: 1 - C(4, 2) / C(5, 2)
    assert step1["pass@2"] == pytest.approx((1.0 + (1 - 6 / 10)) / 2)
    assert step1["pass@5"] == pytest.approx(1.0)  # only t2 has 5 rollouts, and one succeeded
    assert math.isnan(step0["pass@5"])  # no group of 5 at step 0

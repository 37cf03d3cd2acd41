"""``steps_df``: per training step, how much the groups had to learn from, and pass@k."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from ...store.location import StoreSpec
from ..filters import Runs
from ..tasks.passk import check_ks, pass_at_k
from .table import DEFAULT_STEP, GROUP_KEYS, group_rollouts


def step_summary(groups: pd.DataFrame, ks: tuple[int, ...]) -> pd.DataFrame:
    """One row per (run, step) of a frame of rollouts with their groups (see :func:`.table.with_advantages`).

    Only rollouts with a reward count; a group without any is left out.
    """
    rated = groups[groups["reward"].notna()]
    rated = rated.assign(abs_advantage=rated["advantage"].abs())
    per_group = rated.groupby(GROUP_KEYS, sort=False, dropna=False, observed=True).agg(
        n=("reward", "size"),
        successes=("success", "sum"),
        reward_sum=("reward", "sum"),
        abs_advantage_sum=("abs_advantage", "sum"),
        zero_variance=("zero_variance", "first"),
    )
    n = per_group["n"].to_numpy(dtype=np.int64)
    successes = per_group["successes"].to_numpy(dtype=np.int64)
    per_group = per_group.assign(
        zero_variance=per_group["zero_variance"].astype("float64"),
        **{f"pass@{k}": pass_at_k(n, successes, k) for k in ks},
    ).reset_index()
    steps = per_group.groupby(["run", "step"], sort=False, dropna=False, observed=True)
    summed = steps[["n", "successes", "reward_sum", "abs_advantage_sum"]].sum()
    out = pd.DataFrame(
        {
            "n_groups": steps.size(),
            "n": summed["n"].astype(np.int64),
            "mean_reward": summed["reward_sum"] / summed["n"],
            "success_rate": summed["successes"] / summed["n"],
            "zero_variance_share": steps["zero_variance"].mean(),
            "mean_abs_advantage": summed["abs_advantage_sum"] / summed["n"],
            # the mean over the step's groups with at least k rollouts
            **{f"pass@{k}": steps[f"pass@{k}"].mean() for k in ks},
        }
    ).reset_index()
    order = {run: i for i, run in enumerate(dict.fromkeys(groups["run"]))}
    out = out.assign(_order=out["run"].map(order))
    return out.sort_values(["_order", "step"], na_position="last", kind="stable", ignore_index=True).drop(
        columns="_order"
    )


def steps_df(
    runs: Runs = None,
    *,
    by: str | None = None,
    step: str = DEFAULT_STEP,
    reward: str = "total",
    threshold: float = 1.0,
    k: int | Iterable[int] = (1, 5, 10),
    ddof: int = 1,
    store: StoreSpec = None,
    **filters: Any,
) -> pd.DataFrame:
    """One row per (run, training step) of the groups :func:`groups_df` finds (same arguments).

    Columns: ``run``, ``step``; ``n_groups`` and ``n`` (rollouts with a reward);
    ``mean_reward``; ``success_rate`` (reward >= ``threshold``); ``zero_variance_share``
    (the share of groups whose rewards are all equal: no learning signal);
    ``mean_abs_advantage`` (mean |reward - group mean|); ``pass@K`` for each K in ``k``,
    the mean over the step's groups of at least K rollouts of each group's unbiased pass@K
    (NaN when no group is that large). Steps in order, rollouts without a step last.
    """
    ks = check_ks(k)
    groups = group_rollouts(
        runs, by=by, step=step, reward=reward, threshold=threshold, ddof=ddof, store=store, filters=filters
    )
    return step_summary(groups, ks)

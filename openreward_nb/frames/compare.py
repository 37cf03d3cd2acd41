"""``compare_runs``: reward statistics and costs per run (or per run and other keys)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..store.location import StoreSpec
from .filters import Runs, as_list, check_reward_column
from .rollouts import rollouts_df

#: two-sided 95% quantile of the normal distribution: the interval is mean +- Z95 * sem
Z95 = 1.959963984540054

Keys = str | Sequence[str] | None


def group_keys(frame: pd.DataFrame, by: Keys) -> list[str]:
    """``["run", *by]``; ValueError lists the rollout columns when a key is not one."""
    extra = [] if by is None else as_list(by)
    unknown = [k for k in extra if k not in frame.columns]
    if unknown:
        raise ValueError(
            f"cannot group by {', '.join(map(repr, unknown))}; rollout columns: {', '.join(frame.columns)}"
        )
    return ["run", *extra]


def in_run_order(frame: pd.DataFrame, runs: Runs) -> pd.DataFrame:
    """``frame`` with its rows in the order ``runs`` names them (kept as is for all runs)."""
    if runs is None:
        return frame
    order = {name: i for i, name in enumerate(as_list(runs))}
    return frame.sort_values("run", key=lambda names: names.map(order), kind="stable", ignore_index=True)


def compare_runs(
    runs: Runs = None,
    by: Keys = None,
    *,
    reward: str = "total_reward",
    threshold: float = 1.0,
    store: StoreSpec = None,
    **filters: Any,
) -> pd.DataFrame:
    """Per run (and per value of the ``by`` columns, e.g. ``"split"`` or ``"metadata.model"``):

    ``n`` rollouts, ``n_rewarded`` with a reward, the ``reward`` column's ``mean``,
    ``std``, standard error ``sem`` and 95% interval ``ci95_low`` / ``ci95_high`` (normal
    approximation), ``success_rate`` (share of rewarded rollouts with reward >=
    ``threshold``), and mean ``steps`` (model turns), ``tool_calls``, ``tokens`` (input +
    output) and ``duration_s``. Rows follow the order of ``runs``; filters as in
    :func:`rollouts_df`.
    """
    check_reward_column(reward)
    frame = rollouts_df(runs, store=store, **filters)
    keys = group_keys(frame, by)
    rewards = frame[reward]
    frame = frame.assign(
        _reward=rewards.astype("float64"),
        _success=(rewards >= threshold).astype("float64").where(rewards.notna()),
        _duration=frame["duration_s"].astype("float64"),
    )
    stats = frame.groupby(keys, sort=False, dropna=False, observed=True).agg(
        n=("rollout_id", "size"),
        n_rewarded=("_reward", "count"),
        mean=("_reward", "mean"),
        std=("_reward", "std"),
        success_rate=("_success", "mean"),
        steps=("n_turns", "mean"),
        tool_calls=("n_tool_calls", "mean"),
        tokens=("total_tokens", "mean"),
        duration_s=("_duration", "mean"),
    )
    sem = stats["std"] / np.sqrt(stats["n_rewarded"])
    stats.insert(stats.columns.get_loc("std") + 1, "sem", sem)
    stats.insert(stats.columns.get_loc("sem") + 1, "ci95_low", stats["mean"] - Z95 * sem)
    stats.insert(stats.columns.get_loc("ci95_low") + 1, "ci95_high", stats["mean"] + Z95 * sem)
    return in_run_order(stats.reset_index(), runs)

"""``tasks_df``: one row per (run, task), with reward statistics, success rate and pass@k."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from ...store.location import StoreSpec
from ..filters import Runs
from .passk import check_ks, pass_at_k
from .read import task_rollouts

#: the rollouts_df columns averaged per task, and their names in the frame
_COSTS = {"n_turns": "steps", "n_tool_calls": "tool_calls", "total_tokens": "tokens", "duration_s": "duration_s"}


def task_stats(frame: pd.DataFrame, keys: list[str], ks: tuple[int, ...]) -> pd.DataFrame:
    """Per value of ``keys``: attempts, reward statistics, successes, pass@k and mean costs.

    ``frame`` holds ``reward`` and ``success`` (see :func:`.read.task_rollouts`); ``n`` counts the rollouts
    with a reward (the attempts), ``n_unscored`` those without one (running, or never rewarded).
    """
    costs = frame[list(_COSTS)].astype("float64").rename(columns=_COSTS)
    frame = pd.concat([frame[[*keys, "reward", "success"]], costs], axis=1)
    groups = frame.groupby(keys, sort=False, observed=True, dropna=False)
    stats = groups.agg(
        n=("reward", "count"),
        n_rollouts=("reward", "size"),
        successes=("success", "sum"),
        mean=("reward", "mean"),
        std=("reward", "std"),
        min=("reward", "min"),
        max=("reward", "max"),
        **{name: (name, "mean") for name in _COSTS.values()},
    )
    n = stats["n"].to_numpy(dtype=np.int64)
    successes = stats["successes"].to_numpy(dtype=np.int64)
    out = pd.DataFrame(
        {
            "n": n,
            "n_unscored": stats["n_rollouts"].to_numpy(dtype=np.int64) - n,
            "successes": successes,
            "success_rate": np.divide(successes, n, out=np.full(n.shape, np.nan), where=n > 0),
            "mean": stats["mean"],
            "std": stats["std"],
            "min": stats["min"],
            "max": stats["max"],
            **{f"pass@{k}": pass_at_k(n, successes, k) for k in ks},
            **{name: stats[name] for name in _COSTS.values()},
        },
        index=stats.index,
    )
    return out.reset_index()


def tasks_df(
    runs: Runs = None,
    *,
    by: str | None = None,
    reward: str = "total",
    threshold: float = 1.0,
    k: int | Iterable[int] = (1, 5, 10),
    store: StoreSpec = None,
    **filters: Any,
) -> pd.DataFrame:
    """One row per (run, task) of the rollouts ``rollouts_df(runs, **filters)`` selects.

    A rollout's task is its ``task_spec``'s ``id`` / ``task_id`` / ``name``, else its whole
    ``task_spec`` as canonical JSON, else its ``rollout_info.task_index``; ``by`` names any
    rollouts_df column to key tasks by instead (``"metadata.prompt_id"``). Rollouts without
    a task are left out (with a warning). ``reward``: "total", "final" or "max".

    Columns: ``run``, ``task``; ``n`` attempts (rollouts with a reward) and ``n_unscored``
    (without one: running, or never rewarded); ``successes`` and ``success_rate`` (reward >=
    ``threshold``); the reward's ``mean``, ``std`` (sample), ``min`` and ``max``; ``pass@K``
    for each K in ``k`` (the unbiased estimator 1 - C(n - c, K) / C(n, K); NaN where n < K);
    mean ``steps`` (model turns), ``tool_calls``, ``tokens`` and ``duration_s`` over the
    task's rollouts. Rows follow the order of ``runs``, then each task's first rollout.
    """
    ks = check_ks(k)
    frame = task_rollouts(runs, by=by, reward=reward, threshold=threshold, store=store, filters=filters)
    return task_stats(frame, ["run", "task"], ks)

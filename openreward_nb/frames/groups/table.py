"""``groups_df``: each rollout with its group (same run, task and training step) and its advantage.

GRPO-style trainers sample a group of rollouts per task at each training step and learn from
each rollout's advantage: its reward minus the group's mean, divided by the group's standard
deviation. The standard deviation is the sample one (``ddof=1``), as ``torch.std`` computes it
in TRL's GRPOTrainer and verl's GRPO advantage; ``ddof=0`` gives the population one. A group
whose rewards are all equal (one rollout included) gives every rollout an advantage of 0: no
learning signal. There the normalised advantage is 0 too (what the trainers' ``std + eps``
gives), not 0 / 0, and ``zero_variance`` is True.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ...errors import InvalidArgumentError
from ...store.location import StoreSpec
from ..filters import Runs
from ..tasks.read import task_rollouts

#: the rollouts_df column holding the training step by default
DEFAULT_STEP = "rollout_info.current_step"
#: what makes a group
GROUP_KEYS = ["run", "task", "step"]
#: the rollouts_df columns groups_df keeps beside the group's
_KEPT = ["run", "rollout_id", "rollout_name", "status", "task", "step", "reward", "success"]
#: what with_advantages adds
GROUP_COLUMNS = ["group_size", "group_mean", "group_std", "advantage", "advantage_norm", "zero_variance"]
_COSTS = ["n_turns", "n_tool_calls", "total_tokens", "duration_s", "created_at"]


def training_steps(frame: pd.DataFrame, step: str) -> pd.Series:
    """The ``step`` column (missing everywhere when it is the default and no rollout logged one)."""
    if step in frame.columns:
        return frame[step]
    if step == DEFAULT_STEP:
        return pd.Series(pd.NA, index=frame.index, dtype="Int64")
    raise InvalidArgumentError(f"no step column {step!r}; rollout columns: {', '.join(frame.columns)}")


def check_ddof(ddof: int) -> int:
    if ddof not in (0, 1) or isinstance(ddof, bool):
        raise InvalidArgumentError(f"ddof must be 1 (sample standard deviation) or 0 (population), got {ddof!r}")
    return int(ddof)


def with_advantages(frame: pd.DataFrame, ddof: int = 1) -> pd.DataFrame:
    """``frame`` (with ``run``, ``task``, ``step``, ``reward``) plus each rollout's group statistics.

    ``group_size`` (rollouts with a reward), ``group_mean``, ``group_std``, ``zero_variance``
    (the group's rewards are all equal), ``advantage`` (reward - mean; 0 in such a group) and
    ``advantage_norm`` (advantage / std; 0 in such a group). Rollouts without a reward get no
    advantage but keep their group's numbers.
    """
    rewards = frame.groupby(GROUP_KEYS, sort=False, dropna=False, observed=True)["reward"]
    size = rewards.transform("count").to_numpy(dtype=np.int64)
    mean = rewards.transform("mean").to_numpy(dtype="float64")
    std = rewards.transform("std", ddof=ddof).to_numpy(dtype="float64")
    zero = (size > 0) & (rewards.transform("min").to_numpy() == rewards.transform("max").to_numpy())
    reward = frame["reward"].to_numpy(dtype="float64")
    advantage = np.where(zero, 0.0, reward - mean)
    advantage[np.isnan(reward)] = np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        norm = np.where(zero, 0.0, advantage / std)
    norm[np.isnan(reward)] = np.nan
    return frame.assign(
        group_size=size,
        group_mean=mean,
        group_std=std,
        advantage=advantage,
        advantage_norm=norm,
        zero_variance=zero,
    )


def group_rollouts(
    runs: Runs,
    *,
    by: str | None,
    step: str,
    reward: str,
    threshold: float,
    ddof: int,
    store: StoreSpec,
    filters: dict[str, Any],
    warn: bool = True,
) -> pd.DataFrame:
    """The task rollouts (every rollouts_df column) with ``step`` and their groups' statistics."""
    ddof = check_ddof(ddof)
    frame = task_rollouts(runs, by=by, reward=reward, threshold=threshold, store=store, filters=filters, warn=warn)
    return with_advantages(frame.assign(step=training_steps(frame, step)), ddof)


def groups_df(
    runs: Runs = None,
    *,
    by: str | None = None,
    step: str = DEFAULT_STEP,
    reward: str = "total",
    threshold: float = 1.0,
    ddof: int = 1,
    store: StoreSpec = None,
    **filters: Any,
) -> pd.DataFrame:
    """One row per rollout of ``rollouts_df(runs, **filters)`` with a task, with its group and advantage.

    A group is the rollouts of one run with the same task (as in :func:`tasks_df`, ``by``
    included) and the same training step (the ``step`` column; where no step was logged,
    the task's rollouts without one form a group). ``reward``: "total", "final" or "max".

    Columns: ``run``, ``rollout_id``, ``rollout_name``, ``status``, ``task``, ``step``,
    ``reward`` (NaN when unscored), ``success`` (reward >= ``threshold``; missing when unscored), ``group_size``
    (rollouts with a reward), ``group_mean``, ``group_std`` (sample by default, ``ddof=0``:
    population), ``advantage`` (reward - group mean), ``advantage_norm`` (advantage / group
    std), ``zero_variance`` (the group's rewards are all equal: no learning signal; both
    advantages are 0 there), and the rollout's ``n_turns``, ``n_tool_calls``,
    ``total_tokens``, ``duration_s``, ``created_at``.
    """
    frame = group_rollouts(
        runs, by=by, step=step, reward=reward, threshold=threshold, ddof=ddof, store=store, filters=filters
    )
    frame = frame.assign(success=frame["success"].astype("boolean"))  # 1.0 / 0.0 / NaN as True / False / <NA>
    return frame[[*_KEPT, *GROUP_COLUMNS, *_COSTS]]

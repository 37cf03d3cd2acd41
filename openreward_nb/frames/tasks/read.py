"""The rollouts a task frame is built from: ``rollouts_df``'s columns, each rollout's task and its reward."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd

from ...counts import count
from ...errors import InvalidArgumentError
from ...store.location import StoreSpec, open_store
from ..build import build_frame
from ..columns import Column, select_list
from ..compare import in_run_order
from ..filters import REWARDS, Runs, rollout_where
from ..pages import rollout_pages
from ..rollouts import ROLLOUT_COLUMNS
from .key import task_keys

#: the stored task_spec text, read beside the flattened columns (canonical JSON needs the whole object)
_SPEC_TEXT = Column("_task_spec_text", "str", "r.task_spec")
_COLUMNS = (*ROLLOUT_COLUMNS, _SPEC_TEXT)


def reward_column(reward: str) -> str:
    """The rollouts_df column of ``reward``: "total", "final" or "max" (or their column names)."""
    name = reward if reward in REWARDS else f"{reward}_reward"
    if name not in REWARDS:
        choices = ", ".join(r.removesuffix("_reward") for r in REWARDS)
        raise InvalidArgumentError(f"unknown reward {reward!r}; rewards: {choices}")
    return name


def check_threshold(threshold: float) -> float:
    """``threshold`` as a finite float; else an error."""
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not math.isfinite(threshold):
        raise InvalidArgumentError(f"threshold must be a finite number, got {threshold!r}")
    return float(threshold)


def task_rollouts(
    runs: Runs,
    *,
    by: str | None,
    reward: str,
    threshold: float,
    store: StoreSpec,
    filters: dict[str, Any],
    warn: bool = True,
) -> pd.DataFrame:
    """``rollouts_df(runs, **filters)`` with ``task`` (text), ``reward`` (float64, NaN when unscored) and
    ``success`` (1.0 where the reward is >= ``threshold``, 0.0 below, NaN without a reward) columns.

    Rows follow the order of ``runs``, then creation order. Rollouts without a task are
    left out, with a warning saying how many (unless ``warn`` is False: a view's own reading).
    """
    column = reward_column(reward)
    threshold = check_threshold(threshold)
    source = open_store(store, read_only=True)
    where = rollout_where(source, runs, filters)
    with source.snapshot():
        frame = build_frame(_COLUMNS, rollout_pages(source, select_list(_COLUMNS), where))
    texts = frame.pop(_SPEC_TEXT.name)
    tasks = task_keys(frame, texts, by)
    rewards = frame[column].to_numpy(dtype="float64", na_value=np.nan)
    success = np.where(np.isnan(rewards), np.nan, (rewards >= threshold).astype("float64"))
    frame = frame.assign(task=tasks, reward=rewards, success=success)
    untasked = int(tasks.isna().sum())
    if untasked and warn:
        why = f"{by} missing" if by else "no task_spec, no rollout_info.task_index; by= names a column to key by"
        warnings.warn(f"{count(untasked, 'rollout')} without a task left out ({why})", stacklevel=3)
    if untasked:
        frame = frame[tasks.notna()]
    return in_run_order(frame.reset_index(drop=True), runs)

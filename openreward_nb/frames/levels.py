"""The frames by grain, for callers that pick one by name (``RunRecord.to_pandas``, the CLI)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from ..store.location import StoreSpec
from .annotations import annotations_df
from .events import events_df
from .filters import Runs
from .rollouts import rollouts_df
from .runs import runs_df
from .tool_calls import tool_calls_df

LEVELS: dict[str, Callable[..., pd.DataFrame]] = {
    "runs": runs_df,
    "rollouts": rollouts_df,
    "events": events_df,
    "tool_calls": tool_calls_df,
    "annotations": annotations_df,
}


def frame_at(level: str, runs: Runs = None, *, store: StoreSpec = None, **filters: Any) -> pd.DataFrame:
    """The frame of grain ``level`` (runs, rollouts, events, tool_calls, annotations); ValueError lists the levels."""
    build = LEVELS.get(level)
    if build is None:
        raise ValueError(f"unknown level {level!r}; levels: {', '.join(LEVELS)}")
    return build(runs, store=store, **filters)

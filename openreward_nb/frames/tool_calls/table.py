"""``tool_calls_df``: each tool call joined to its result."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from ...store.location import StoreSpec
from ..events import read_events
from ..filters import Runs
from .columns import SOURCE, TOOL_CALL_COLUMNS

_KEY = ["rollout_id", "call_id"]


def parse_arguments(text: str | None) -> Any:
    """Tool arguments parsed from JSON text, or None when they are not JSON."""
    if not isinstance(text, str):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def pair_calls(events: pd.DataFrame) -> pd.DataFrame:
    """Calls joined to results: the n-th call with a call_id in a rollout gets the n-th result with it."""
    calls = events[events["type"] == "tool_call"]
    results = events[(events["type"] == "tool_result") & events["call_id"].notna()]
    calls = calls.assign(nth=calls.groupby(_KEY, dropna=False).cumcount())
    results = results.assign(nth=results.groupby(_KEY).cumcount())
    answered = results[[*_KEY, "nth", "idx", "ts", "content", "is_error", "reward"]]
    paired = calls.drop(columns=["is_error", "reward"]).merge(
        answered, on=[*_KEY, "nth"], how="left", suffixes=("", "_result")
    )
    frame = pd.DataFrame(
        {
            "run": paired["run"],
            "rollout_id": paired["rollout_id"],
            "idx": paired["idx"],
            "call_id": paired["call_id"],
            "name": paired["name"],
            "kind": paired["kind"],
            "model": paired["model"],
            "called_at": paired["ts"],
            "arguments": pd.Series([parse_arguments(t) for t in paired["content"]], dtype=object),
            "arguments_json": paired["content"],
            "result_idx": paired["idx_result"],
            "output": paired["content_result"],
            "is_error": paired["is_error"],
            "reward": paired["reward"],
            "latency_s": (paired["ts_result"] - paired["ts"]).dt.total_seconds(),
        }
    )
    return frame.astype(TOOL_CALL_COLUMNS)


def tool_calls_df(runs: Runs = None, *, store: StoreSpec = None, **filters: Any) -> pd.DataFrame:
    """One row per tool call of the rollouts ``rollouts_df(runs, **filters)`` selects, with its result.

    ``arguments`` holds the parsed JSON arguments, ``output`` the result's content,
    ``is_error`` / ``reward`` what was logged with the result and ``latency_s`` the
    seconds between the call and its result (missing while it has none).
    """
    return pair_calls(read_events(SOURCE, runs, store, ("tool_call", "tool_result"), filters))

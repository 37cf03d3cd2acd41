"""``events_df``: events of a store as a DataFrame, filtered in SQL and read in pages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from ...events import EVENT_TYPES
from ...store.location import StoreSpec, open_store
from ..build import build_frame
from ..columns import Column, select_list
from ..filters import Runs, as_list, rollout_where
from ..pages import plan_event_reads
from .columns import EVENT_COLUMNS
from .source import event_pages


def check_types(types: str | Sequence[str] | None) -> tuple[str, ...]:
    """Event types to keep (empty for all); ValueError lists the types there are."""
    if types is None:
        return ()
    wanted = tuple(as_list(types))
    unknown = [t for t in wanted if t not in EVENT_TYPES]
    if unknown:
        raise ValueError(f"unknown event type {', '.join(map(repr, unknown))}; types: {', '.join(EVENT_TYPES)}")
    return wanted


def read_events(
    columns: Sequence[Column], runs: Runs, store: StoreSpec, types: Sequence[str], filters: dict[str, Any]
) -> pd.DataFrame:
    """``columns`` of the events of matching rollouts, in rollout creation order then index."""
    source = open_store(store, read_only=True)
    where = rollout_where(source, runs, filters)
    with source.snapshot():  # the page plan and the pages see the same rollouts
        reads = plan_event_reads(source, select_list(columns), where, types)
        pages = event_pages(source, reads, columns)
    return build_frame(columns, pages)


def events_df(
    runs: Runs = None,
    *,
    types: str | Sequence[str] | None = None,
    store: StoreSpec = None,
    **filters: Any,
) -> pd.DataFrame:
    """One row per event of the rollouts ``rollouts_df(runs, **filters)`` selects.

    ``types`` keeps only events of those types (``"tool_call"``, ...). Rows come in
    rollout creation order, then event index; ``(rollout_id, idx)`` is unique.
    """
    return read_events(EVENT_COLUMNS, runs, store, check_types(types), filters)

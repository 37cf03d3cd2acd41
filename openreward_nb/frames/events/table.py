"""``events_df``: events of a store as a DataFrame, filtered in SQL and read in pages."""

from __future__ import annotations

from typing import Any, Sequence, Union

import pandas as pd

from ...events import EVENT_TYPES
from ...store.location import StoreSpec, open_store
from ..build import build_frame
from ..columns import Column, select_list
from ..filters import Runs, as_list, rollout_where
from ..pages import event_pages
from .columns import EVENT_COLUMNS


def check_types(types: Union[str, Sequence[str], None]) -> tuple[str, ...]:
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
    source = open_store(store)
    where = rollout_where(source, runs, filters)
    with source.snapshot():  # the page plan and the pages see the same events
        return build_frame(columns, event_pages(source, select_list(columns), where, types))


def events_df(
    runs: Runs = None,
    *,
    types: Union[str, Sequence[str], None] = None,
    store: StoreSpec = None,
    **filters: Any,
) -> pd.DataFrame:
    """One row per event of the rollouts ``rollouts_df(runs, **filters)`` selects.

    ``types`` keeps only events of those types (``"tool_call"``, ...). Rows come in
    rollout creation order, then event index; ``(rollout_id, idx)`` is unique.
    """
    return read_events(EVENT_COLUMNS, runs, store, check_types(types), filters)

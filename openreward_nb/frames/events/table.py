"""``events_df``: events of a store as a DataFrame, filtered in SQL and read in pages."""

from __future__ import annotations

from typing import Any, Sequence, Union

import pandas as pd

from ...events import EVENT_TYPES
from ...store.location import StoreSpec, open_store
from ...store.sqlite import SQLiteStore
from .. import sqlite_arrow
from ..build import build_frame
from ..columns import KINDS, Column, select_list
from ..filters import Runs, as_list, rollout_where
from ..pages import plan_event_reads
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
    """``columns`` of the events of matching rollouts, in rollout creation order then index.

    Reads of many events from a SQLite store go through the ADBC driver when it is
    installed (:mod:`..sqlite_arrow`). Its child process reads the planned pages in a
    snapshot of its own, taken after the plan's: the rollouts are those that matched
    when the plan was made, with every event they have when the pages are read.
    """
    source = open_store(store)
    where = rollout_where(source, runs, filters)
    with source.snapshot():  # the page plan and the pages read here see the same events
        reads = plan_event_reads(source, select_list(columns), where, types)
        fast = isinstance(source, SQLiteStore) and reads.n_events >= sqlite_arrow.MIN_EVENTS and sqlite_arrow.available()
        if not fast:
            return build_frame(columns, (source.query(sql, params) for sql, params in reads.queries))
    arrow_types = [KINDS[c.kind].arrow for c in columns]
    return build_frame(columns, sqlite_arrow.read_pages(source.path, reads.queries, arrow_types))


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

"""``events_df``: events of a store as a DataFrame, filtered in SQL and read in pages."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd
import pyarrow as pa

from ...events import EVENT_TYPES
from ...store.base import Store
from ...store.location import StoreSpec, open_store
from ...store.sqlite import SQLiteStore
from .. import sqlite_arrow
from ..build import Page, build_frame
from ..columns import KINDS, Column, select_list
from ..filters import Runs, as_list, rollout_where
from ..pages import EventReads, plan_event_reads
from .columns import EVENT_COLUMNS


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
        return build_frame(columns, _pages(source, reads, [KINDS[c.kind].arrow for c in columns]))


def _pages(source: Store, reads: EventReads, types: Sequence[pa.DataType]) -> Iterable[Page]:
    """The planned pages, through an Arrow driver where one is installed and worth starting.

    On PostgreSQL the driver's session shares the plan's snapshot. On SQLite its child
    process takes a snapshot of its own, a little later than the plan's: the rollouts are
    those that matched the plan, with every event they have when the pages are read.
    """
    if isinstance(source, SQLiteStore):
        if reads.n_events >= sqlite_arrow.MIN_EVENTS and sqlite_arrow.available():
            return sqlite_arrow.read_pages(source.path, reads.queries, types)
    else:
        from .. import postgres_arrow  # imports psycopg: only for PostgreSQL stores

        if postgres_arrow.available():
            return postgres_arrow.read_pages(source, reads.queries, types)
    return (source.query(sql, params) for sql, params in reads.queries)


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

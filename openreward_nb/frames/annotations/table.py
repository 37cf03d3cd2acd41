"""``annotations_df``: the annotations of a store as a DataFrame, one row per label, note or score."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ...store.location import StoreSpec, open_store
from ..build import build_frame
from ..columns import select_list
from ..filters import Runs, Where, as_list, rollout_where
from .columns import ANNOTATION_COLUMNS


def _any_of(where: Where, column: str, values: str | list[str] | None) -> None:
    if values is None:
        return
    wanted = as_list(values)
    if not wanted:
        where.add("1 = 0")
    else:
        where.add(f"{column} IN ({', '.join('?' * len(wanted))})", *wanted)


def annotations_df(
    runs: Runs = None,
    *,
    label: str | list[str] | None = None,
    author: str | list[str] | None = None,
    store: StoreSpec = None,
    **filters: Any,
) -> pd.DataFrame:
    """One row per annotation of the rollouts ``rollouts_df(runs, **filters)`` selects.

    ``label`` and ``author`` (a value or a list) keep those annotations alone. ``idx`` is
    the labelled event's index (missing for the rollout as a whole) and joins
    ``events_df`` on ``(rollout_id, idx)``. Rows come in rollout creation order, the
    rollout's own annotations before its events', then by time.
    """
    source = open_store(store, read_only=True)
    where = rollout_where(source, runs, filters)
    _any_of(where, "a.label", label)
    _any_of(where, "a.author", author)
    sql = source.translate(
        f"SELECT {select_list(ANNOTATION_COLUMNS)} FROM annotations a JOIN rollouts r ON r.id = a.rollout_id "
        f"WHERE {where.sql} ORDER BY r.seq, CASE WHEN a.idx IS NULL THEN 0 ELSE 1 END, a.idx, a.created_at, a.id"
    )
    return build_frame(ANNOTATION_COLUMNS, [source.query(sql, where.params)])

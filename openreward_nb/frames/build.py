"""Turn pages of stored rows into a typed DataFrame, converting each page as it arrives."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeAlias

import pandas as pd
import pyarrow as pa

from .columns import KINDS, Column
from .unreadable import Unreadable

#: a page of rows (tuples of the columns' values in order), or Arrow columns already of the declared types
Page: TypeAlias = Sequence[tuple[Any, ...]] | pa.RecordBatch | pa.Table
#: columns naming what a row belongs to, for warnings about values that could not be read (first found)
OWNERS = (("rollout_id", "rollout"), ("run", "run"))


def build_frame(columns: Sequence[Column], pages: Iterable[Page]) -> pd.DataFrame:
    """A DataFrame of ``columns`` from pages of rows or of Arrow batches.

    Rows may carry extra trailing values (paging keys); they are ignored. Each page of
    rows is turned into Arrow arrays before the next is read, so the rows of only one
    page are held as Python objects at a time. Values that cannot be read are missing
    in the frame; one :class:`~openreward_nb.errors.UnreadableValueWarning` names their rollouts
    (or runs).
    """
    unreadable = Unreadable()
    kinds = [KINDS[c.kind] for c in columns]
    chunks: list[list[Any]] = [[] for _ in columns]
    offset = 0
    for page in pages:
        if isinstance(page, (pa.RecordBatch, pa.Table)):
            for column_chunks, array in zip(chunks, page.columns, strict=True):
                column_chunks.extend(array.chunks if isinstance(array, pa.ChunkedArray) else (array,))
            offset += page.num_rows
        else:
            _append_rows(columns, chunks, page, unreadable, offset)
            offset += len(page)
        del page  # free this page before the next is read
    data: dict[str, Any] = {}
    for kind, column, column_chunks in zip(kinds, columns, chunks, strict=True):
        data.update(kind.finish(column_chunks, column, unreadable))
    if unreadable:
        owner, what = next(((name, what) for name, what in OWNERS if name in data), (None, ""))
        unreadable.warn(None if owner is None else data[owner], what, stacklevel=4)
    return pd.DataFrame(data, copy=False)


def _append_rows(
    columns: Sequence[Column],
    chunks: list[list[Any]],
    rows: Sequence[tuple[Any, ...]],
    unreadable: Unreadable,
    offset: int,
) -> None:
    """Each column of ``rows`` (values past the columns ignored) as one more Arrow chunk of its column."""
    values = zip(*rows, strict=True)
    for column, column_chunks, column_values in zip(columns, chunks, values, strict=False):
        column_chunks.append(KINDS[column.kind].chunk(column_values, column.name, unreadable, offset))

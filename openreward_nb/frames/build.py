"""Turn pages of stored rows into a typed DataFrame, converting each page as it arrives."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Union

import pandas as pd
import pyarrow as pa

from .columns import KINDS, Column

#: a page of rows (tuples of the columns' values in order), or Arrow columns already of the declared types
Page = Union[Sequence[tuple], pa.RecordBatch, pa.Table]


def build_frame(columns: Sequence[Column], pages: Iterable[Page]) -> pd.DataFrame:
    """A DataFrame of ``columns`` from pages of rows or of Arrow batches.

    Rows may carry extra trailing values (paging keys); they are ignored. Each page of
    rows is turned into Arrow arrays before the next is read, so the rows of only one
    page are held as Python objects at a time.
    """
    kinds = [KINDS[c.kind] for c in columns]
    chunks: list[list[Any]] = [[] for _ in columns]
    for page in pages:
        if isinstance(page, (pa.RecordBatch, pa.Table)):
            for column_chunks, array in zip(chunks, page.columns):
                column_chunks.extend(array.chunks if isinstance(array, pa.ChunkedArray) else (array,))
        else:
            for kind, column_chunks, values in zip(kinds, chunks, zip(*page)):
                column_chunks.append(kind.chunk(values))
        page = values = None  # free this page before the next is read
    data: dict[str, Any] = {}
    for kind, column, column_chunks in zip(kinds, columns, chunks):
        data.update(kind.finish(column_chunks, column))
    return pd.DataFrame(data, copy=False)

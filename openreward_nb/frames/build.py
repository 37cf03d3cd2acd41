"""Turn pages of stored rows into a typed DataFrame, converting each page as it arrives."""

from __future__ import annotations

from typing import Any, Iterable, Sequence, Union

import pandas as pd
import pyarrow as pa

from .columns import KINDS, Column

#: a page of rows (tuples of the columns' values in order) or an Arrow batch already of the declared types
Page = Union[Sequence[tuple], pa.RecordBatch]


def build_frame(columns: Sequence[Column], pages: Iterable[Page]) -> pd.DataFrame:
    """A DataFrame of ``columns`` from pages of rows or of Arrow batches.

    Rows may carry extra trailing values (paging keys); they are ignored. Each page of
    rows is turned into Arrow arrays before the next is read, so the rows of only one
    page are held as Python objects at a time.
    """
    kinds = [KINDS[c.kind] for c in columns]
    chunks: list[list[Any]] = [[] for _ in columns]
    for page in pages:
        if isinstance(page, pa.RecordBatch):
            arrays = page.columns
        else:
            arrays = [kind.chunk(values) for kind, values in zip(kinds, zip(*page))]
        for column_chunks, array in zip(chunks, arrays):
            column_chunks.append(array)
        page = arrays = None  # free this page before the next is read
    data: dict[str, Any] = {}
    for kind, column, column_chunks in zip(kinds, columns, chunks):
        data.update(kind.finish(column_chunks, column))
    return pd.DataFrame(data, copy=False)

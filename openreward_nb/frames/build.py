"""Turn pages of stored rows into a typed DataFrame, converting each page as it arrives."""

from __future__ import annotations

from typing import Any, Iterable, Sequence

import pandas as pd

from .columns import KINDS, Column


def build_frame(columns: Sequence[Column], pages: Iterable[Sequence[tuple]]) -> pd.DataFrame:
    """A DataFrame of ``columns`` from row pages (each row holds the columns' values in order).

    Rows may carry extra trailing values (paging keys); they are ignored. Each page is
    turned into Arrow arrays before the next is read, so the rows of only one page are
    held as Python objects at a time.
    """
    kinds = [KINDS[c.kind] for c in columns]
    chunks: list[list[Any]] = [[] for _ in columns]
    for rows in pages:
        for kind, column_chunks, values in zip(kinds, chunks, zip(*rows)):
            column_chunks.append(kind.chunk(values))
        rows = values = None  # free this page's Python objects before the next page is read
    data: dict[str, Any] = {}
    for kind, column, column_chunks in zip(kinds, columns, chunks):
        data.update(kind.finish(column_chunks, column))
    return pd.DataFrame(data, copy=False)

"""``events_arrow``: the events of ``events_df`` as a stream of Arrow record batches, a page at a time.

For reads too big to hold at once: each page is read from the store only when the
consumer (DuckDB, Polars, a Parquet writer, a loop) asks for the next batch, so memory
holds about one page whatever the number of events.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pyarrow as pa

from ...store.location import StoreSpec, open_store
from ..build import Page
from ..columns import KINDS, select_list
from ..filters import Runs, rollout_where
from ..pages import plan_event_reads
from ..unreadable import Unreadable
from .columns import EVENT_COLUMNS
from .source import event_pages
from .table import check_types

#: the columns of ``events_arrow``: those of ``events_df``, with ``metadata`` as its JSON text
EVENT_SCHEMA = pa.schema([pa.field(c.name, KINDS[c.kind].arrow_out) for c in EVENT_COLUMNS])


def events_arrow(
    runs: Runs = None,
    *,
    types: str | Sequence[str] | None = None,
    store: StoreSpec = None,
    page_size: int | None = None,
    **filters: Any,
) -> pa.RecordBatchReader:
    """The events ``events_df(runs, types=types, **filters)`` holds, as a stream of Arrow record batches.

    The store is read a page of about ``page_size`` events (default 50,000) at a time, when
    the consumer asks for the next batch (a batch holds a page or part of one), in the order
    of ``events_df``. Columns are those of
    ``events_df`` (:data:`EVENT_SCHEMA`): ``ts`` a UTC timestamp, ``type`` text and
    ``metadata`` the JSON text as stored. Hand it to DuckDB, Polars or ``pyarrow.parquet``,
    or loop over it. The reader holds a connection to the store (on PostgreSQL, in the
    snapshot the read was planned in) until it is read to the end or let go of (pyarrow's
    ``close()`` does not release it).
    """
    source = open_store(store)
    where = rollout_where(source, runs, filters)
    with source.snapshot():  # the page plan and the pages see the same rollouts
        reads = plan_event_reads(source, select_list(EVENT_COLUMNS), where, check_types(types), page_size)
        pages = event_pages(source, reads, EVENT_COLUMNS)
    return pa.RecordBatchReader.from_batches(EVENT_SCHEMA, _batches(pages))


def _batches(pages: Iterator[Page]) -> Iterator[pa.RecordBatch]:
    """The pages as batches of :data:`EVENT_SCHEMA`; one warning for the first batch holding values
    that cannot be read (shown as missing), naming its rollouts."""
    kinds = [KINDS[c.kind] for c in EVENT_COLUMNS]
    names = [c.name for c in EVENT_COLUMNS]
    warned = False
    try:
        for page in pages:
            for part in _parts(page):
                unreadable = Unreadable()
                if isinstance(part, pa.RecordBatch):
                    arrays = part.columns
                else:
                    arrays = [
                        kind.chunk(values, name, unreadable, 0)
                        for kind, name, values in zip(kinds, names, part, strict=True)
                    ]
                batch = pa.record_batch(
                    [kind.to_arrow(a, name, unreadable, 0) for kind, name, a in zip(kinds, names, arrays, strict=True)],
                    schema=EVENT_SCHEMA,
                )
                if unreadable and not warned:
                    unreadable.warn(batch.column("rollout_id").to_pylist(), "rollout", later=True)
                    warned = True
                yield batch
    finally:
        close = getattr(pages, "close", None)
        if close is not None:
            close()


def _parts(page: Page) -> Iterator[pa.RecordBatch | Sequence[Sequence[Any]]]:
    """A page as Arrow batches (zero-copy), or as the columns of its rows; nothing for an empty page."""
    if isinstance(page, pa.Table):
        yield from page.to_batches()
    elif isinstance(page, pa.RecordBatch):
        yield page
    elif page:
        yield list(zip(*page, strict=True))[: len(EVENT_COLUMNS)]

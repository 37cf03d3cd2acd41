"""Pages of a PostgreSQL store read straight into Arrow by the ADBC PostgreSQL driver.

psycopg makes one Python object per value; the ADBC driver (``pip install
adbc-driver-postgresql``) reads PostgreSQL's binary COPY format into Arrow arrays in C,
about three times faster on big reads. It takes that path only for a statement without
parameters (with parameters it reads a whole result through libpq first, which cost a
third more CPU and on a busy machine twice the time), so each page's values are bound
into its SQL on the client, by psycopg. Its session imports the snapshot of the reader
that planned the pages (``SET TRANSACTION SNAPSHOT``), so the pages see exactly the
state the plan saw.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterator, Sequence
from typing import Any

import pyarrow as pa

from ..store.postgres import PostgresStore

#: settings of a paged read: the snapshot may sit idle while the reader's consumer works, and
#: compiling each page query (JIT) costs more than it saves on these index lookups
READ_SETTINGS = ("SET LOCAL idle_in_transaction_session_timeout = 0", "SET LOCAL jit = off")
#: what ``pg_export_snapshot()`` returns: hex words joined by dashes
_SNAPSHOT_ID = re.compile(r"[0-9A-Fa-f]+(-[0-9A-Fa-f]+)*")


def available() -> bool:
    """True when the ADBC PostgreSQL driver is installed."""
    return importlib.util.find_spec("adbc_driver_postgresql") is not None


def read_pages(
    store: PostgresStore, queries: Sequence[tuple[str, Sequence[Any]]], types: Sequence[pa.DataType]
) -> Iterator[pa.RecordBatch]:
    """The rows of ``queries`` (in ``store``'s placeholder style) as batches, column ``i`` of type ``types[i]``.

    Call inside ``store.snapshot()``: the driver's session imports that snapshot before
    this returns, so the pages see the state the caller saw even when they are read
    later, on any thread. RuntimeError names the store (without its password) when the
    driver fails.
    """
    pages = _pages(store, queries, types)
    next(pages)  # connected, in the caller's snapshot
    return pages


def _pages(
    store: PostgresStore, queries: Sequence[tuple[str, Sequence[Any]]], types: Sequence[pa.DataType]
) -> Iterator[pa.RecordBatch | None]:
    """:func:`read_pages` as a generator that yields None once connected, then the pages."""
    import adbc_driver_postgresql.dbapi as adbc

    begin = in_snapshot(store)
    statements = bound(store, queries)
    try:
        with adbc.connect(store.conninfo, autocommit=True) as conn, conn.cursor() as cur:
            for statement in begin:
                cur.execute(statement)
            yield None
            for statement in statements:
                cur.execute(statement)
                for batch in cur.fetch_record_batch():  # as the driver fills them (about 16 MB each)
                    yield pa.record_batch(
                        [column.cast(t) for column, t in zip(batch.columns, types, strict=True)],
                        names=batch.schema.names,
                    )
                    del batch
            cur.execute("ROLLBACK")
    except (adbc.Error, OSError) as exc:  # pyarrow reports a failure mid-stream (server gone) as OSError
        raise RuntimeError(f"reading through the ADBC PostgreSQL driver failed: {store.describe_error(exc)}") from None


def in_snapshot(store: PostgresStore) -> list[str]:
    """The statements that start a read-only transaction of another session in the snapshot
    ``store``'s calling thread holds open (``store.snapshot()``), with :data:`READ_SETTINGS`."""
    snapshot = store.export_snapshot()
    if not _SNAPSHOT_ID.fullmatch(snapshot):
        raise RuntimeError(f"unexpected snapshot id from {store.url}: {snapshot!r}")
    return [
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        f"SET TRANSACTION SNAPSHOT '{snapshot}'",  # a literal: SET takes no parameters
        *READ_SETTINGS,
    ]


def bound(store: PostgresStore, queries: Sequence[tuple[str, Sequence[Any]]]) -> list[str]:
    """Each query with its parameters bound into its text, escaped by psycopg for ``store``'s connection."""
    import psycopg

    cursor = psycopg.ClientCursor(store.reader())
    return [cursor.mogrify(sql, list(params)) for sql, params in queries]

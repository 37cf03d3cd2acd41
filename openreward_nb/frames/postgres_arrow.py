"""Pages of a PostgreSQL store read straight into Arrow by the ADBC PostgreSQL driver.

psycopg makes one Python object per value; the ADBC driver (``pip install
adbc-driver-postgresql``) reads PostgreSQL's binary COPY format into Arrow arrays in C,
about three times faster on big reads. Its session imports the snapshot of the reader
that planned the pages (``SET TRANSACTION SNAPSHOT``), so the pages see exactly the
state the plan saw.
"""

from __future__ import annotations

import importlib.util
import itertools
import re
from collections.abc import Iterator, Sequence
from typing import Any

import pyarrow as pa

from ..store.postgres import PostgresStore

_PLACEHOLDER = re.compile(r"%s")
#: what ``pg_export_snapshot()`` returns: hex words joined by dashes
_SNAPSHOT_ID = re.compile(r"[0-9A-Fa-f]+(-[0-9A-Fa-f]+)*")


def available() -> bool:
    """True when the ADBC PostgreSQL driver is installed."""
    return importlib.util.find_spec("adbc_driver_postgresql") is not None


def read_pages(
    store: PostgresStore, queries: Sequence[tuple[str, Sequence[Any]]], types: Sequence[pa.DataType]
) -> Iterator[pa.Table]:
    """The rows of ``queries`` (in ``store``'s placeholder style) as tables, read in the snapshot
    the calling thread holds open (``store.snapshot()``), column ``i`` of type ``types[i]``.

    RuntimeError names the store (without its password) when the driver fails.
    """
    import adbc_driver_postgresql.dbapi as adbc

    snapshot = store.export_snapshot()
    if not _SNAPSHOT_ID.fullmatch(snapshot):
        raise RuntimeError(f"unexpected snapshot id from {store.url}: {snapshot!r}")
    try:
        with adbc.connect(store.conninfo, autocommit=True) as conn, conn.cursor() as cur:
            cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cur.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
            for sql, params in queries:
                cur.execute(_numbered(sql), list(params) or None)
                table = cur.fetch_arrow_table()
                yield pa.table([column.cast(t) for column, t in zip(table.columns, types)], names=table.column_names)
                del table
            cur.execute("ROLLBACK")
    except adbc.Error as exc:
        raise RuntimeError(f"reading through the ADBC PostgreSQL driver failed: {store.describe_error(exc)}") from None


def _numbered(sql: str) -> str:
    """``sql`` with its ``%s`` placeholders numbered ``$1, $2...``, as the driver binds them."""
    count = itertools.count(1)
    return _PLACEHOLDER.sub(lambda _: f"${next(count)}", sql)

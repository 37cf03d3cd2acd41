"""Where the pages of an event read come from: an Arrow driver where one is installed, else DB-API.

Each source reads through a connection of its own, so the pages can be read later and on
any thread (a reader handed to DuckDB or Polars streams them); the connection is closed
when the pages run out or the iterator is closed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pyarrow as pa

from ...store.base import Store
from ...store.postgres import PostgresStore
from ...store.sqlite import SQLiteStore
from .. import sqlite_arrow
from ..build import Page
from ..columns import KINDS, Column
from ..pages import EventReads


def event_pages(store: Store, reads: EventReads, columns: Sequence[Column]) -> Iterator[Page]:
    """The planned pages of ``columns``: Arrow batches of the declared types, or rows.

    Call inside ``store.snapshot()``, the one the plan was made in. On PostgreSQL the
    pages see exactly that snapshot (imported before this returns). On SQLite they see
    the file as it is when they are first read, a little later than the plan: the
    rollouts are those of the plan, with every event they have by then.
    """
    types = [KINDS[c.kind].arrow for c in columns]
    if isinstance(store, SQLiteStore):
        if reads.n_events >= sqlite_arrow.MIN_EVENTS and sqlite_arrow.available():
            return _driven(store, reads.queries, types)
        return _rows(store.connect(), ["BEGIN"], reads.queries)
    from .. import postgres_arrow  # imports psycopg: only for PostgreSQL stores

    assert isinstance(store, PostgresStore)
    if postgres_arrow.available():
        return postgres_arrow.read_pages(store, reads.queries, types)
    return _rows(store.connect(), postgres_arrow.in_snapshot(store), reads.queries)


def _rows(conn: Any, begin: Sequence[str], queries: Sequence[tuple[str, Sequence[Any]]]) -> Iterator[Page]:
    """Pages of rows through ``conn``, a DB-API connection of their own (closed when they end),
    after running ``begin`` before this returns."""
    pages = _fetched(conn, begin, queries)
    next(pages)  # ``begin`` ran; from here on, closing the pages closes the connection
    return pages


def _fetched(conn: Any, begin: Sequence[str], queries: Sequence[tuple[str, Sequence[Any]]]) -> Iterator[Page | None]:
    try:
        for statement in begin:
            conn.execute(statement)
        yield None
        for sql, params in queries:
            yield conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def _driven(
    store: SQLiteStore, queries: Sequence[tuple[str, Sequence[Any]]], types: Sequence[pa.DataType]
) -> Iterator[Page]:
    """Pages through the ADBC SQLite driver's child; a page it could not cast is read here, with sqlite3."""
    conn: Any = None

    def reread(index: int) -> list[tuple[Any, ...]]:
        nonlocal conn
        if conn is None:
            conn = store.connect()
        sql, params = queries[index]
        return list(conn.execute(sql, params).fetchall())

    try:
        yield from sqlite_arrow.read_pages(store.path, queries, types, reread)
    finally:
        if conn is not None:
            conn.close()

"""Two small helpers for DB-API connections of a store: run one query, close a connection that may be broken."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def fetch(conn: Any, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """All rows of one query (``sql`` already in the store's placeholder style)."""
    cur = conn.cursor()
    try:
        cur.execute(sql, tuple(params))
        rows: list[tuple[Any, ...]] = cur.fetchall()
        return rows
    finally:
        cur.close()


def close_quietly(conn: Any) -> None:
    """Close a connection that may already be broken."""
    if conn is not None:
        try:
            conn.close()
        except Exception:
            pass

"""Upload state kept in the store (table ``upload_cursors``): what is queued for which API, how far it got.

One row per (target API, rollout). Events go out in index order: ``next_idx`` is where
the next read starts, ``n_sent`` counts what has been sent, so ``n_sent < n_events`` means
work is left. A cursor only moves after the server has answered 2xx, and only from the
value the sender started from (compare-and-set), so a crash or a second uploader can make
an event go out again (with the same id) but never be skipped.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..store.base import Store
from ..store.dbapi import fetch
from ..store.schema import ROLLOUT_INSERT_COLUMNS
from .wire import MESSAGE_COLUMNS

#: what a cursor needs to know of its rollout: its row as created, then its status and event count
ROLLOUT_FIELDS: tuple[str, ...] = (*ROLLOUT_INSERT_COLUMNS, "status", "n_events")

_PENDING = f"""SELECT {", ".join("r." + f for f in ROLLOUT_FIELDS)}, c.start_sent, c.next_idx, c.n_sent, c.info_sent
    FROM upload_cursors c JOIN rollouts r ON r.id = c.rollout_id
    WHERE c.target = ? AND c.error IS NULL AND (c.start_sent = 0 OR c.n_sent < r.n_events
          OR (r.rollout_info IS NOT NULL AND (c.info_sent IS NULL OR c.info_sent <> r.rollout_info)))
    ORDER BY r.seq LIMIT ?"""
_FIRST = "SELECT MIN(idx) FROM events WHERE rollout_id = ? AND idx >= ?"
_FIRST_YOUNG = """SELECT MIN(idx) FROM (SELECT idx, ts FROM events WHERE rollout_id = ? AND idx >= ? ORDER BY idx LIMIT ?) w
    WHERE ts > ?"""
_WINDOW = """SELECT COUNT(*), MAX(idx) FROM (SELECT idx FROM events WHERE rollout_id = ? AND idx >= ? AND idx < ?
    ORDER BY idx LIMIT ?) w"""
_EVENTS = f"""SELECT {", ".join(MESSAGE_COLUMNS)} FROM events WHERE rollout_id = ? AND idx >= ? AND idx <= ?
    ORDER BY idx LIMIT ?"""
_TRACK = "INSERT INTO upload_cursors (target, rollout_id, updated_at) VALUES (?, ?, ?) ON CONFLICT (target, rollout_id) DO NOTHING"
_ENQUEUE = """INSERT INTO upload_cursors (target, rollout_id, updated_at) SELECT ?, id, ? FROM rollouts WHERE {where}
    ON CONFLICT (target, rollout_id) DO NOTHING"""
_RETRY = "UPDATE upload_cursors SET error = NULL, updated_at = ? WHERE target = ? AND error IS NOT NULL"
_STARTED = "UPDATE upload_cursors SET start_sent = 1, updated_at = ? WHERE target = ? AND rollout_id = ?"
_INFO = "UPDATE upload_cursors SET info_sent = ?, updated_at = ? WHERE target = ? AND rollout_id = ?"
_ADVANCE = """UPDATE upload_cursors SET next_idx = ?, n_sent = ?, updated_at = ?
    WHERE target = ? AND rollout_id = ? AND next_idx = ? AND n_sent = ?"""
_FAIL = "UPDATE upload_cursors SET error = ?, updated_at = ? WHERE target = ? AND rollout_id = ?"
_COUNTS = """SELECT
    COALESCE(SUM(CASE WHEN c.error IS NULL AND r.n_events > c.n_sent THEN r.n_events - c.n_sent ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN c.error IS NOT NULL AND r.n_events > c.n_sent THEN r.n_events - c.n_sent ELSE 0 END), 0)
    FROM upload_cursors c JOIN rollouts r ON r.id = c.rollout_id WHERE c.target = ?"""
_FAILURES = "SELECT rollout_id, error FROM upload_cursors WHERE target = ? AND error IS NOT NULL ORDER BY rollout_id"


@dataclass
class Cursor:
    """A rollout with work left for one target, and how far it has been sent."""

    rollout: dict[str, Any]
    start_sent: bool
    next_idx: int
    n_sent: int
    info_sent: str | None

    @property
    def rollout_id(self) -> str:
        return str(self.rollout["id"])

    @property
    def info_due(self) -> str | None:
        """The rollout_info JSON to send, if it changed since it was last sent."""
        info = self.rollout["rollout_info"]
        return info if info is not None and info != self.info_sent else None

    def state(self) -> tuple[Any, ...]:
        return (self.start_sent, self.next_idx, self.n_sent, self.info_sent)


@dataclass
class Commit:
    """Cursor changes made true by one answered batch, written in one transaction."""

    started: list[str]
    infos: list[tuple[str, str]]  # (rollout id, rollout_info JSON sent)
    advances: list[tuple[str, tuple[int, int], tuple[int, int]]]  # (rollout id, (next, n) before, after)
    failures: list[tuple[str, str]]  # (rollout id, the server's message)

    def __bool__(self) -> bool:
        return bool(self.started or self.infos or self.advances or self.failures)


class UploadState:
    """Reads and moves the upload cursors of one target in a store."""

    def __init__(self, store: Store, target: str) -> None:
        self.store = store
        self.target = target
        self._sql = {name: store.translate(text) for name, text in _STATEMENTS.items()}

    def track(self, conn: Any, rollout_ids: Iterable[str]) -> None:
        """Queue these rollouts (they may not be in the store yet)."""
        now = time.time()
        with self.store.transaction(conn) as cur:
            cur.executemany(self._sql["track"], [(self.target, rid, now) for rid in rollout_ids])

    def enqueue(self, conn: Any, run: str | None = None) -> None:
        """Queue every rollout in the store, or those of one run."""
        where, params = ("run_name = ?", (run,)) if run is not None else ("1 = 1", ())
        with self.store.transaction(conn) as cur:
            cur.execute(self.store.translate(_ENQUEUE.format(where=where)), (self.target, time.time(), *params))

    def retry_failed(self, conn: Any) -> None:
        """Give the rollouts the server refused another chance."""
        with self.store.transaction(conn) as cur:
            cur.execute(self._sql["retry"], (time.time(), self.target))

    def pending(self, conn: Any, limit: int) -> list[Cursor]:
        """Queued rollouts with something left to send, oldest first."""
        n = len(ROLLOUT_FIELDS)
        return [
            Cursor(dict(zip(ROLLOUT_FIELDS, row[:n], strict=True)), bool(row[n]), row[n + 1], row[n + 2], row[n + 3])
            for row in fetch(conn, self._sql["pending"], (self.target, limit))
        ]

    def first_index(self, conn: Any, rollout_id: str, start: int) -> int | None:
        """The lowest stored event index of a rollout from ``start`` on."""
        value = fetch(conn, self._sql["first"], (rollout_id, start))[0][0]
        return None if value is None else int(value)

    def first_young(self, conn: Any, rollout_id: str, start: int, limit: int, logged_after: float) -> int | None:
        """The index of the first event logged after ``logged_after`` among a rollout's first ``limit`` from ``start``."""
        value = fetch(conn, self._sql["first_young"], (rollout_id, start, limit, logged_after))[0][0]
        return None if value is None else int(value)

    def window(self, conn: Any, rollout_id: str, start: int, end: int, limit: int) -> tuple[int, int]:
        """(how many, the last index) of a rollout's first ``limit`` stored events with ``start <= idx < end``;
        counted in the index, without reading the events."""
        count, last = fetch(conn, self._sql["window"], (rollout_id, start, end, limit))[0]
        return int(count), -1 if last is None else int(last)

    def events(self, conn: Any, rollout_id: str, start: int, last: int, limit: int) -> list[tuple[Any, ...]]:
        """Up to ``limit`` stored events of a rollout with ``start <= idx <= last``, as wire.MESSAGE_COLUMNS rows."""
        return fetch(conn, self._sql["events"], (rollout_id, start, last, limit))

    def commit(self, conn: Any, change: Commit) -> None:
        """Record what the server accepted (and refused) for one batch."""
        now, target = time.time(), self.target
        with self.store.transaction(conn) as cur:
            if change.started:
                cur.executemany(self._sql["started"], [(now, target, rid) for rid in change.started])
            if change.infos:
                cur.executemany(self._sql["info"], [(info, now, target, rid) for rid, info in change.infos])
            if change.advances:
                cur.executemany(
                    self._sql["advance"],
                    [(a[0], a[1], now, target, rid, b[0], b[1]) for rid, b, a in change.advances],
                )
            if change.failures:
                cur.executemany(self._sql["fail"], [(msg, now, target, rid) for rid, msg in change.failures])

    def counts(self, conn: Any) -> tuple[int, int]:
        """(events waiting to be sent, events of rollouts the server refused)."""
        pending, failed = fetch(conn, self._sql["counts"], (self.target,))[0]
        return int(pending), int(failed)

    def failures(self, conn: Any) -> list[tuple[str, str]]:
        """(rollout id, server message) of every refused rollout."""
        return fetch(conn, self._sql["failures"], (self.target,))


_STATEMENTS = {
    "pending": _PENDING,
    "first": _FIRST,
    "first_young": _FIRST_YOUNG,
    "window": _WINDOW,
    "events": _EVENTS,
    "track": _TRACK,
    "retry": _RETRY,
    "started": _STARTED,
    "info": _INFO,
    "advance": _ADVANCE,
    "fail": _FAIL,
    "counts": _COUNTS,
    "failures": _FAILURES,
}

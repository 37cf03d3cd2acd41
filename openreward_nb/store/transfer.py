"""Copy everything one store holds into another (SQLite <-> PostgreSQL), safely repeatable.

The source is read in one snapshot, so a store that is being written copies consistently.
Rows are keyed as the schema keys them (run name, rollout id, event (rollout, index),
attachment hash): copying again adds only what is new, and skips rollouts the
destination already holds as they are. A rollout held differently takes the source's
row only when the source is further along (never moved backwards), its events take
what they lack (a reward, end flag or metadata set later), and its aggregates are
rebuilt from the merged events. Annotations and label sets (unless left out) are keyed by
their id and run: one edited since takes the newer edit; one removed in the source is kept
in the destination (a copy adds, it never deletes).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..counts import count
from . import schema
from .base import ROLLOUT_COLUMNS, Store

TABLES = ("runs", "rollouts", "events", "blobs")
#: what people wrote about the rollouts (openreward_nb.annotations): copied unless left out
ANNOTATION_TABLES = ("annotations", "label_sets")
_ANNOTATION_COLUMNS = ("id", "rollout_id", "idx", "label", "note", "score", "author", "created_at", "updated_at")
EVENT_PAGE = 1_000
_RO_COPY = tuple(c for c in ROLLOUT_COLUMNS if c != "seq")
# A rollout row in the destination is replaced only by a source row that is further along.
_FURTHER_ALONG = (
    "excluded.n_events > rollouts.n_events OR (excluded.n_events = rollouts.n_events "
    "AND NOT (rollouts.status <> 'running' AND excluded.status = 'running'))"
)
# An event already there takes what the source knows beyond it (a reward, end or metadata set later).
_KNOWS_MORE = (
    "(events.reward IS NULL AND excluded.reward IS NOT NULL) OR (events.is_finished = 0 AND excluded.is_finished = 1) "
    "OR (events.metadata IS NULL AND excluded.metadata IS NOT NULL)"
)
_READ = {
    "runs": "SELECT name, created_at FROM runs ORDER BY created_at, name",
    "blobs": "SELECT sha256, mime, size, data FROM blobs WHERE sha256 > ? ORDER BY sha256 LIMIT ?",
    "annotations": f"SELECT {', '.join(f'a.{c}' for c in _ANNOTATION_COLUMNS)} FROM annotations a "
    "JOIN rollouts r ON r.id = a.rollout_id WHERE a.id > ? ORDER BY a.id LIMIT ?",
    "label_sets": "SELECT run_name, labels, author, updated_at FROM label_sets ORDER BY run_name",
}
_WRITE = {
    "runs": "INSERT INTO runs (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
    "blobs": "INSERT INTO blobs (sha256, mime, size, data) VALUES (?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING",
    "events": f"INSERT INTO events ({', '.join(schema.EVENT_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(schema.EVENT_COLUMNS))}) ON CONFLICT (rollout_id, idx) DO UPDATE SET "
    "reward = COALESCE(excluded.reward, events.reward), metadata = COALESCE(excluded.metadata, events.metadata), "
    "is_finished = CASE WHEN excluded.is_finished = 1 THEN 1 ELSE events.is_finished END "
    f"WHERE {_KNOWS_MORE}",
    "rollouts": f"INSERT INTO rollouts ({', '.join(_RO_COPY)}) VALUES ({', '.join('?' * len(_RO_COPY))}) "
    f"ON CONFLICT (id) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in _RO_COPY if c != 'id')} "
    f"WHERE {_FURTHER_ALONG}",
    "annotations": f"INSERT INTO annotations ({', '.join(_ANNOTATION_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(_ANNOTATION_COLUMNS))}) ON CONFLICT (id) DO UPDATE SET "
    "label = excluded.label, note = excluded.note, score = excluded.score, updated_at = excluded.updated_at "
    "WHERE excluded.updated_at > annotations.updated_at",
    "label_sets": "INSERT INTO label_sets (run_name, labels, author, updated_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (run_name) DO UPDATE SET labels = excluded.labels, author = excluded.author, "
    "updated_at = excluded.updated_at WHERE excluded.updated_at > label_sets.updated_at",
}


@dataclass
class CopyCounts:
    """Rows read from the source, and rows the destination took (new, or brought up to date)."""

    read: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES + ANNOTATION_TABLES, 0))
    written: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES + ANNOTATION_TABLES, 0))
    #: False when annotations and label sets were left out
    annotations: bool = True

    def summary(self) -> str:
        """One line per copy: what was read and what was new, per table."""
        names = {
            "runs": "run",
            "rollouts": "rollout",
            "events": "event",
            "blobs": "attachment",
            "annotations": "annotation",
            "label_sets": "label set",
        }
        tables = TABLES + ANNOTATION_TABLES if self.annotations else TABLES
        line = ", ".join(f"{count(self.read[t], names[t])} ({self.written[t]:,} new or updated)" for t in tables)
        return line if self.annotations else f"{line}; annotations left out"


class _Copy:
    """One copy: reads ``src`` in a snapshot, writes ``dst`` in transactions of whole rollouts."""

    def __init__(
        self,
        src: Store,
        dst: Store,
        chunk_events: int,
        page_size: int,
        progress: Callable[[CopyCounts], None] | None,
        annotations: bool,
    ) -> None:
        self.src, self.dst = src, dst
        self.chunk_events, self.page_size, self.progress = chunk_events, page_size, progress
        self.sql = {table: dst.translate(text) for table, text in _WRITE.items()}
        self.counts = CopyCounts(annotations=annotations)
        self.conn: Any = None

    def run(self) -> CopyCounts:
        self.conn = self.dst.connect()
        try:
            with self.src.snapshot():
                self._write({"runs": self.src.query(_READ["runs"])})
                self._blobs()
                self._rollouts()
                if self.counts.annotations:
                    self._annotations()
                    self._write({"label_sets": self.src.query(_READ["label_sets"])})
        finally:
            self.conn.close()
        return self.counts

    def _annotations(self) -> None:
        """Annotations of the rollouts copied, a page at a time (after their rollouts, which they refer to)."""
        after = ""
        while True:
            rows = self.src.query(self.src.translate(_READ["annotations"]), (after, self.page_size))
            self._write({"annotations": rows})
            if len(rows) < self.page_size:
                return
            after = rows[-1][0]

    def _write(self, rows: dict[str, list[tuple[Any, ...]]], *, all_written: tuple[str, ...] = ()) -> None:
        """Write rows of several tables in one transaction, in the order given, and count them.

        Rows of the tables in ``all_written`` count as written whatever the database reports.
        """
        with self.dst.transaction(self.conn) as cur:
            for table, table_rows in rows.items():
                self.counts.read[table] += len(table_rows)
                if table_rows:
                    cur.executemany(self.sql[table], table_rows)
                    changed = len(table_rows) if table in all_written else max(0, cur.rowcount)
                    self.counts.written[table] += changed
        if self.progress is not None:
            self.progress(self.counts)

    def _blobs(self) -> None:
        after = ""
        while True:
            rows = self.src.query(self.src.translate(_READ["blobs"]), (after, self.page_size))
            self._write({"blobs": rows})
            if len(rows) < self.page_size:
                return
            after = rows[-1][0]

    def _rollouts(self) -> None:
        """Rollouts the destination lacks or holds differently, with their events.

        A rollout's row goes in the transaction holding its last events. One the
        destination already had gets its aggregates rebuilt from the merged events.
        """
        done: list[tuple[Any, ...]] = []
        events: list[tuple[Any, ...]] = []
        merged: list[str] = []
        for page in self._source_pages():
            have = self._destination_rows([r["id"] for r in page])
            for rollout in page:
                row = tuple(rollout[c] for c in _RO_COPY)
                if have.get(row[0]) == row:  # already there, as it is here
                    self.counts.read["rollouts"] += 1
                    self.counts.read["events"] += rollout["n_events"]
                    continue
                start = 0
                while True:
                    rows = self.src.events_page(rollout["id"], start=start, limit=EVENT_PAGE, with_raw=True)
                    events.extend(tuple(r[c] for c in schema.EVENT_COLUMNS) for r in rows)
                    if len(events) >= self.chunk_events:
                        self._write_rollouts(done, events, merged)
                        done, events, merged = [], [], []
                    if len(rows) < EVENT_PAGE:
                        break
                    start = rows[-1]["idx"] + 1
                done.append(row)
                if row[0] in have:
                    merged.append(row[0])
        self._write_rollouts(done, events, merged)

    def _write_rollouts(
        self, rollouts: list[tuple[Any, ...]], events: list[tuple[Any, ...]], merged: list[str]
    ) -> None:
        if rollouts or events:  # every rollout sent is new or differs from the destination's
            self._write({"events": events, "rollouts": rollouts}, all_written=("rollouts",))
        if merged:
            self.dst.recompute(self.conn, merged)

    def _destination_rows(self, ids: list[str]) -> dict[str, tuple[Any, ...]]:
        sql = f"SELECT {', '.join(_RO_COPY)} FROM rollouts WHERE id IN ({', '.join('?' * len(ids))})"
        cur = self.conn.cursor()
        try:
            cur.execute(self.dst.translate(sql), ids)
            return {row[0]: tuple(row) for row in cur.fetchall()}
        finally:
            cur.close()

    def _source_pages(self) -> Iterator[list[dict[str, Any]]]:
        after = 0
        while page := self.src.rollouts_page(after_seq=after, limit=self.page_size):
            yield page
            after = page[-1]["seq"]


def copy_store(
    src: Store,
    dst: Store,
    *,
    chunk_events: int = 5_000,
    page_size: int = 500,
    progress: Callable[[CopyCounts], None] | None = None,
    annotations: bool = True,
) -> CopyCounts:
    """Copy runs, rollouts, events and attachments from ``src`` into ``dst``; returns the counts.

    Each transaction holds whole rollouts with their events (about ``chunk_events``
    events), so an interrupted copy leaves no half rollout behind and running it
    again finishes the job. ``progress`` is called with the counts after each one.
    ``annotations``: also copy the annotations and label sets (False: share the
    rollouts without what people wrote about them).
    """
    if src.url == dst.url:
        raise ValueError(f"source and destination are the same store ({src.url})")
    return _Copy(src, dst, chunk_events, page_size, progress, annotations).run()

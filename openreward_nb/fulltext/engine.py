"""Running a search: the index up to its mark, then a scan of the events after it, in ``seq`` order.

Every event the database returns is checked against the query in Python (the index narrows what
is read, a match is decided here), so the index, a scan and both backends give the same answer.
Reads happen in one snapshot: an event committed before the search began is found whether the
index holds it yet or not.

When the index lacks more than :data:`CATCH_UP_AT` events (a store upgraded with events in it,
a bulk copy, a writer that stopped before catching up) and the store can be written, the search
indexes them first, with its progress. A query the index cannot serve (one or two characters, a
regular expression without a literal part), or a store it cannot build one in (read-only, no FTS5
trigram tokenizer, no pg_trgm), is answered by a scan, with its progress.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import Any

from ..store.base import Store
from ..store.dbapi import close_quietly
from ..store.sqlite import SQLiteStore, cannot_write
from .hits import SELECT, Hit, hit_of
from .index import IndexState, SearchIndex, index_for
from .needles import AllOf, Need
from .query import Query

#: events the index may lack before a search indexes them first (fewer are scanned)
CATCH_UP_AT = 20_000
#: events read per query of a scan
SCAN_WINDOW = 4_000
#: candidates read per query of the index: the first page small (the first results come fast), then larger
FIRST_CANDIDATES, MAX_CANDIDATES = 100, 2_000

#: called with (what is being done: "indexing" or "scanning", done, total) in events
OnProgress = Callable[[str, int, int], None]


@dataclass
class Plan:
    """How a search reads the store: the index up to ``mark`` (0: not at all), then a scan; ``why`` a scan
    of everything is needed, when it is."""

    mark: int
    top: int
    why: str | None = None


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like_safe(text: str) -> bool:
    """True when SQLite's LIKE (case-insensitive for ASCII only) finds every text whose lowercase holds
    ``text`` lowercased: no character but ASCII ones has a case."""
    return all(ch.isascii() or ch.lower() == ch.upper() for ch in text)


class Searcher:
    """One query with its filters over one store."""

    def __init__(
        self,
        store: Store,
        query: Query,
        where: str = "1 = 1",
        params: tuple[Any, ...] = (),
        on_progress: OnProgress | None = None,
    ) -> None:
        self.store = store
        self.query = query
        self.where, self.params = where, params
        self.on_progress = on_progress
        self.index: SearchIndex = index_for(store)
        self._postgres = not isinstance(store, SQLiteStore)
        self._scan_filter, self._scan_params = self._scan_condition(query.scan_needles)
        self._plan: Plan | None = None

    # --- what a scan asks the database -------------------------------------------------------
    def _scan_condition(self, need: Need | None) -> tuple[str, list[Any]]:
        """SQL keeping the events a scan reads to those that may hold ``need`` (case-insensitive)."""
        if need is None:
            return "1 = 1", []
        if isinstance(need, str):
            if not self._postgres and not _like_safe(need):
                return "1 = 1", []
            op = "ILIKE" if self._postgres else "LIKE"
            pattern = f"%{_like_escape(need)}%"
            fields = " OR ".join(f"e.{f} {op} ? ESCAPE '\\'" for f in ("content", "summary", "name"))
            return f"({fields})", [pattern] * 3
        parts = [self._scan_condition(p) for p in need.parts]
        if isinstance(need, AllOf):
            kept = [(sql, params) for sql, params in parts if sql != "1 = 1"]
            if not kept:
                return "1 = 1", []
            return "(" + " AND ".join(s for s, _ in kept) + ")", [p for _, ps in kept for p in ps]
        if any(sql == "1 = 1" for sql, _ in parts):
            return "1 = 1", []
        return "(" + " OR ".join(s for s, _ in parts) + ")", [p for _, ps in parts for p in ps]

    # --- planning ------------------------------------------------------------------------------
    @property
    def scanned_because(self) -> str | None:
        """Why this search reads every event rather than the index (None when it uses the index)."""
        return self.ready().why

    def ready(self) -> Plan:
        """The plan, made once: call it before opening a snapshot around :meth:`batches` (catching
        up writes to the store, which a snapshot opened before would not see)."""
        if self._plan is None:
            self._plan = self._make_plan()
        return self._plan

    def _make_plan(self) -> Plan:
        """Catch the index up first when it lacks much and the store can be written; then how to read."""
        index, needles = self.index, self.query.needles
        if needles is None:
            return Plan(
                0,
                self._top(),
                "the query is too short for the index (three characters or more)"
                if not self.query.regex
                else "the regular expression has no literal part of three characters or more",
            )
        state = index.state()
        if index.unavailable is None and state.missing > CATCH_UP_AT:
            self._catch_up(state)
            state = index.state()
        if index.unavailable is not None:
            return Plan(0, state.top, index.unavailable)
        if not state.built:
            why = (
                None
                if state.top <= CATCH_UP_AT
                else "the search index is not built and this store cannot be written here"
            )
            return Plan(0, state.top, why)
        return Plan(state.mark, state.top)

    def _top(self) -> int:
        return int(self.store.query("SELECT COALESCE(MAX(seq), 0) FROM events")[0][0])

    def _catch_up(self, state: IndexState) -> None:
        conn = _writable_connection(self.store)
        if conn is None:
            return
        progress = self.on_progress

        def step(done: int, total: int) -> None:
            if progress is not None:
                progress("indexing", done, total)

        try:
            self.index.catch_up(conn, state.missing, step)
        except Exception as exc:  # the store would not take it now (locked, read-only role...): scan instead
            warnings.warn(
                f"openreward_nb: could not bring the search index up to date ({type(exc).__name__}: {exc}); "
                "this search reads the events it lacks",
                RuntimeWarning,
                stacklevel=4,
            )
        finally:
            close_quietly(conn)

    # --- reading ---------------------------------------------------------------------------------
    def batches(self, after: int = 0) -> Generator[list[Hit], None, None]:
        """Hits in ``seq`` order after ``after``, a database page at a time (a batch may be empty:
        a scan reports its progress between them, and a consumer may stop at any one)."""
        plan = self.ready()
        with self.store.snapshot():
            mark = 0
            if plan.mark > 0:  # as this snapshot has it (writers may have moved it on since the plan)
                state = self.index.state()
                mark = state.mark if state.built else 0
            top = self._top()
            if mark > after and self.query.needles is not None:
                yield from self._indexed(self.query.needles, after, mark)
            announce = plan.why is not None or top - max(after, mark) > SCAN_WINDOW
            yield from self._scan(max(after, mark), top, announce=announce)

    def _indexed(self, needles: Need, after: int, upto: int) -> Iterator[list[Hit]]:
        size = FIRST_CANDIDATES
        while True:
            rows = self.index.candidates(needles, SELECT, self.where, self.params, after, upto, size)
            yield self._hits(rows)
            if len(rows) < size:
                return
            after = rows[-1][0]
            size = min(MAX_CANDIDATES, size * 4)

    def _scan(self, after: int, top: int, *, announce: bool) -> Iterator[list[Hit]]:
        sql = self.store.translate(
            f"SELECT {SELECT} FROM events e JOIN rollouts r ON r.id = e.rollout_id "
            f"WHERE e.seq > ? AND e.seq <= ? AND {self.where} AND {self._scan_filter} ORDER BY e.seq"
        )
        start = at = after
        if announce and self.on_progress is not None:
            self.on_progress("scanning", 0, top - start)
        while at < top:
            upto = min(top, at + SCAN_WINDOW)
            rows = self.store.query(sql, (at, upto, *self.params, *self._scan_params))
            at = upto
            if announce and self.on_progress is not None:
                self.on_progress("scanning", at - start, top - start)
            yield self._hits(rows)

    def _hits(self, rows: list[tuple[Any, ...]]) -> list[Hit]:
        found = (hit_of(row, self.query) for row in rows)
        return [hit for hit in found if hit is not None]

    def rollout_hits(self, rollout_ids: list[str]) -> Iterator[Hit]:
        """Every hit in these rollouts (read by rollout, whatever the index holds)."""
        marks = ", ".join("?" * len(rollout_ids))
        sql = self.store.translate(
            f"SELECT {SELECT} FROM events e JOIN rollouts r ON r.id = e.rollout_id "
            f"WHERE e.rollout_id IN ({marks}) AND {self.where} AND {self._scan_filter} ORDER BY e.seq"
        )
        for row in self.store.query(sql, (*rollout_ids, *self.params, *self._scan_params)):
            hit = hit_of(row, self.query)
            if hit is not None:
                yield hit


def _writable_connection(store: Store) -> Any | None:
    """A connection that may write ``store`` (a store opened for reading is reopened for writing when
    its file can be written), or None."""
    if isinstance(store, SQLiteStore) and store.read_only:
        if store.immutable or cannot_write(store.path) is not None:
            return None
        try:
            return SQLiteStore(store.path).connect()
        except Exception:
            return None
    try:
        return store.connect()
    except Exception:
        return None

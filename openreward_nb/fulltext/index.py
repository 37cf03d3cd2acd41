"""The search index of a store, read and kept current by ``seq`` (events are numbered in commit order).

``search_state.mark`` says how far the index has read the events table: every event with
``seq <= mark`` is in it, every later one is not. Indexing a slice of events and moving the mark
happen in one transaction, so a reader's snapshot always sees an index and a mark that agree; a
search reads the index up to the mark and scans the events after it (see :mod:`.engine`).

Nothing is indexed while an event is recorded: indexing trigram text costs more than writing the
event, so writers index in their idle time (:func:`keep_current`, a slice of about
:data:`UPKEEP_SLICE_S` at a time) and a search catches up when much is missing.

- SQLite: an FTS5 table with the trigram tokenizer (case-insensitive), contentless (the text is
  not stored twice) and without positions (``detail=none``: a third of the size; the events it
  returns are checked against the query anyway).
- PostgreSQL: pg_trgm needs the text in a column, so ``search_text`` holds a copy keyed by
  ``seq`` with a GIN index. pg_trgm makes trigrams of letters and digits only; ASCII punctuation
  is spelled with letters in that copy (and in the query), so ``flag{`` or ``rm -rf /`` narrow
  the search as well as words do. A bulk build indexes the copy once it is filled.
"""

from __future__ import annotations

import sqlite3
import string
import threading
import time
import weakref
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..store.base import Store
from ..store.sqlite import SQLiteStore
from .needles import AllOf, Need
from .text import INDEXED_TEXT_SQL, MIN_INDEXED

#: seconds of indexing a writer does at a time in its idle time
UPKEEP_SLICE_S = 0.05
#: events indexed per transaction when a search catches up (a SQLite writer waits for one at most)
CATCH_UP_SLICE = 5_000
#: trigrams of one needle asked of the index (more narrow little more, and cost a doclist each)
MAX_TRIGRAMS = 12
#: how long a writer's slice waits for a lock (PostgreSQL) before leaving the work for later: never
#: long enough to be part of a deadlock (PostgreSQL looks for one after a second)
UPKEEP_LOCK_TIMEOUT = "200ms"

#: called with (events indexed so far, events to index)
OnProgress = Callable[[int, int], None]


@dataclass(frozen=True)
class IndexState:
    """What a reader's snapshot says of the index: ``mark`` (events with ``seq <= mark`` are in it),
    ``kept`` (writers keep it current), ``built`` (it exists and can answer) and ``top`` (the largest seq)."""

    mark: int
    kept: bool
    built: bool
    top: int

    @property
    def missing(self) -> int:
        """Events the index lacks (about: seqs may have gaps)."""
        return max(0, self.top - self.mark) if self.built else self.top


class SearchIndex(ABC):
    """One store's index: its state, its upkeep and the candidate events it gives for needles."""

    #: what the index is, for messages
    kind: str

    def __init__(self, store: Store) -> None:
        self.store = store
        #: why this store cannot have an index (no FTS5 trigram tokenizer, no pg_trgm), once known
        self.unavailable: str | None = None
        self._slice_rows = 256
        self._lock = threading.Lock()

    # --- reading: on the store's reader, inside a snapshot --------------------------------
    def state(self) -> IndexState:
        rows = self.store.query(self.store.translate("SELECT mark, kept FROM search_state WHERE name = ?"), ("events",))
        top = self.store.query("SELECT COALESCE(MAX(seq), 0) FROM events")[0][0]
        mark, kept = (int(rows[0][0]), bool(rows[0][1])) if rows else (0, False)
        built = self.built()
        return IndexState(mark if built else 0, kept, built, int(top))

    @abstractmethod
    def built(self) -> bool:
        """True when the index exists and can answer."""

    @abstractmethod
    def candidates(
        self, need: Need, select: str, where: str, params: Sequence[Any], after: int, upto: int, limit: int
    ) -> list[tuple[Any, ...]]:
        """Rows of ``SELECT {select}`` (events ``e`` joined to rollouts ``r``, ``seq`` first) of indexed
        events holding ``need``, with ``after < seq <= upto`` and ``where``, in ``seq`` order, at most ``limit``."""

    @abstractmethod
    def size_bytes(self) -> int:
        """Bytes the index takes in the store."""

    # --- writing: on a connection of the caller's ----------------------------------------
    def keep_current(self, conn: Any) -> bool:
        """The writer's idle-time work: index a slice of about :data:`UPKEEP_SLICE_S` if writers keep the
        index; True while more is left."""
        if self.unavailable is not None:
            return False
        started = time.monotonic()
        indexed, more = self.index_slice(conn, self._slice_rows, adopt=False)
        took = time.monotonic() - started
        if indexed >= self._slice_rows and took > 0:  # a full slice: aim the next at the budget
            self._slice_rows = max(32, min(CATCH_UP_SLICE, int(self._slice_rows * UPKEEP_SLICE_S / took)))
        return more

    def catch_up(self, conn: Any, missing: int, on_progress: OnProgress | None = None) -> None:
        """Index everything not yet indexed, in slices, and have writers keep the index from now on."""
        done = 0
        more = True
        if on_progress is not None:
            on_progress(0, missing)
        while more:
            indexed, more = self.index_slice(conn, CATCH_UP_SLICE, adopt=True)
            done += indexed
            if on_progress is not None:
                on_progress(done, max(done, missing))
        self.finish_build(conn)

    def index_slice(self, conn: Any, rows: int, *, adopt: bool) -> tuple[int, bool]:
        """Index up to ``rows`` events past the mark in one transaction: (events indexed, more left).

        Only when writers keep the index, unless ``adopt`` (a search building it), which also
        makes them keep it from then on.
        """
        with self._lock:
            try:
                return self._slice(conn, rows, adopt)
            except Exception as exc:
                reason = self.missing_feature(exc)
                if reason is None:
                    raise
                self.unavailable = reason
                return 0, False

    @abstractmethod
    def _slice(self, conn: Any, rows: int, adopt: bool) -> tuple[int, bool]: ...

    def missing_feature(self, exc: BaseException) -> str | None:
        """Why the index cannot exist here, when ``exc`` says the database lacks what it needs."""
        return None

    def finish_build(self, conn: Any) -> None:  # noqa: B027 - a hook: the PostgreSQL index is built last
        """After catching up: what makes the index answer (PostgreSQL: its GIN index)."""


def _count_indexed(cur: Any, select_bound: str, params: tuple[Any, ...]) -> tuple[int | None, int]:
    cur.execute(select_bound, params)
    row = cur.fetchone()
    return (None if row is None or row[0] is None else int(row[0])), int(row[1] if row else 0)


# --- SQLite -------------------------------------------------------------------------------------
_FTS_DDL = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(text, content='', tokenize='trigram case_sensitive 0', "
    "detail=none, columnsize=0)"
)
_STATE = "SELECT mark, kept FROM search_state WHERE name = 'events'"
_SET_STATE = "UPDATE search_state SET mark = ?, kept = ? WHERE name = 'events'"


def fts_phrase(text: str) -> str:
    """A needle as an FTS5 query on the trigram index: its trigrams (at most :data:`MAX_TRIGRAMS`,
    first and last among them), each quoted, all required."""
    grams: list[str] = []
    seen: set[str] = set()
    for at in range(len(text) - MIN_INDEXED + 1):
        gram = text[at : at + MIN_INDEXED]
        if gram.lower() not in seen:
            seen.add(gram.lower())
            grams.append(gram)
    if len(grams) > MAX_TRIGRAMS:
        step = (len(grams) - 1) / (MAX_TRIGRAMS - 1)
        grams = [grams[round(i * step)] for i in range(MAX_TRIGRAMS)]
    return "(" + " AND ".join('"' + g.replace('"', '""') + '"' for g in grams) + ")"


def fts_query(need: Need) -> str:
    """A needle tree as an FTS5 query."""
    if isinstance(need, str):
        return fts_phrase(need)
    joiner = " AND " if isinstance(need, AllOf) else " OR "
    return "(" + joiner.join(fts_query(p) for p in need.parts) + ")"


class SQLiteIndex(SearchIndex):
    """An FTS5 trigram table, ``rowid`` = the event's ``seq``."""

    kind = "SQLite FTS5 trigram index"

    def built(self) -> bool:
        return bool(self.store.query("SELECT 1 FROM sqlite_master WHERE name = 'search_fts'"))

    def _slice(self, conn: Any, rows: int, adopt: bool) -> tuple[int, bool]:
        with self.store.transaction(conn) as cur:
            cur.execute(_STATE)
            state = cur.fetchone()
            if state is None or not (state[1] or adopt):
                return 0, False
            mark = int(state[0])
            cur.execute("SELECT 1 FROM sqlite_master WHERE name = 'search_fts'")
            if cur.fetchone() is None:
                cur.execute(_FTS_DDL)
                mark = 0
            elif mark == 0:  # nothing is indexed by the mark's account: the table holds nothing either
                cur.execute("INSERT INTO search_fts (search_fts) VALUES ('delete-all')")
            bound, found = _count_indexed(
                cur,
                "SELECT MAX(seq), COUNT(*) FROM (SELECT seq FROM events WHERE seq > ? ORDER BY seq LIMIT ?)",
                (mark, rows),
            )
            if bound is not None:
                cur.execute(
                    f"INSERT INTO search_fts (rowid, text) SELECT seq, {INDEXED_TEXT_SQL} FROM events "
                    "WHERE seq > ? AND seq <= ? ORDER BY seq",
                    (mark, bound),
                )
            cur.execute(_SET_STATE, (bound if bound is not None else mark, 1 if adopt else int(state[1])))
            return found, found >= rows

    def missing_feature(self, exc: BaseException) -> str | None:
        text = str(exc)
        if isinstance(exc, sqlite3.OperationalError) and ("fts5" in text or "tokenizer" in text):
            return (
                f"this SQLite ({sqlite3.sqlite_version}) has no FTS5 trigram tokenizer (3.34 or later has it): {text}"
            )
        return None

    def candidates(
        self, need: Need, select: str, where: str, params: Sequence[Any], after: int, upto: int, limit: int
    ) -> list[tuple[Any, ...]]:
        sql = (
            f"SELECT {select} FROM search_fts f JOIN events e ON e.seq = f.rowid JOIN rollouts r ON r.id = e.rollout_id "
            f"WHERE search_fts MATCH ? AND f.rowid > ? AND f.rowid <= ? AND {where} ORDER BY f.rowid LIMIT ?"
        )
        return self.store.query(sql, (fts_query(need), after, upto, *params, limit))

    def size_bytes(self) -> int:
        try:
            rows = self.store.query(
                "SELECT SUM(pgsize) FROM dbstat WHERE name IN ('search_fts_data', 'search_fts_idx')"
            )
        except sqlite3.OperationalError:  # no dbstat in this SQLite: the bytes of the index's segments
            rows = self.store.query("SELECT SUM(length(block)) FROM search_fts_data")
        return int(rows[0][0] or 0)


# --- PostgreSQL -------------------------------------------------------------------------------
#: ASCII punctuation, and the letters that spell it in the indexed copy (IPA letters: lowercase,
#: letters to pg_trgm, and seldom in rollouts; one that is there only widens what is read)
PUNCTUATION = string.punctuation
SPELLING = "ɐɑɒɓɔɕɖɗɘəɚɛɜɝɞɟɠɡɢɣɤɥɦɧɨɩɪɫɬɭɮɯ"
_SPELL = str.maketrans(PUNCTUATION, SPELLING)


def _spelled_sql(expr: str) -> str:
    """``expr`` with ASCII punctuation spelled, in SQL: one ``replace`` per character (a tenth of what
    ``translate`` takes on UTF-8 text); ``chr`` names each, so no ``%`` or quote is in the SQL."""
    for mark, letter in zip(PUNCTUATION, SPELLING, strict=True):
        expr = f"replace({expr}, chr({ord(mark)}), '{letter}')"
    return expr


#: the text the PostgreSQL index holds for an event (``events`` columns, unqualified)
SPELLED_TEXT_SQL = _spelled_sql(INDEXED_TEXT_SQL)


def spelled(text: str) -> str:
    """``text`` as the PostgreSQL index holds it: ASCII punctuation spelled with letters."""
    return text.translate(_SPELL)


def ilike_tree(need: Need, params: list[Any]) -> str:
    """A needle tree as ILIKE conditions on ``s.text`` (appending their patterns to ``params``)."""
    if isinstance(need, str):
        params.append(f"%{spelled(need)}%")  # spelled: no % _ or \\ left to escape
        return "s.text ILIKE ?"
    joiner = " AND " if isinstance(need, AllOf) else " OR "
    return "(" + joiner.join(ilike_tree(p, params) for p in need.parts) + ")"


class PostgresIndex(SearchIndex):
    """``search_text (seq, text)``: each event's text with punctuation spelled, under a pg_trgm GIN index."""

    kind = "PostgreSQL pg_trgm GIN index"

    def built(self) -> bool:
        return bool(self.store.query("SELECT to_regclass('search_text_trgm') IS NOT NULL")[0][0])

    def _safe_bound(self, conn: Any, lock_timeout: str) -> int | None:
        """The largest seq no transaction still in flight can write below (None when writers held it
        too long): every write transaction holds the writes lock shared (store.postgres), so once this
        takes it, those that began before have ended."""
        import psycopg

        from ..store.postgres import WRITES_LOCK_KEY

        try:
            with conn.transaction():
                conn.execute(f"SET LOCAL lock_timeout = '{lock_timeout}'")
                conn.execute(
                    "SELECT pg_advisory_xact_lock(%s, hashtext(COALESCE(current_schema(), '')))", (WRITES_LOCK_KEY,)
                )
                return int(conn.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()[0])
        except psycopg.errors.LockNotAvailable:
            return None

    def _slice(self, conn: Any, rows: int, adopt: bool) -> tuple[int, bool]:
        state = conn.execute(_STATE).fetchone()
        if state is None or not (state[1] or adopt):
            return 0, False
        self._ensure(conn)
        bound = self._safe_bound(conn, "2s" if adopt else UPKEEP_LOCK_TIMEOUT)
        if bound is None:
            return 0, False  # writers kept it busy: another time
        with self.store.transaction(conn) as cur:
            if not adopt:
                cur.execute(f"SET LOCAL lock_timeout = '{UPKEEP_LOCK_TIMEOUT}'")
            cur.execute(_STATE + " FOR UPDATE")
            mark, kept = cur.fetchone()
            upto, found = _count_indexed(
                cur,
                "SELECT MAX(seq), COUNT(*) FROM (SELECT seq FROM events WHERE seq > %s AND seq <= %s "
                "ORDER BY seq LIMIT %s) x",
                (mark, bound, rows),
            )
            if upto is not None:
                cur.execute(
                    f"INSERT INTO search_text (seq, text) SELECT seq, {SPELLED_TEXT_SQL} "
                    "FROM events WHERE seq > %s AND seq <= %s",
                    (mark, upto),
                )
            more = found >= rows
            new_mark = upto if more else max(int(mark), bound)  # a slice not full: everything up to the bound is in
            cur.execute(self.store.translate(_SET_STATE), (new_mark, 1 if adopt else int(kept)))
            return found, more

    def _ensure(self, conn: Any) -> None:
        """pg_trgm and the copy's table (its GIN index comes once it is filled: :meth:`finish_build`)."""
        if conn.execute("SELECT to_regclass('search_text')").fetchone()[0] is not None:
            return
        _create_pg_trgm(conn)
        with self.store.transaction(conn) as cur:
            cur.execute("CREATE TABLE IF NOT EXISTS search_text (seq BIGINT NOT NULL, text TEXT NOT NULL)")
            cur.execute("CREATE INDEX IF NOT EXISTS search_text_seq ON search_text (seq)")
            cur.execute("UPDATE search_state SET mark = 0 WHERE name = 'events'")
            cur.execute("DELETE FROM search_text")

    def finish_build(self, conn: Any) -> None:
        import psycopg

        if self.unavailable is not None:
            return
        found = conn.execute(
            "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'"
        ).fetchone()
        if found is None:
            return
        opclass = f"{psycopg.sql.Identifier(found[0]).as_string(conn)}.gin_trgm_ops"
        try:
            conn.execute("SET maintenance_work_mem = '256MB'")
            conn.execute(f"CREATE INDEX IF NOT EXISTS search_text_trgm ON search_text USING gin (text {opclass})")
        except (psycopg.errors.UniqueViolation, psycopg.errors.DuplicateTable):
            pass  # another process built it at the same time
        finally:
            conn.execute("RESET maintenance_work_mem")
        conn.execute("ANALYZE search_text")

    def keep_current(self, conn: Any) -> bool:
        more = super().keep_current(conn)
        if not more and self.unavailable is None and not self._has_gin(conn) and self._kept(conn):
            self.finish_build(conn)  # a store created empty: its (small) copy is indexed now
        return more

    def _has_gin(self, conn: Any) -> bool:
        return conn.execute("SELECT to_regclass('search_text_trgm')").fetchone()[0] is not None

    def _kept(self, conn: Any) -> bool:
        row = conn.execute(_STATE).fetchone()
        return bool(row and row[1])

    def missing_feature(self, exc: BaseException) -> str | None:
        import psycopg

        if isinstance(exc, psycopg.Error) and exc.sqlstate in ("42501", "58P01", "0A000", "42704"):
            return (
                "the pg_trgm extension is not available to this role in this database "
                f"({' '.join(str(exc).split())}); an administrator can run: CREATE EXTENSION pg_trgm"
            )
        return None

    def candidates(
        self, need: Need, select: str, where: str, params: Sequence[Any], after: int, upto: int, limit: int
    ) -> list[tuple[Any, ...]]:
        patterns: list[Any] = []
        cond = ilike_tree(need, patterns)
        sql = (
            f"SELECT {select} FROM search_text s JOIN events e ON e.seq = s.seq JOIN rollouts r ON r.id = e.rollout_id "
            f"WHERE {cond} AND s.seq > ? AND s.seq <= ? AND {where} ORDER BY s.seq LIMIT ?"
        )
        return self.store.query(self.store.translate(sql), (*patterns, after, upto, *params, limit))

    def size_bytes(self) -> int:
        rows = self.store.query("SELECT COALESCE(pg_total_relation_size(to_regclass('search_text_trgm')), 0)")
        return int(rows[0][0])

    def copy_bytes(self) -> int:
        """Bytes of the text copy the GIN index is built on (its table, without the GIN index)."""
        rows = self.store.query(
            "SELECT COALESCE(pg_total_relation_size(to_regclass('search_text')), 0) "
            "- COALESCE(pg_total_relation_size(to_regclass('search_text_trgm')), 0)"
        )
        return int(rows[0][0])


def _create_pg_trgm(conn: Any) -> None:
    """pg_trgm in the database, in ``public`` where it can be (where others find it, and where a schema
    dropped with its objects does not take it along), else where the role's search path says."""
    import psycopg

    if conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'").fetchone() is not None:
        return
    for statement in ("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public", "CREATE EXTENSION IF NOT EXISTS pg_trgm"):
        try:
            conn.execute(statement)
            return
        except psycopg.errors.UniqueViolation:
            return  # another session created it at the same moment
        except (psycopg.errors.InvalidSchemaName, psycopg.errors.InsufficientPrivilege):
            if statement.endswith("pg_trgm"):
                raise


_INDEXES: weakref.WeakKeyDictionary[Store, SearchIndex] = weakref.WeakKeyDictionary()
_INDEXES_LOCK = threading.Lock()


def index_for(store: Store) -> SearchIndex:
    """The index of ``store`` (one object per store, remembering what it learned)."""
    with _INDEXES_LOCK:
        found = _INDEXES.get(store)
        if found is None:
            found = _INDEXES[store] = SQLiteIndex(store) if isinstance(store, SQLiteStore) else PostgresIndex(store)
        return found


def keep_current(store: Store, conn: Any) -> bool:
    """For a store's writer in its idle time: index a short slice of what is new; True while more is left."""
    return index_for(store).keep_current(conn)

"""The SQL every backend shares: migrations, the batched write, and the read queries.

Backends (SQLite, PostgreSQL) supply connections, error classification and a few
dialect details (hooks below); statements are written once with ``?`` placeholders and
translated.
"""

from __future__ import annotations

import re
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar, Literal, TypeVar

from ..errors import AmbiguousIdError
from ..events import model_side_sql
from . import raw_codec, schema
from .dbapi import fetch
from .ops import BatchPlan

_EV_COLS = ", ".join(schema.EVENT_COLUMNS)
_RO_COLS = ", ".join(schema.ROLLOUT_INSERT_COLUMNS)

#: every column of a rollouts row, in table order: those written at creation, then the kept-current ones
ROLLOUT_COLUMNS: tuple[str, ...] = (
    "seq",
    *(c for c in schema.ROLLOUT_INSERT_COLUMNS if c != "created_at"),
    "status",
    "error",
    "created_at",
    "ended_at",
    "last_event_at",
    "n_events",
    "n_tool_calls",
    "n_turns",
    "n_errors",
    "total_reward",
    "final_reward",
    "max_reward",
    "is_finished",
    "model",
    *schema.TOKEN_COLUMNS,
)
_RO_SELECT = ", ".join(ROLLOUT_COLUMNS)

RUN_COLUMNS: tuple[str, ...] = (
    "name",
    "created_at",
    "n_rollouts",
    "n_running",
    "n_finished",
    "n_failed",
    "n_events",
    "mean_reward",
    "last_event_at",
)

_SQL = {
    "insert_run": "INSERT INTO runs (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
    "insert_rollout": f"INSERT INTO rollouts ({_RO_COLS}) VALUES ({', '.join('?' * len(schema.ROLLOUT_INSERT_COLUMNS))}) "
    "ON CONFLICT (id) DO NOTHING",
    "insert_event": f"INSERT INTO events ({_EV_COLS}) VALUES ({', '.join('?' * len(schema.EVENT_COLUMNS))})",
    "insert_blob": "INSERT INTO blobs (sha256, mime, size, data) VALUES (?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING",
    "update_aggregates": """UPDATE rollouts SET
        n_events = n_events + :n_events,
        n_tool_calls = n_tool_calls + :n_tool_calls,
        n_turns = n_turns + :n_turns,
        n_errors = n_errors + :n_errors,
        total_reward = CASE WHEN :has_reward = 1 THEN COALESCE(total_reward, 0) + :reward_sum ELSE total_reward END,
        final_reward = COALESCE(:final_reward, final_reward),
        max_reward = CASE WHEN :has_reward = 1 AND (max_reward IS NULL OR max_reward < :max_reward)
                     THEN :max_reward ELSE max_reward END,
        is_finished = CASE WHEN :finished = 1 THEN 1 ELSE is_finished END,
        status = CASE WHEN :finished = 1 AND status = 'running' THEN 'finished' ELSE status END,
        last_event_at = CASE WHEN last_event_at IS NULL OR last_event_at < :last_event_at
                        THEN :last_event_at ELSE last_event_at END,
        model = COALESCE(model, :model),
        input_tokens = input_tokens + :input_tokens,
        output_tokens = output_tokens + :output_tokens,
        reasoning_tokens = reasoning_tokens + :reasoning_tokens,
        cached_tokens = cached_tokens + :cached_tokens,
        cache_write_tokens = cache_write_tokens + :cache_write_tokens
        WHERE id = :id""",
    "update_info": "UPDATE rollouts SET rollout_info = :rollout_info WHERE id = :id",
    "update_end": "UPDATE rollouts SET status = :status, error = COALESCE(:error, error), ended_at = :ended_at WHERE id = :id",
    "patch_event": """UPDATE events SET reward = COALESCE(:reward, reward),
        is_finished = CASE WHEN :finished = 1 THEN 1 ELSE is_finished END,
        metadata = COALESCE(:metadata, metadata) WHERE rollout_id = :rollout_id AND idx = :idx""",
    "recompute": """UPDATE rollouts SET
        n_events = (SELECT COUNT(*) FROM events e WHERE e.rollout_id = rollouts.id),
        n_tool_calls = (SELECT COUNT(*) FROM events e WHERE e.rollout_id = rollouts.id AND e.type = 'tool_call'),
        n_errors = (SELECT COUNT(*) FROM events e WHERE e.rollout_id = rollouts.id AND e.is_error = 1),
        n_turns = (SELECT COUNT(*) FROM (
            SELECT e.type AS t, LAG(e.type) OVER (ORDER BY e.idx) AS p FROM events e WHERE e.rollout_id = rollouts.id
        ) w WHERE w.t IN {model_side}
              AND (w.p IS NULL OR w.p NOT IN {model_side})),
        total_reward = (SELECT SUM(e.reward) FROM events e WHERE e.rollout_id = rollouts.id),
        max_reward = (SELECT MAX(e.reward) FROM events e WHERE e.rollout_id = rollouts.id),
        final_reward = (SELECT e.reward FROM events e WHERE e.rollout_id = rollouts.id AND e.reward IS NOT NULL
                        ORDER BY e.idx DESC LIMIT 1),
        is_finished = COALESCE((SELECT MAX(e.is_finished) FROM events e WHERE e.rollout_id = rollouts.id), 0),
        status = CASE WHEN status = 'running' AND
                 COALESCE((SELECT MAX(e.is_finished) FROM events e WHERE e.rollout_id = rollouts.id), 0) = 1
                 THEN 'finished' ELSE status END,
        last_event_at = (SELECT MAX(e.ts) FROM events e WHERE e.rollout_id = rollouts.id),
        model = COALESCE(model, (SELECT e.model FROM events e WHERE e.rollout_id = rollouts.id
                                 AND e.model IS NOT NULL ORDER BY e.idx LIMIT 1)),
        input_tokens = COALESCE((SELECT SUM(e.input_tokens) FROM events e WHERE e.rollout_id = rollouts.id), 0),
        output_tokens = COALESCE((SELECT SUM(e.output_tokens) FROM events e WHERE e.rollout_id = rollouts.id), 0),
        reasoning_tokens = COALESCE((SELECT SUM(e.reasoning_tokens) FROM events e WHERE e.rollout_id = rollouts.id), 0),
        cached_tokens = COALESCE((SELECT SUM(e.cached_tokens) FROM events e WHERE e.rollout_id = rollouts.id), 0),
        cache_write_tokens = COALESCE((SELECT SUM(e.cache_write_tokens) FROM events e
                                       WHERE e.rollout_id = rollouts.id), 0)
        WHERE id = ?""".format(model_side=model_side_sql()),
    "list_runs": """SELECT r.name, r.created_at, COUNT(o.id),
        COALESCE(SUM(CASE WHEN o.status = 'running' THEN 1 ELSE 0 END), 0),
        COALESCE(SUM(CASE WHEN o.status = 'finished' THEN 1 ELSE 0 END), 0),
        COALESCE(SUM(CASE WHEN o.status = 'failed' THEN 1 ELSE 0 END), 0),
        COALESCE(SUM(o.n_events), 0), AVG(o.total_reward), MAX(o.last_event_at)
        FROM runs r LEFT JOIN rollouts o ON o.run_name = r.name
        {where} GROUP BY r.name, r.created_at ORDER BY r.created_at, r.name""",
    "run_names": "SELECT name FROM runs ORDER BY created_at, name",
    "rollouts_page": f"SELECT {_RO_SELECT} FROM rollouts WHERE {{where}} seq > ? ORDER BY seq LIMIT ?",
    "rollout_by_id": f"SELECT {_RO_SELECT} FROM rollouts WHERE id = ?",
    "rollout_by_prefix": f"SELECT {_RO_SELECT} FROM rollouts WHERE id LIKE ? ORDER BY seq LIMIT 2",
    "events_page": "SELECT {cols} FROM events WHERE rollout_id = ? AND idx >= ? AND idx < ? {types} ORDER BY idx LIMIT ?",
    "event_raw": f"SELECT raw, {', '.join(raw_codec.REF_COLUMNS)} FROM events WHERE rollout_id = ? AND idx = ?",
    "blob": "SELECT mime, data FROM blobs WHERE sha256 = ?",
    "status": "SELECT status, n_events FROM rollouts WHERE id = ?",
}

EVENT_READ_COLUMNS: tuple[str, ...] = tuple(c for c in schema.EVENT_COLUMNS if c != "raw")

#: identifies one batch of writes across retries: (writer id, batch number, increasing per writer)
BatchToken = tuple[str, int]
#: what a failed write says about the store: ``transient`` (locked, busy, connection lost, disk
#: full: retrying may succeed), ``permanent`` (corrupt, read-only, schema missing: it will not
#: pass by itself) or ``refused`` (this data is what the store will not take: a duplicate, a
#: value out of range)
Fault = Literal["transient", "permanent", "refused"]
#: told when a write reaches a point (see :meth:`Store.write`)
Callback = Callable[[], None]
T = TypeVar("T")
_NAMED_PARAM = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


class Store(ABC):
    """A place rollouts are kept: a SQLite file or a PostgreSQL database."""

    #: the URL this store was opened from, shown in messages (never with a password)
    url: str
    #: markers filled into migrations for this dialect
    ddl_markers: ClassVar[dict[str, str]] = {}
    placeholder = "?"
    #: tables this backend needs for its own bookkeeping, created if missing when the store opens
    bookkeeping_ddl: tuple[str, ...] = ()
    #: seconds a write may keep failing (and be retried) before waiting flushes fail
    retry_deadline: float = 0.0
    #: statement that starts a write transaction
    begin_sql = "BEGIN"
    #: statement that starts a read-only transaction seeing one consistent state
    snapshot_sql = "BEGIN"
    #: how reads join a rollout ``r`` to its events ``e`` (aliases kept)
    events_join_sql = "JOIN events e ON e.rollout_id = r.id"

    def __init__(self, url: str) -> None:
        self.url = url
        self._local = threading.local()
        self._sql = {k: self.translate(v) for k, v in _SQL.items()}

    # --- backend hooks -------------------------------------------------------------------
    @abstractmethod
    def connect(self, *, one_pass: bool = False) -> Any:
        """Open a new DB-API connection (autocommit; transactions are explicit).

        ``one_pass``: for a connection that touches most pages once (the writer appending batches,
        an upload reading events in order), which then keeps a small page cache where the backend
        has one in the process: a larger cache would only hold pages never read again.
        """

    @contextmanager
    def transaction(self, conn: Any) -> Iterator[Any]:
        """A write transaction yielding a cursor; commits on success, rolls back on error."""
        cur = conn.cursor()
        try:
            cur.execute(self.begin_sql)
            yield cur
            cur.execute("COMMIT")
        except BaseException:
            if not self.is_broken(conn):
                try:
                    conn.execute("ROLLBACK")
                except Exception:
                    pass
            raise
        finally:
            cur.close()

    @abstractmethod
    def classify(self, exc: BaseException) -> Fault:
        """What a failed write says: ``transient``, ``permanent`` or ``refused`` (see :data:`Fault`)."""

    def is_transient(self, exc: BaseException) -> bool:
        """True when a failed write may succeed if retried soon (locked, busy, disk full, connection lost)."""
        return self.classify(exc) == "transient"

    @abstractmethod
    def describe_error(self, exc: BaseException) -> str:
        """One line saying what went wrong, for messages."""

    def is_broken(self, conn: Any) -> bool:
        """True when ``conn`` lost its link to the database and must be replaced."""
        return False

    def lock_schema(self, cur: Any) -> None:  # noqa: B027 - a hook: only shared servers need the lock
        """Inside the migration transaction: keep other processes from migrating at the same time."""

    def claim(self, cur: Any, token: BatchToken) -> bool:
        """First step of a batch's transaction: False if this batch was already committed.

        Backends whose commits can end with an unknown outcome (a lost connection)
        record tokens here so that a retried batch is never applied twice.
        """
        return True

    def insert_events(self, cur: Any, rows: list[tuple[Any, ...]], handed_over: Callback | None = None) -> None:
        """Insert event rows (in :data:`schema.EVENT_COLUMNS` order) inside a write transaction.

        ``handed_over`` is called once the rows are in the driver's hands, before the work that runs
        without the GIL (see :meth:`write`).
        """
        if handed_over is not None:
            handed_over()
        cur.executemany(self._sql["insert_event"], rows)

    # --- shared ------------------------------------------------------------------------
    def translate(self, sql: str) -> str:
        """SQL written with ``?`` (or ``:name``) placeholders, in this backend's placeholder style.

        Literal ``%`` signs are not allowed in SQL that runs on PostgreSQL with
        parameters: pass patterns such as ``LIKE 'a%'`` as parameters instead.
        """
        if self.placeholder == "?":
            return sql
        return _NAMED_PARAM.sub(r"%(\1)s", sql.replace("?", self.placeholder))

    def json_field_sql(self, column: str, key: str) -> tuple[str, list[Any]]:
        """An SQL expression (and its parameters) for top-level ``key`` of a JSON text column, as text.

        Strings come back unquoted, numbers as their JSON text, booleans as 'true' /
        'false', a JSON null or a missing key as SQL NULL. ``column`` must be a trusted
        column name; ``key`` (any text) is passed as a parameter. The expression uses this
        backend's placeholder style, which :meth:`translate` leaves as it is.
        """
        return self._json_text(column, key)

    def _json_text(self, column: str, key: str) -> tuple[str, list[Any]]:
        """:meth:`json_field_sql` in this dialect.

        SQLite's JSON paths cannot name every key (one holding a backslash, a newline or a
        double quote matches nothing), so the key is compared with ``json_each``'s decoded
        keys instead; a value that is not valid JSON reads as NULL rather than failing the
        whole query.
        """
        expr = (
            "(SELECT CASE j.type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' WHEN 'null' THEN NULL "
            f"ELSE CAST(j.value AS TEXT) END FROM json_each(CASE WHEN json_valid({column}) THEN {column} END) j "
            "WHERE j.key = ?)"
        )
        return expr, [key]

    def text_array_sql(self, select: str) -> str:
        """A scalar subquery: the values of ``select`` (a query of one text column named ``v``) as
        JSON array text, ``'[]'`` when there are none. ``select`` may refer to the outer query."""
        return f"(SELECT json_group_array(x.v) FROM ({select}) x)"

    def write_now(self, work: Callable[[Any], T]) -> T:
        """``work(cursor)`` in one write transaction on this thread's connection, at once rather than
        through the writer's queue: for edits a person makes by hand (annotations), which must be in
        the store when the call returns. Reconnects first when the link was lost."""
        conn = self.reader()
        if self.is_broken(conn):
            self.close_reader()
            conn = self.reader()
        with self.transaction(conn) as cur:
            return work(cur)

    def reader(self) -> Any:
        """This thread's connection for reading (opened on first use)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self.connect()
        return conn

    def reset_after_fork(self) -> None:
        """Forget connections inherited from a parent process."""
        self._local = threading.local()

    def close_reader(self) -> None:
        """Close this thread's reading connection, if any."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            self._local.conn = None
            conn.close()

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads on this thread inside the block all see one consistent state of the store (re-entrant)."""
        if getattr(self._local, "snapshot", False):
            yield
            return

        def begin(conn: Any) -> Any:
            conn.execute(self.snapshot_sql)
            return conn

        conn = self._on_reader(begin)
        self._local.snapshot = True
        try:
            yield
        finally:
            self._local.snapshot = False
            if not self.is_broken(conn):
                conn.execute("ROLLBACK")

    def migrate(self, conn: Any) -> None:
        """Create or upgrade the schema to :data:`schema.SCHEMA_VERSION`, once across processes."""
        with self.transaction(conn) as cur:
            self.lock_schema(cur)
            cur.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            cur.execute(self.translate("SELECT value FROM meta WHERE key = ?"), ("schema_version",))
            row = cur.fetchone()
            version = int(row[0]) if row else 0
            if version > schema.SCHEMA_VERSION:
                raise RuntimeError(
                    f"the store at {self.url} has schema version {version}, newer than this "
                    f"openreward_nb understands ({schema.SCHEMA_VERSION}); upgrade openreward-nb"
                )
            for number in range(version, schema.SCHEMA_VERSION):
                for statement in schema.MIGRATIONS[number]:
                    cur.execute(statement.format(**self.ddl_markers))
            if version != schema.SCHEMA_VERSION:
                cur.execute(
                    self.translate(
                        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
                    ),
                    ("schema_version", str(schema.SCHEMA_VERSION)),
                )
            for statement in self.bookkeeping_ddl:
                cur.execute(statement)

    def write(
        self, conn: Any, plan: BatchPlan, token: BatchToken | None = None, handed_over: Callback | None = None
    ) -> bool:
        """Apply one batch in one transaction; False if ``token`` shows it was already applied.

        ``handed_over``, if given, is called once the event rows are in the driver's hands, as the
        part of the write that runs without the GIL begins: the background writer lets waiting log
        calls in then, so they run beside the database instead of contending with the rows' binding.
        """
        with self.transaction(conn) as cur:
            if token is not None and not self.claim(cur, token):
                return False
            self.apply(cur, plan, handed_over=handed_over)
        return True

    def apply(
        self,
        cur: Any,
        plan: BatchPlan,
        *,
        rebuild_aggregates: bool = False,
        handed_over: Callback | None = None,
    ) -> None:
        """Inside a write transaction: the rows and updates of ``plan``.

        ``rebuild_aggregates``: rebuild the touched rollouts' aggregates from their events
        instead of adding the plan's deltas (for ops whose place in the rollout is not
        known, such as those imported from a rescue file). ``handed_over``: see :meth:`write`.
        """
        sql = self._sql
        if plan.runs:
            cur.executemany(sql["insert_run"], list(plan.runs.items()))
        if plan.rollouts:
            cur.executemany(sql["insert_rollout"], plan.rollouts)
        if plan.blobs:
            cur.executemany(sql["insert_blob"], list(plan.blobs.values()))
        if plan.events:
            self.insert_events(cur, plan.events, handed_over)
        if plan.deltas and not rebuild_aggregates:
            cur.executemany(sql["update_aggregates"], plan.aggregate_params())
        if plan.infos:
            cur.executemany(sql["update_info"], plan.infos)
        rebuilt = plan.patched_rollouts()
        if plan.patches:
            cur.executemany(sql["patch_event"], plan.patches)
        if rebuild_aggregates:
            rebuilt = list(dict.fromkeys([*plan.deltas, *rebuilt]))
        if rebuilt:
            cur.executemany(sql["recompute"], [(rid,) for rid in rebuilt])
        if plan.ends:
            cur.executemany(sql["update_end"], plan.ends)

    def recompute(self, conn: Any, rollout_ids: Sequence[str]) -> None:
        """Rebuild the aggregates of some rollouts from their events."""
        with self.transaction(conn) as cur:
            cur.executemany(self._sql["recompute"], [(rid,) for rid in rollout_ids])

    # --- reading -----------------------------------------------------------------------
    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run a read query on this thread's connection (reconnecting once if the link was lost)."""
        return self._on_reader(lambda conn: fetch(conn, sql, params))

    def _on_reader(self, work: Callable[[Any], T]) -> T:
        """``work(conn)`` on this thread's reading connection; once more on a new one if the link was lost.

        Not inside a snapshot: a new connection would not see the same state.
        """
        conn = self.reader()
        try:
            return work(conn)
        except Exception:
            if getattr(self._local, "snapshot", False) or not self.is_broken(conn):
                raise
        self.close_reader()
        return work(self.reader())

    def list_runs(self, name: str | None = None) -> list[dict[str, Any]]:
        """Every run (or the one named) with its rollout counts and mean reward."""
        where, params = ("WHERE r.name = ?", (name,)) if name is not None else ("", ())
        rows = self.query(self.translate(_SQL["list_runs"].format(where=where)), params)
        return [dict(zip(RUN_COLUMNS, row, strict=True)) for row in rows]

    def run_names(self) -> list[str]:
        """Names of all runs, oldest first."""
        return [r[0] for r in self.query(self._sql["run_names"])]

    def rollouts_page(
        self, *, after_seq: int = 0, limit: int = 500, where: str = "", params: Sequence[Any] = ()
    ) -> list[dict[str, Any]]:
        """Up to ``limit`` rollouts with ``seq > after_seq`` matching ``where`` (SQL ending in AND)."""
        sql = self.translate(_SQL["rollouts_page"].format(where=where))
        rows = self.query(sql, (*params, after_seq, limit))
        return [dict(zip(ROLLOUT_COLUMNS, row, strict=True)) for row in rows]

    def get_rollout(self, rollout_id: str) -> dict[str, Any] | None:
        """One rollout by id, or by a unique id prefix of at least 6 characters."""
        rows = self.query(self._sql["rollout_by_id"], (rollout_id,))
        if not rows and len(rollout_id) >= 6 and "%" not in rollout_id and "_" not in rollout_id:
            rows = self.query(self._sql["rollout_by_prefix"], (rollout_id + "%",))
            if len(rows) > 1:
                raise AmbiguousIdError(
                    f"rollout id prefix {rollout_id!r} matches more than one rollout; give more of it"
                )
        return dict(zip(ROLLOUT_COLUMNS, rows[0], strict=True)) if rows else None

    def events_page(
        self,
        rollout_id: str,
        *,
        start: int = 0,
        stop: int | None = None,
        limit: int = 1000,
        types: Sequence[str] | None = None,
        with_raw: bool = False,
    ) -> list[dict[str, Any]]:
        """Events ``start <= idx < stop`` of a rollout, in order, at most ``limit``."""
        cols = EVENT_READ_COLUMNS + (("raw",) if with_raw else ())
        type_sql = ""
        params: list[Any] = [rollout_id, start, stop if stop is not None else 2**62]
        if types:
            type_sql = f"AND type IN ({', '.join('?' * len(types))})"
            params.extend(types)
        params.append(limit)
        sql = self.translate(_SQL["events_page"].format(cols=", ".join(cols), types=type_sql))
        return [dict(zip(cols, row, strict=True)) for row in self.query(sql, params)]

    def event_raw(self, rollout_id: str, idx: int) -> str | None:
        """The raw provider payload of one event, as JSON text (put back together from the row where it was
        stored by reference to the row's columns); ValueError when such a row's references do not fit it."""
        rows = self.query(self._sql["event_raw"], (rollout_id, idx))
        if not rows or rows[0][0] is None:
            return None
        text, *held = rows[0]
        return raw_codec.payload_text(text, dict(zip(raw_codec.REF_COLUMNS, held, strict=True)))

    def blob(self, sha256: str) -> tuple[str | None, bytes] | None:
        """(mime, bytes) of a stored attachment."""
        rows = self.query(self._sql["blob"], (sha256,))
        return (rows[0][0], bytes(rows[0][1])) if rows else None

    def rollout_status(self, rollout_id: str) -> tuple[str, int] | None:
        """(status, n_events) of a rollout: the cheap question a live view polls."""
        rows = self.query(self._sql["status"], (rollout_id,))
        return (rows[0][0], rows[0][1]) if rows else None

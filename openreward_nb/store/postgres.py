"""The shared store: one PostgreSQL database written by many processes on many machines (psycopg 3).

A write whose COMMIT was sent when the connection died has an unknown outcome. Each
batch therefore first records ``(writer id, batch number)`` in ``write_ledger`` in its
own transaction; a retried batch finds its number already there and is skipped, so a
batch is applied exactly once however the connection fails.
"""

from __future__ import annotations

import time
from typing import Any, ClassVar
from urllib.parse import unquote

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from ..errors import InvalidArgumentError, StoreOpenError
from . import schema
from .base import BatchToken, Callback, Fault, Store
from .location import redact, url_passwords

#: default seconds a failing write is retried before flushes fail (URL option ``retry_deadline``)
RETRY_DEADLINE_S = 30.0
#: how long a write waits for a table lock held by someone else before it is retried
LOCK_TIMEOUT = "5s"
#: how long opening a store waits for another process's migration (or a table it must alter)
MIGRATION_LOCK_TIMEOUT = "300s"
#: a session left idle inside a transaction (its client gone) is ended after this, releasing its locks
IDLE_IN_TRANSACTION_TIMEOUT = "60s"
#: ledger rows of writers silent this long are deleted when a store is opened
LEDGER_KEEP_S = 30 * 86400
#: libpq settings used unless the URL gives its own
CONNECTION_DEFAULTS = {
    "connect_timeout": "10",
    "application_name": "openreward-nb",
    "keepalives_idle": "30",
    "keepalives_interval": "10",
    "keepalives_count": "3",
}
if psycopg.pq.version() >= 120000:  # libpq 12 knows tcp_user_timeout: unacknowledged data fails the link
    CONNECTION_DEFAULTS["tcp_user_timeout"] = "60000"
_MIGRATION_LOCK_KEY = 0x6F726E62  # "ornb": with the schema name, one migration at a time
#: held (shared) by every write transaction: a reader that takes it exclusively knows that no
#: transaction holding sequence numbers it cannot see yet is in flight (the search index's bound)
WRITES_LOCK_KEY = 0x6F726E77  # "ornw", with the schema name
_URL_OPTIONS = ("retry_deadline",)

_SESSION_SQL = (
    "SELECT set_config('lock_timeout', %s, false), set_config('idle_in_transaction_session_timeout', %s, false)"
)
# SQLSTATE classes and codes of a write that may succeed if retried: connection exception,
# transaction rollback (serialization failure, deadlock), insufficient resources (disk full,
# out of memory, too many connections), system error (I/O); lock not available (our
# lock_timeout), query canceled, admin / crash shutdown, cannot connect now.
_TRANSIENT_CLASSES = frozenset({"08", "40", "53", "58"})
_TRANSIENT_STATES = frozenset({"55P03", "57014", "57P01", "57P02", "57P03", "57P04", "57P05"})
# Data the server will not take: data exception (a number out of range, bad text), integrity
# constraint violation (a duplicate index), program limit exceeded (a row too big for an index).
_REFUSED_CLASSES = frozenset({"22", "23", "54"})
# The rest is permanent: read-only transaction (25006), undefined table or column and missing
# privileges (class 42), a missing schema or database, corrupt data (XX001, XX002).

_CLAIM_SQL = """INSERT INTO write_ledger (writer, batch, at) VALUES (%s, %s, %s)
    ON CONFLICT (writer) DO UPDATE SET batch = excluded.batch, at = excluded.at
    WHERE write_ledger.batch < excluded.batch RETURNING batch"""
_COPY_EVENTS_SQL = f"COPY events ({', '.join(schema.EVENT_COLUMNS)}) FROM STDIN"


def split_options(url: str) -> tuple[str, dict[str, str]]:
    """The URL without this package's own query options, and those options."""
    base, q, query = url.partition("?")
    kept, ours = [], {}
    for part in query.split("&") if q else ():
        key, _, value = part.partition("=")
        if key in _URL_OPTIONS:
            ours[key] = value
        elif part:
            kept.append(part)
    return (f"{base}?{'&'.join(kept)}" if kept else base), ours


def _seconds(value: Any) -> float:
    if value is None:
        return RETRY_DEADLINE_S
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0:
        raise InvalidArgumentError(f"retry_deadline must be a number of seconds, got {value!r}")
    return seconds


class PostgresStore(Store):
    """A store in a PostgreSQL database; created and migrated on first use.

    ``url``: ``postgresql://user:password@host:port/database`` (any libpq URL); the
    option ``?retry_deadline=SECONDS`` (default 30) says how long the writer retries a
    failing write (server down, connection lost) before flushes raise StoreWriteError.
    The logged items stay queued either way and go out with the next successful write.
    """

    ddl_markers: ClassVar[dict[str, str]] = {
        "real": "DOUBLE PRECISION",
        "blob": "BYTEA",
        "bigint": "BIGINT",
        "serial_pk": "BIGSERIAL PRIMARY KEY",
    }
    placeholder = "%s"
    begin_sql = (
        f"BEGIN; SELECT pg_advisory_xact_lock_shared({WRITES_LOCK_KEY}, hashtext(COALESCE(current_schema(), '')))"
    )
    # a snapshot may sit idle while its reader works; only sessions that write are timed out
    snapshot_sql = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL idle_in_transaction_session_timeout = 0"
    # each rollout's events looked up by index, whatever the table's statistics say (fresh
    # after a bulk load, they would have the planner scan every event for each page); OFFSET 0
    # keeps the planner from flattening the lookup into a join, which it did, into a hash join
    events_join_sql = "CROSS JOIN LATERAL (SELECT * FROM events WHERE events.rollout_id = r.id OFFSET 0) e"
    bookkeeping_ddl = (
        "CREATE TABLE IF NOT EXISTS write_ledger (writer TEXT PRIMARY KEY, batch BIGINT NOT NULL, "
        "at DOUBLE PRECISION NOT NULL)",
    )

    def __init__(self, url: str, *, retry_deadline: float | None = None) -> None:
        super().__init__(redact(url))
        self._secrets = {*url_passwords(url), *map(unquote, url_passwords(url))}
        try:
            conninfo, options = split_options(url)
            params = conninfo_to_dict(conninfo)
            given = retry_deadline if retry_deadline is not None else options.get("retry_deadline")
            self.retry_deadline = _seconds(given)
            self._conninfo = make_conninfo("", **{**CONNECTION_DEFAULTS, **params})
            conn = self._connect()
            try:
                self.migrate(conn)
                conn.execute("DELETE FROM write_ledger WHERE at < %s", (time.time() - LEDGER_KEEP_S,))
            finally:
                conn.close()
        except Exception as exc:
            raise StoreOpenError(f"cannot open the PostgreSQL store at {self.url}: {self._one_line(exc)}") from None

    def _connect(self) -> psycopg.Connection:
        conn = psycopg.connect(self._conninfo, autocommit=True)
        conn.execute(_SESSION_SQL, (LOCK_TIMEOUT, IDLE_IN_TRANSACTION_TIMEOUT))
        return conn

    @property
    def conninfo(self) -> str:
        """The libpq connection string of this store (with its password)."""
        return self._conninfo

    def export_snapshot(self) -> str:
        """Inside :meth:`snapshot`: the id another session passes to ``SET TRANSACTION SNAPSHOT`` to read the same state."""
        if not getattr(self._local, "snapshot", False):
            raise RuntimeError("export_snapshot() needs an open snapshot()")
        return str(self._on_reader(lambda conn: conn.execute("SELECT pg_export_snapshot()").fetchone()[0]))

    def connect(self, *, one_pass: bool = False) -> psycopg.Connection:
        try:
            return self._connect()
        except psycopg.Error as exc:
            raise StoreOpenError(f"cannot connect to {self.url}: {self._one_line(exc)}") from None

    def classify(self, exc: BaseException) -> Fault:
        """By the server's SQLSTATE (https://www.postgresql.org/docs/current/errcodes-appendix.html).

        A read-only transaction (a standby, ``default_transaction_read_only``) is permanent:
        flushes fail at once, naming it, while the writer keeps retrying in the background,
        so a failover that completes still gets everything written.
        """
        if isinstance(exc, (StoreOpenError, OSError, MemoryError)):
            return "transient"  # server down, unreachable, refusing logins for now
        if not isinstance(exc, psycopg.Error):
            return "refused"
        state = exc.sqlstate
        if state is None:  # raised on this side: a lost connection, or a value psycopg cannot send
            return "transient" if isinstance(exc, psycopg.OperationalError) else "refused"
        if state[:2] in _TRANSIENT_CLASSES or state in _TRANSIENT_STATES:
            return "transient"
        return "refused" if state[:2] in _REFUSED_CLASSES else "permanent"

    def describe_error(self, exc: BaseException) -> str:
        if isinstance(exc, StoreOpenError):
            return str(exc)
        return f"{self.url}: {self._one_line(exc)}"

    def is_broken(self, conn: Any) -> bool:
        return bool(conn.closed)

    def lock_schema(self, cur: Any) -> None:
        cur.execute("SELECT set_config('lock_timeout', %s, true)", (MIGRATION_LOCK_TIMEOUT,))
        cur.execute(
            "SELECT pg_advisory_xact_lock(%s, hashtext(COALESCE(current_schema(), '')))", (_MIGRATION_LOCK_KEY,)
        )

    def claim(self, cur: Any, token: BatchToken) -> bool:
        cur.execute(_CLAIM_SQL, (token[0], token[1], time.time()))
        return cur.fetchone() is not None

    def insert_events(self, cur: Any, rows: list[tuple[Any, ...]], handed_over: Callback | None = None) -> None:
        if handed_over is not None:
            handed_over()
        with cur.copy(_COPY_EVENTS_SQL) as copy:
            for row in rows:
                copy.write_row(row)

    def _json_text(self, column: str, key: str) -> tuple[str, list[Any]]:
        return f"({column}::json ->> %s)", [key]

    def text_array_sql(self, select: str) -> str:
        return f"(SELECT COALESCE(CAST(json_agg(x.v) AS TEXT), '[]') FROM ({select}) x)"

    def _one_line(self, exc: BaseException) -> str:
        """The driver's message on one line, without libpq's prefixes or the password."""
        text = " ".join(str(exc).split()) or type(exc).__name__
        for prefix in ("connection failed: ", "connection is bad: "):
            text = text.removeprefix(prefix)
        text = text.replace("FATAL: ", "")
        for secret in self._secrets:  # libpq may echo the URL it could not parse
            text = text.replace(f":{secret}@", ":***@").replace(f"password={secret}", "password=***")
        return text

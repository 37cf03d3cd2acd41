"""The embedded default: one SQLite file in WAL mode, shared safely by several processes."""

from __future__ import annotations

import operator
import os
import sqlite3
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

from ..errors import StoreOpenError
from . import schema
from .base import Callback, Fault, Store

BUSY_TIMEOUT_S = 5.0
#: page cache of a one-pass connection (SQLite's default is 2,000 KiB): a batch's pages spill to the WAL
#: before its commit instead of waiting in memory, at no cost in speed (``benchmarks/bench_recording.py``)
ONE_PASS_CACHE_KIB = 512

# SQLite's primary result codes (https://sqlite.org/rescode.html) by what they say about a failed write.
_TRANSIENT_CODES = frozenset(
    {
        4,  # ABORT: a callback asked to stop
        5,  # BUSY: another connection holds the lock
        6,  # LOCKED: a conflict inside this process
        7,  # NOMEM
        9,  # INTERRUPT
        10,  # IOERR: a failing read or write, which may pass
        13,  # FULL: the disk is full
        15,  # PROTOCOL: a locking race
        17,  # SCHEMA: the schema changed under a prepared statement
    }
)
_REFUSED_CODES = frozenset(
    {
        18,  # TOOBIG: a value over SQLite's size limit
        19,  # CONSTRAINT: a duplicate index, a NOT NULL
        20,  # MISMATCH: a value of the wrong type
        25,  # RANGE: a bad parameter index
    }
)
# Everything else is permanent: ERROR (no such table or column), INTERNAL, PERM, READONLY,
# CORRUPT ("database disk image is malformed"), NOTFOUND, CANTOPEN, MISUSE, NOLFS, AUTH, NOTADB.


_NONES = (None,) * len(schema.EVENT_COLUMNS)
#: where a batch's event rows wait, in this connection's memory, to go into ``events`` in one statement
_STAGING = "CREATE TEMP TABLE IF NOT EXISTS events_in (seq INTEGER PRIMARY KEY, {columns})".format(
    columns=", ".join(schema.EVENT_COLUMNS)
)
_FROM_STAGING = "INSERT INTO events (seq, {columns}) SELECT seq, {columns} FROM temp.events_in ORDER BY seq".format(
    columns=", ".join(schema.EVENT_COLUMNS)
)


@cache
def _staging_insert(present: tuple[bool, ...]) -> tuple[str, operator.itemgetter[tuple[Any, ...]]]:
    """The INSERT into the staging table naming ``seq`` and the columns ``present`` marks, and what picks
    their values from a row."""
    at = [i for i, here in enumerate(present) if here]
    names = ", ".join(["seq", *(schema.EVENT_COLUMNS[i] for i in at)])
    return f"INSERT INTO temp.events_in ({names}) VALUES ({', '.join('?' * (len(at) + 1))})", operator.itemgetter(*at)


class SQLiteStore(Store):
    """A store in one SQLite file (WAL journal, synchronous=NORMAL: a process crash loses nothing committed)."""

    ddl_markers: ClassVar[dict[str, str]] = {
        "real": "REAL",
        "blob": "BLOB",
        "bigint": "INTEGER",
        "serial_pk": "INTEGER PRIMARY KEY",
    }
    begin_sql = "BEGIN IMMEDIATE"  # take the write lock now: no deadlock upgrading a read lock later

    def __init__(
        self, path: str | os.PathLike[str], busy_timeout: float = BUSY_TIMEOUT_S, *, read_only: bool = False
    ) -> None:
        self.path = Path(path).expanduser().resolve()
        super().__init__(f"sqlite:///{self.path}")
        self.busy_timeout = busy_timeout
        #: opened for reading only (``mode=ro``): nothing is created, migrated or written
        self.read_only = read_only
        #: opened ``immutable=1`` as well: on a read-only mount (or a file nobody may write) no
        #: writer can exist, and SQLite then needs no lock files beside the store
        self.immutable = False
        if read_only:
            self._open_for_reading()
        else:
            self._open_for_writing()

    def _open_for_writing(self) -> None:
        # asked first: where it cannot write, SQLite may still open a WAL store (read-only, silently)
        cause = cannot_write(self.path)
        if cause is not None:
            readable = " (reading it works)" if self.path.is_file() else ""
            raise StoreOpenError(f"cannot record into {self.path}: {cause}{readable}")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = self.connect()
        try:
            self.migrate(conn)
        finally:
            conn.close()

    def _open_for_reading(self) -> None:
        try:
            version = self._schema_version()
        except sqlite3.DatabaseError as exc:
            if not no_writer_can_exist(self.path):
                cause = cannot_write(self.path)
                raise StoreOpenError(f"cannot read {self.path}: {cause or exc}") from exc
            self.immutable = True
            version = self._schema_version()
        if version == schema.SCHEMA_VERSION:
            return
        if version == 0:
            raise StoreOpenError(f"{self.path} is not an openreward-nb store (it has no schema version)")
        cause = cannot_write(self.path)
        if version > schema.SCHEMA_VERSION or cause is not None:
            raise StoreOpenError(
                f"{self.path} has schema version {version}; this openreward-nb reads version "
                f"{schema.SCHEMA_VERSION}"
                + (f", and cannot upgrade it: {cause}" if cause else "; upgrade openreward-nb")
            )
        self.read_only = False  # an older store this process may write: upgrade it, as a writer would
        try:
            self._open_for_writing()
        finally:
            self.read_only = True

    def _schema_version(self) -> int:
        conn = self.connect()
        try:
            tables = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchall()
            if not tables:
                return 0
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            return int(row[0]) if row else 0
        finally:
            conn.close()

    @property
    def read_uri(self) -> str:
        """The URI a reader opens the file with: read-only, and immutable when no writer can exist."""
        return f"{self.path.as_uri()}?mode=ro" + ("&immutable=1" if self.immutable else "")

    def insert_events(self, cur: Any, rows: list[tuple[Any, ...]], handed_over: Callback | None = None) -> None:
        """Event rows, staged in memory by groups with values in the same columns, then moved into
        ``events`` in order by one statement.

        Python's sqlite3 binds a None through its adapter lookup (about 0.3 µs a value) and most of
        a row's columns are None: each group's INSERT names only the columns its rows fill. The one
        statement that moves them runs in SQLite alone, without the GIL, appending every row with
        the ``seq`` it would have had inserted in order (the write lock is held); ``handed_over`` is
        called just before it.
        """
        cur.execute(_STAGING)  # on the connections that write events only (0.6 µs once it is there)
        first = cur.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM events").fetchone()[0]
        groups: dict[tuple[bool, ...], tuple[list[int], list[tuple[Any, ...]]]] = {}
        is_not = operator.is_not
        for seq, row in enumerate(rows, first):
            present = tuple(map(is_not, row, _NONES))
            group = groups.get(present)
            if group is None:
                group = groups[present] = ([], [])
            group[0].append(seq)
            group[1].append(row)
        for present, (seqs, members) in groups.items():
            sql, pick = _staging_insert(present)
            cur.executemany(sql, [(seq, *pick(row)) for seq, row in zip(seqs, members, strict=True)])
        if handed_over is not None:
            handed_over()
        cur.execute(_FROM_STAGING)
        cur.execute("DELETE FROM temp.events_in")

    def connect(self, *, one_pass: bool = False) -> sqlite3.Connection:
        if self.read_only:
            return sqlite3.connect(
                self.read_uri, uri=True, timeout=self.busy_timeout, isolation_level=None, check_same_thread=False
            )
        conn = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None, check_same_thread=False)
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if mode.lower() != "wal":  # e.g. a network file system without shared memory
            conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute("PRAGMA synchronous=NORMAL")
        # The staging table of insert_events (made there) lives in memory, and gives its pages back once a
        # batch has moved out of it: else each writer would keep its largest batch's worth for good.
        conn.execute("PRAGMA temp_store=MEMORY")
        conn.execute("PRAGMA temp.auto_vacuum=FULL")
        if one_pass:
            conn.execute(f"PRAGMA cache_size=-{ONE_PASS_CACHE_KIB}")
        return conn

    def classify(self, exc: BaseException) -> Fault:
        """By SQLite's result code, never by the message (a corrupt page's message mentions the "disk")."""
        if isinstance(exc, (MemoryError, OSError)):
            return "transient"
        if not isinstance(exc, sqlite3.DatabaseError):
            return "refused"  # a value the driver cannot bind (an int over 64 bits...)
        code = getattr(exc, "sqlite_errorcode", None)
        if code is None:  # raised by the sqlite3 module itself
            if isinstance(exc, sqlite3.OperationalError):
                return "transient"
            return "refused" if isinstance(exc, (sqlite3.IntegrityError, sqlite3.DataError)) else "permanent"
        primary = code & 0xFF
        if primary in _TRANSIENT_CODES:
            return "transient"
        return "refused" if primary in _REFUSED_CODES else "permanent"

    def describe_error(self, exc: BaseException) -> str:
        return f"{self.path}: {exc}"

    def integrity_check(self) -> str:
        """SQLite's own consistency check ('ok' when the file is sound)."""
        return str(self.query("PRAGMA integrity_check")[0][0])


def _mount_is_read_only(path: Path) -> bool:
    """True when the file system holding ``path`` (or its nearest existing folder) is mounted read-only."""
    for folder in (path, *path.parents):
        try:
            return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
        except OSError:
            continue
    return False


def cannot_write(path: Path) -> str | None:
    """Why this process cannot write a store at ``path`` (None when nothing says it cannot)."""
    if _mount_is_read_only(path):
        return "it is on a read-only file system"
    if path.exists() and not os.access(path, os.W_OK):
        return "the file is not writable by this user"
    folder = next((p for p in path.parents if p.exists()), None)
    if folder is not None and not os.access(folder, os.W_OK):
        return f"its folder {folder} is not writable by this user (SQLite writes its journal beside the store)"
    return None


def no_writer_can_exist(path: Path) -> bool:
    """True when nobody can write ``path`` while it is read: a read-only mount, or no write permission for anyone."""
    try:
        return _mount_is_read_only(path) or not path.stat().st_mode & 0o222
    except OSError:
        return False

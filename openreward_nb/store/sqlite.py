"""The embedded default: one SQLite file in WAL mode, shared safely by several processes."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import ClassVar

from .base import Fault, Store

BUSY_TIMEOUT_S = 5.0

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


class SQLiteStore(Store):
    """A store in one SQLite file (WAL journal, synchronous=NORMAL: a process crash loses nothing committed)."""

    ddl_markers: ClassVar[dict[str, str]] = {
        "real": "REAL",
        "blob": "BLOB",
        "bigint": "INTEGER",
        "serial_pk": "INTEGER PRIMARY KEY",
    }
    begin_sql = "BEGIN IMMEDIATE"  # take the write lock now: no deadlock upgrading a read lock later

    def __init__(self, path: str | os.PathLike[str], busy_timeout: float = BUSY_TIMEOUT_S) -> None:
        self.path = Path(path).expanduser().resolve()
        super().__init__(f"sqlite:///{self.path}")
        self.busy_timeout = busy_timeout
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = self.connect()
        try:
            self.migrate(conn)
        finally:
            conn.close()

    def connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None, check_same_thread=False)
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if mode.lower() != "wal":  # e.g. a network file system without shared memory
            conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute("PRAGMA synchronous=NORMAL")
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

"""The embedded default: one SQLite file in WAL mode, shared safely by several processes."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from .base import Store

BUSY_TIMEOUT_S = 5.0


class SQLiteStore(Store):
    """A store in one SQLite file (WAL journal, synchronous=NORMAL: a process crash loses nothing committed)."""

    ddl_markers = {"real": "REAL", "blob": "BLOB", "bigint": "INTEGER", "serial_pk": "INTEGER PRIMARY KEY"}
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

    def is_transient(self, exc: BaseException) -> bool:
        return isinstance(exc, (sqlite3.OperationalError, MemoryError, OSError)) or (
            isinstance(exc, sqlite3.DatabaseError) and "disk" in str(exc).lower()
        )

    def describe_error(self, exc: BaseException) -> str:
        return f"{self.path}: {exc}"

    def integrity_check(self) -> str:
        """SQLite's own consistency check ('ok' when the file is sound)."""
        return self.query("PRAGMA integrity_check")[0][0]

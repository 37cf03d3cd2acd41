"""Pages of a SQLite store read straight into Arrow by the ADBC SQLite driver, in a child process.

Python's ``sqlite3`` makes one Python object per value; the ADBC driver
(``pip install adbc-driver-sqlite``) fills Arrow arrays in C, about twice as fast on
big reads. It links its own copy of SQLite, and two copies of SQLite in one process
break each other's POSIX locks: closing a file in one drops the locks the other holds
on it, and either may delete the write-ahead log the other is still using, losing
committed writes ("How To Corrupt An SQLite Database File", 2.2.1). So the driver
runs in a child process, which reads every page in one read-only transaction and
streams the pages back as Arrow IPC.

The driver infers a column's type from the values of a batch (an all-NULL column
comes back int64), so each page is read as one batch and cast to the declared types.
A column holding a value of another type (text in a REAL column, from old or foreign
data) comes back as text with its numbers rounded, so such a page is not sent: the
child names it and the parent reads that page itself (through sqlite3), where each
value that does not fit is shown as missing. The driver's string offsets are 32-bit
and overflow silently past 2 GiB of text in a column, so a page holding more is read
again in halves.

This file runs as a script in the child: it imports nothing from the package.
"""

from __future__ import annotations

import importlib.util
import io
import json
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any, cast

import pyarrow as pa
import pyarrow.compute as pc

#: reads of fewer events (by the store's counts) stay in this process: the child takes ~0.3 s to start
MIN_EVENTS = 100_000
#: text bytes one column of a batch may hold (the driver's string offsets are 32-bit)
MAX_BATCH_BYTES = 2**31 - 1
#: rows per batch the driver is asked for: more than any page has, so a page is one batch
_BATCH_ROWS = 1_000_000_000
#: bytes of the pipe the pages come through (Linux's default 64 KiB costs a third of the read in switches)
_PIPE_BYTES = 1 << 20
#: the field naming a page the child could not cast, which the parent reads itself
_REREAD = "reread"


def available() -> bool:
    """True when the ADBC SQLite driver is installed for this interpreter (which runs the child)."""
    return bool(sys.executable) and importlib.util.find_spec("adbc_driver_sqlite") is not None


def read_pages(
    path: Path,
    queries: Sequence[tuple[str, Sequence[Any]]],
    types: Sequence[pa.DataType],
    reread: Callable[[int], list[tuple[Any, ...]]],
) -> Iterator[pa.RecordBatch | list[tuple[Any, ...]]]:
    """The rows of ``queries`` ((SQL, parameters), run in order in one snapshot of the file) as batches.

    Column ``i`` of every batch has type ``types[i]``, in buffers of its own (so a
    column dropped from a frame frees its memory). A page with a value of another type
    comes as the rows ``reread(i)`` returns for query ``i``. RuntimeError carries the
    child's message when it fails.
    """
    request = {
        "uri": f"{Path(path).as_uri()}?mode=ro",
        "queries": [[sql, list(params)] for sql, params in queries],
        "types": [str(t) for t in types],
        "max_bytes": MAX_BATCH_BYTES,
    }
    schema = pa.schema([(f"c{i}", t) for i, t in enumerate(types)])
    command = [sys.executable, "-P", __file__]
    with (
        tempfile.TemporaryFile() as errors,
        subprocess.Popen(
            command, bufsize=_PIPE_BYTES, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors
        ) as child,
    ):
        stdin, stdout = cast(IO[bytes], child.stdin), cast(io.BufferedReader, child.stdout)  # both piped
        _widen(stdout)
        stdin.write(json.dumps(request).encode())
        stdin.close()
        try:
            while stdout.peek(1):
                first = _read_column(stdout)
                if first.field(0).name == _REREAD:
                    yield reread(first.column(0)[0].as_py())
                    continue
                columns = [first.column(0), *(_read_column(stdout).column(0) for _ in types[1:])]
                yield pa.record_batch(columns, schema=schema)
        except Exception as exc:
            child.kill()  # a no-op when it has failed already
            child.wait()
            raise RuntimeError(_failure(path, errors) or f"reading {path} failed: {exc}") from exc
        if child.wait() != 0:
            raise RuntimeError(_failure(path, errors) or f"reading {path}: the reader exited with {child.returncode}")


def _widen(pipe: Any) -> None:
    """Give ``pipe`` a buffer of :data:`_PIPE_BYTES` where the system allows (Linux); else leave it."""
    try:
        import fcntl

        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
    except (ImportError, AttributeError, OSError):
        pass


def _failure(path: Path, errors: Any) -> str:
    """The child's own account of its failure (the last line it wrote to ``errors``), if any."""
    errors.seek(0)
    lines = errors.read().decode(errors="replace").strip().splitlines()
    return f"reading {path} through the ADBC SQLite driver failed: {lines[-1]}" if lines else ""


def _read_column(source: Any) -> pa.RecordBatch:
    """The next column the child sent: an IPC stream of one batch of one column."""
    (batch,) = pa.ipc.open_stream(source)
    return batch


def _send(column: pa.Array, field: pa.Field) -> None:
    """Write one column to stdout as an IPC stream of one batch."""
    batch = pa.record_batch([column], schema=pa.schema([field]))
    with pa.ipc.new_stream(sys.stdout.buffer, batch.schema) as out:
        out.write_batch(batch)


def main() -> None:
    """The child: run the request read from stdin; write each column of each page to stdout as an Arrow IPC stream."""
    import adbc_driver_manager as adbc
    import adbc_driver_sqlite

    request = json.load(sys.stdin)
    schema = pa.schema([(f"c{i}", pa.type_for_alias(t)) for i, t in enumerate(request["types"])])
    with adbc_driver_sqlite.connect(request["uri"]) as db, adbc.AdbcConnection(db) as conn:
        _query(conn, "PRAGMA busy_timeout = 5000", [])
        conn.set_autocommit(False)  # one transaction: every page sees the same snapshot
        for index, (sql, params) in enumerate(request["queries"]):
            try:
                parts = [
                    [
                        column.cast(field.type).combine_chunks()
                        for column, field in zip(table.columns, schema, strict=True)
                    ]
                    for table in _page(conn, sql, params, request["max_bytes"])
                ]
            except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
                _send(pa.array([index], pa.int64()), pa.field(_REREAD, pa.int64()))
                continue
            for columns in parts:
                for column, field in zip(columns, schema, strict=True):
                    _send(column, field)
        conn.rollback()


def _page(conn: Any, sql: str, params: list[Any], max_bytes: int, rows: int = 0, skip: int = 0) -> list[pa.Table]:
    """A page as tables: the rows of ``sql`` (``rows`` of them after ``skip``, when given) as one
    table, or as several while a text column of one holds more than ``max_bytes``."""
    table = _query(conn, f"{sql} LIMIT ? OFFSET ?", [*params, rows, skip]) if rows else _query(conn, sql, params)
    fits = all(_text_fits(column, max_bytes) for column in table.columns)
    if fits or table.num_rows < 2:
        return [table] if table.num_rows else []
    half, rows = table.num_rows // 2, table.num_rows
    del table  # the halves are read again
    return _page(conn, sql, params, max_bytes, half, skip) + _page(
        conn, sql, params, max_bytes, rows - half, skip + half
    )


def _text_fits(column: pa.ChunkedArray, max_bytes: int) -> bool:
    """False when a text column's offsets overflowed (one is negative) or its text exceeds ``max_bytes``."""
    if not (pa.types.is_string(column.type) or pa.types.is_binary(column.type)):
        return True
    for chunk in column.chunks:
        offsets = pa.Array.from_buffers(pa.int32(), len(chunk) + 1, [None, chunk.buffers()[1]], offset=chunk.offset)
        bounds = pc.min_max(offsets).as_py()
        if bounds["min"] < 0 or bounds["max"] > max_bytes:
            return False
    return True


def _query(conn: Any, sql: str, params: list[Any]) -> pa.Table:
    """All rows of one statement, as one batch."""
    import adbc_driver_manager as adbc

    with adbc.AdbcStatement(conn) as stmt:
        stmt.set_options(**{"adbc.sqlite.query.batch_rows": str(_BATCH_ROWS)})
        stmt.set_sql_query(sql)
        if params:
            stmt.bind(pa.record_batch([pa.array([p]) for p in params], names=[f"p{i}" for i in range(len(params))]))
        stream, _ = stmt.execute_query()
        return pa.RecordBatchReader.from_stream(stream).read_all()


if __name__ == "__main__":
    main()

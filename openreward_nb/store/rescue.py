"""Rescue files: what a process could not write to its store, kept on disk instead of lost with it.

A writer that must stop holding ops the store would not take (a corrupt or read-only
file, a server gone for longer than the process lives) saves them here: beside a SQLite
store when its folder can be written, else in the user's cache folder
(``$XDG_CACHE_HOME/openreward-nb``, ``~/.cache/openreward-nb``), else the system's temporary
folder. The next writer that opens the same store imports them (:func:`import_pending`);
``openreward-nb rescue`` lists and imports them by hand.

A file is MessagePack: a versioned header and the queued ops themselves (events with their
attachments' bytes and raw payloads as encoded JSON, rollout creation, info, end and
patches), so nothing is lost in translation. Importing is idempotent: events the store
holds already are skipped, and the touched rollouts' aggregates are rebuilt from their
events.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import time
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from ..safe_text import terminal_line
from .base import Store
from .dbapi import close_quietly, fetch
from .ops import EventOp, Op, RawJSON, encode_raw, plan_batch

FORMAT = "openreward-nb rescue"
#: the format version this code writes; it reads every version up to this one
VERSION = 1
SUFFIX = ".ornb-rescue"
#: a file whose ops the store refused even on import: kept for a person to look at, never imported on open
REFUSED_SUFFIX = ".ornb-refused"


class RefusedOp(msgspec.Struct, array_like=True):
    """An op the store refused for good, with the reason it gave."""

    op: Op
    reason: str


class RescueFile(msgspec.Struct, kw_only=True):
    """The contents of a rescue file (``ops`` in the order they were logged)."""

    format: str = FORMAT
    version: int = VERSION
    #: the store the ops were meant for (its URL, never with a password)
    store: str
    written_at: float
    pid: int
    #: why they could not be written
    reason: str
    ops: list[Op]
    refused: list[RefusedOp] = []


class _Header(msgspec.Struct):
    """What any version of the format starts with."""

    format: str = ""
    version: int = 0
    store: str = ""
    written_at: float = 0.0
    reason: str = ""


@dataclass
class ImportResult:
    """What importing a rescue file did."""

    path: Path
    store: str
    imported: int
    already_there: int
    refused: int
    refused_path: Path | None = None

    def summary(self) -> str:
        parts = [f"{self.imported:,} items imported", f"{self.already_there:,} events already there"]
        if self.refused:
            parts.append(f"{self.refused:,} refused (kept in {self.refused_path})")
        return f"{self.path} -> {self.store}: " + ", ".join(parts)


def user_cache_dir() -> Path:
    """This package's folder in the user's cache (as platformdirs places it)."""
    if sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    elif sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "openreward-nb"


def _store_tag(store: Store) -> str:
    """``<file or database name>-<hash of the URL>``: names every rescue file of one store."""
    name = Path(getattr(store, "path", "") or store.url.split("?")[0].rstrip("/")).name or "store"
    digest = hashlib.sha256(store.url.encode()).hexdigest()[:12]
    return f"{terminal_line(name, 60).replace(os.sep, '_')}-{digest}"


def rescue_dirs(store: Store) -> list[Path]:
    """Where rescue files of ``store`` go, in order of preference."""
    dirs = [user_cache_dir(), Path(tempfile.gettempdir()) / "openreward-nb"]
    path = getattr(store, "path", None)
    if isinstance(path, Path):
        dirs.insert(0, path.parent)
    return dirs


def pending_files(store: Store) -> list[Path]:
    """Rescue files waiting to be imported into ``store``, oldest first."""
    prefix = _store_tag(store) + "."
    found: dict[Path, None] = {}
    for folder in rescue_dirs(store):
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        found.update((folder / n, None) for n in names if n.startswith(prefix) and n.endswith(SUFFIX))
    return sorted(found, key=lambda p: p.name)


def _portable(op: Op) -> Op:
    """``op`` as a rescue file holds it: an event's raw payload encoded to JSON now (it may be deferred)."""
    if isinstance(op, EventOp) and op.event.raw is not None and type(op.event.raw) is not RawJSON:
        event = msgspec.structs.replace(op.event, raw=encode_raw(op.event.raw))
        return msgspec.structs.replace(op, event=event)
    return op


def _plain_text(value: Any) -> Any:
    """msgpack takes ``str`` itself, not its subclasses: a :class:`RawJSON` is written as the text it is."""
    if isinstance(value, str):
        return str(value)
    raise NotImplementedError(f"a rescue file cannot hold {type(value).__name__}")


def save(
    store: Store, ops: Iterable[Op], refused: Iterable[tuple[Op, str]], reason: str, *, suffix: str = SUFFIX
) -> Path:
    """Write a rescue file for ``store``; returns its path. Raises OSError if no folder can take it."""
    content = RescueFile(
        store=store.url,
        written_at=time.time(),
        pid=os.getpid(),
        reason=reason,
        ops=[_portable(op) for op in ops],
        refused=[RefusedOp(_portable(op), why) for op, why in refused],
    )
    data = msgspec.msgpack.encode(content, enc_hook=_plain_text)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(content.written_at))
    name = f"{_store_tag(store)}.{stamp}-{os.getpid()}-{os.urandom(3).hex()}{suffix}"
    errors = []
    for folder in rescue_dirs(store):
        try:
            return _write_atomically(folder / name, data)
        except OSError as exc:
            errors.append(f"{folder}: {exc.strerror or exc}")
    raise OSError(f"no folder could take the rescue file ({'; '.join(errors)})")


def _write_atomically(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    with open(part, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(part, path)
    return path


def load(path: str | os.PathLike[str]) -> RescueFile:
    """Read a rescue file; ValueError if it is not one, or comes from a newer openreward-nb."""
    data = Path(path).read_bytes()
    try:
        header = msgspec.msgpack.decode(data, type=_Header)
    except msgspec.DecodeError as exc:
        raise ValueError(f"{path} is not an openreward-nb rescue file ({exc})") from None
    if header.format != FORMAT:
        raise ValueError(f"{path} is not an openreward-nb rescue file")
    if header.version > VERSION:
        raise ValueError(
            f"{path} was written by a newer openreward-nb (format version {header.version}; this one reads "
            f"up to {VERSION}); upgrade openreward-nb to import it"
        )
    try:
        content = msgspec.msgpack.decode(data, type=RescueFile)
    except msgspec.DecodeError as exc:
        raise ValueError(f"{path} is damaged: {exc}") from None
    for op in [*content.ops, *(r.op for r in content.refused)]:
        if isinstance(op, EventOp) and isinstance(op.event.raw, str):
            op.event.raw = RawJSON(op.event.raw)
    return content


def _stored_indexes(store: Store, conn: Any, ops: list[Op]) -> set[tuple[str, int]]:
    """(rollout id, index) of the events among ``ops`` that the store already holds."""
    spans: dict[str, tuple[int, int]] = {}
    for op in ops:
        if isinstance(op, EventOp):
            low, high = spans.get(op.rollout_id, (op.idx, op.idx))
            spans[op.rollout_id] = (min(low, op.idx), max(high, op.idx))
    sql = store.translate("SELECT idx FROM events WHERE rollout_id = ? AND idx >= ? AND idx <= ?")
    found: set[tuple[str, int]] = set()
    for rid, (low, high) in spans.items():
        found.update((rid, row[0]) for row in fetch(conn, sql, (rid, low, high)))
    return found


def _write_ops(store: Store, conn: Any, ops: list[Op]) -> tuple[int, int]:
    """Write ``ops`` in one transaction, skipping events already stored; (written, skipped)."""
    with store.transaction(conn) as cur:
        stored = _stored_indexes(store, conn, ops)
        fresh = [op for op in ops if not (isinstance(op, EventOp) and (op.rollout_id, op.idx) in stored)]
        store.apply(cur, plan_batch(fresh, {}), rebuild_aggregates=True)
    return len(fresh), len(ops) - len(fresh)


def import_ops(store: Store, ops: list[Op]) -> tuple[int, int, list[tuple[Op, str]]]:
    """Write rescued ops into ``store``: (written, events already there, ops refused with the reason).

    All in one transaction; if the store refuses some op, one op at a time, setting aside
    those refused. Raises (leaving the store as it was) when the store cannot be written.
    """
    conn = store.connect()
    try:
        try:
            written, skipped = _write_ops(store, conn, ops)
            return written, skipped, []
        except Exception as exc:
            if store.classify(exc) != "refused":
                raise
        written = skipped = 0
        refused: list[tuple[Op, str]] = []
        for op in ops:
            try:
                w, s = _write_ops(store, conn, [op])
            except Exception as exc:
                if store.classify(exc) != "refused":
                    raise
                refused.append((op, f"{type(exc).__name__}: {exc}"))
                continue
            written, skipped = written + w, skipped + s
        return written, skipped, refused
    finally:
        close_quietly(conn)


def import_file(store: Store, path: str | os.PathLike[str]) -> ImportResult:
    """Import one rescue file into ``store`` (whichever store it was written for), then delete it.

    The file is claimed first (renamed), so two processes opening the store at once do not
    both import it; it is put back when the store cannot take it.
    """
    path = Path(path)
    claimed = path.with_name(f"{path.name}.importing-{os.getpid()}")
    try:
        os.replace(path, claimed)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise ValueError(
            f"cannot take {path} to import it ({exc.strerror or exc}); import a copy in a folder that can be written"
        ) from None
    try:
        content = load(claimed)
        ops = [*content.ops, *(r.op for r in content.refused)]
        written, skipped, refused = import_ops(store, ops)
    except BaseException:
        os.replace(claimed, path)
        raise
    refused_path = None
    if refused:
        refused_path = save(store, [], refused, f"refused on import from {path.name}", suffix=REFUSED_SUFFIX)
    claimed.unlink()
    return ImportResult(path, store.url, written, skipped, len(refused), refused_path)


def import_pending(store: Store) -> list[ImportResult]:
    """Import every rescue file waiting for ``store`` (on a writer's start); never raises, warns instead."""
    results = []
    for path in pending_files(store):
        try:
            result = import_file(store, path)
        except FileNotFoundError:  # another process claimed it first
            continue
        except Exception as exc:
            warnings.warn(
                f"openreward_nb: could not import the rescue file {path} into {store.url} yet "
                f"({terminal_line(exc, 300)}); it is kept and tried again the next time the store is opened",
                RuntimeWarning,
                stacklevel=2,
            )
            break
        print(f"openreward_nb: imported a rescue file: {result.summary()}", file=sys.stderr)
        results.append(result)
    return results

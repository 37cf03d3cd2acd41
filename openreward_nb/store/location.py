"""Where records go: ``store=`` argument, else ``OPENREWARD_NB_STORE``, else a file in the working directory."""

from __future__ import annotations

import os
import threading
from typing import Union

from ..errors import StoreOpenError
from .base import Store

STORE_ENV = "OPENREWARD_NB_STORE"
DEFAULT_STORE_PATH = os.path.join(".openreward_nb", "store.sqlite")

StoreSpec = Union[str, "os.PathLike[str]", Store, None]

_OPEN: dict[str, Store] = {}
_OPEN_LOCK = threading.Lock()


def _absolute(path: str) -> str:
    return os.path.realpath(os.path.expanduser(path))


def resolve_store_url(store: StoreSpec = None) -> str:
    """The canonical URL of a store spec: ``sqlite:////abs/path`` or a ``postgresql://`` URL."""
    if isinstance(store, Store):
        return store.url
    spec = store if store is not None else (os.environ.get(STORE_ENV) or DEFAULT_STORE_PATH)
    text = os.fspath(spec)
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"store must be a file path or a sqlite:/// or postgresql:// URL, got {spec!r}")
    text = text.strip()
    scheme, sep, rest = text.partition("://")
    if not sep or (len(scheme) == 1 and scheme.isalpha()):  # a plain path (or a Windows drive)
        return f"sqlite:///{_absolute(text)}"
    scheme = scheme.lower()
    if scheme == "sqlite":
        path = rest[1:] if rest.startswith("/") else rest
        if not path or path == ":memory:":
            raise ValueError(
                f"store {text!r}: give the SQLite file, e.g. sqlite:///runs.db (relative) or sqlite:////abs/runs.db; "
                "an in-memory database cannot be shared with the writer thread"
            )
        return f"sqlite:///{_absolute(path)}"
    if scheme in ("postgresql", "postgres") or scheme.startswith("postgresql+"):
        return "postgresql://" + rest
    raise ValueError(f"store {text!r}: unsupported scheme {scheme!r}; use a file path, sqlite:/// or postgresql://")


def open_store(store: StoreSpec = None) -> Store:
    """The process-wide :class:`Store` for a spec, opened (and migrated) on first use."""
    if isinstance(store, Store):
        return store
    url = resolve_store_url(store)
    with _OPEN_LOCK:
        existing = _OPEN.get(url)
        if existing is not None:
            return existing
        opened = _open(url)
        _OPEN[url] = opened
        return opened


def _open(url: str) -> Store:
    if url.startswith("sqlite:///"):
        from .sqlite import SQLiteStore

        path = url[len("sqlite:///") :]
        try:
            return SQLiteStore(path)
        except Exception as exc:  # noqa: BLE001 - turned into one clear line
            raise StoreOpenError(f"cannot open the SQLite store at {path}: {exc}") from exc
    raise StoreOpenError(f"cannot open {redact(url)}: PostgreSQL support is not installed in this version")


def redact(url: str) -> str:
    """The URL with any password replaced by ***, for messages."""
    scheme, sep, rest = url.partition("://")
    creds, at, host = rest.rpartition("@")
    if not at or ":" not in creds:
        return url
    user = creds.split(":", 1)[0]
    return f"{scheme}{sep}{user}:***@{host}"


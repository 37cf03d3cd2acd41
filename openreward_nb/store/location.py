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


def close_store(store: Store) -> None:
    """Forget a store opened by :func:`open_store` and close this thread's connection to it."""
    with _OPEN_LOCK:
        for url in [u for u, opened in _OPEN.items() if opened is store]:
            del _OPEN[url]
    store.close_reader()


def _open(url: str) -> Store:
    if url.startswith("sqlite:///"):
        from .sqlite import SQLiteStore

        path = url[len("sqlite:///") :]
        try:
            return SQLiteStore(path)
        except Exception as exc:
            raise StoreOpenError(f"cannot open the SQLite store at {path}: {exc}") from None
    try:
        from .postgres import PostgresStore
    except ImportError:
        raise StoreOpenError(
            f"cannot open {redact(url)}: the PostgreSQL store needs psycopg 3 (pip install 'openreward-nb[postgres]')"
        ) from None
    return PostgresStore(url)


def _split_url(url: str) -> tuple[str, str, str, str]:
    """(``scheme://``, userinfo, hosts, the rest from the path on) of a URL."""
    scheme, sep, rest = url.partition("://")
    cut = min((i for i in (rest.find("/"), rest.find("?")) if i >= 0), default=len(rest))
    userinfo, _, hosts = rest[:cut].rpartition("@")
    return scheme + sep, userinfo, hosts, rest[cut:]


def redact(url: str) -> str:
    """The URL with any password (``user:password@`` or ``?password=``) replaced by ***, for messages."""
    if "://" not in url:
        return url
    scheme, userinfo, hosts, tail = _split_url(url)
    if userinfo:
        user, colon, _ = userinfo.partition(":")
        userinfo = f"{user}{':***' if colon else ''}@"
    path, q, query = tail.partition("?")
    if q:
        query = "&".join("password=***" if p.lower().startswith("password=") else p for p in query.split("&"))
    return f"{scheme}{userinfo}{hosts}{path}{q}{query}"


def url_passwords(url: str) -> list[str]:
    """The passwords written in a URL (after ``user:``, or as ``?password=``), to scrub from messages."""
    _, userinfo, _, tail = _split_url(url)
    found = [userinfo.partition(":")[2]]
    found += [p.partition("=")[2] for p in tail.partition("?")[2].split("&") if p.lower().startswith("password=")]
    return [secret for secret in found if secret]


def _forget_inherited_connections() -> None:
    for store in _OPEN.values():
        store.reset_after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_inherited_connections)

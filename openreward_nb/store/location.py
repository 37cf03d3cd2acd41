"""Where records go: ``store=``, else ``$OPENREWARD_NB_STORE``, else the project's ``.openreward_nb/``.

The project's store is found as git finds ``.git``: the nearest ``.openreward_nb/`` folder
in the working directory or its parents (below the home directory, on the same file
system), so the demo run at a project's root and a notebook run in one of its folders
share one store. Where there is none, a writer creates one in the working directory;
a reader (a view, a frame, a read command) says there is none and creates nothing.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Union

from ..errors import InvalidArgumentError, StoreNotFoundError, StoreOpenError
from ..extras import needs_extra
from .base import Store

STORE_ENV = "OPENREWARD_NB_STORE"
STORE_DIR = ".openreward_nb"
STORE_FILE = "store.sqlite"
DEFAULT_STORE_PATH = os.path.join(STORE_DIR, STORE_FILE)

StoreSpec = Union[str, "os.PathLike[str]", Store, None]

_OPEN: dict[str, Store] = {}
#: URLs in _OPEN opened for reading only (a writer opens them again)
_READ_ONLY: set[str] = set()
_OPEN_LOCK = threading.Lock()


@dataclass(frozen=True)
class Location:
    """A resolved store spec: its URL and how it was chosen (for messages)."""

    url: str
    #: "given" (store= or --store), "env" ($OPENREWARD_NB_STORE), "found" (a .openreward_nb/ in the
    #: working directory or a parent) or "new" (none found: the working directory's)
    origin: str
    #: the folders searched for .openreward_nb/, nearest first (origin "found" or "new")
    searched: tuple[str, ...] = ()

    @property
    def path(self) -> str | None:
        """The SQLite file, or None for a PostgreSQL store."""
        return self.url[len("sqlite:///") :] if self.url.startswith("sqlite:///") else None

    def missing(self) -> str:
        """Why a reader finds no store here: where it looked, and how to have one."""
        how = f"record something first (e.g. openreward-nb demo), or name a store with --store / store= or ${STORE_ENV}"
        if self.origin == "new":
            below = f" up to {self.searched[-1]}" if len(self.searched) > 1 else ""
            return f"no store: no {STORE_DIR}/ folder in {self.searched[0]} or its parents{below}; {how}"
        named = {"given": "", "env": f" (from ${STORE_ENV})", "found": f" (in the project's {STORE_DIR}/)"}
        return f"no store at {self.path}{named[self.origin]}; {how}"


def _absolute(path: str) -> str:
    return os.path.realpath(os.path.expanduser(path))


def project_search_path(start: str | None = None) -> list[str]:
    """The folders searched for ``.openreward_nb/``: ``start`` (the working directory) and its parents.

    The search stops below the home directory and the file system root (a store there
    would catch every project) and at the edge of ``start``'s file system, as git's does.
    """
    here = _absolute(start or os.getcwd())
    stops = (_absolute("~"), os.path.abspath(os.sep))
    try:
        device = os.stat(here).st_dev
    except OSError:
        return [here]
    folders = [here]
    if here in stops:
        return folders
    while True:
        parent = os.path.dirname(folders[-1])
        if parent == folders[-1] or parent in stops:
            return folders
        try:
            if os.stat(parent).st_dev != device:
                return folders
        except OSError:
            return folders
        folders.append(parent)


def find_project_store(start: str | None = None) -> Location:
    """The store of the project ``start`` is in: the nearest ``.openreward_nb/``, else a new one in ``start``."""
    folders = project_search_path(start)
    for folder in folders:
        if os.path.isdir(os.path.join(folder, STORE_DIR)):
            return Location(f"sqlite:///{os.path.join(folder, DEFAULT_STORE_PATH)}", "found", tuple(folders))
    return Location(f"sqlite:///{os.path.join(folders[0], DEFAULT_STORE_PATH)}", "new", tuple(folders))


def locate(store: StoreSpec = None) -> Location:
    """Where a store spec points: ``store=``, else ``$OPENREWARD_NB_STORE``, else the project's store."""
    if isinstance(store, Store):
        return Location(store.url, "given")
    if store is not None:
        return Location(_url_of(store), "given")
    if os.environ.get(STORE_ENV):
        return Location(_url_of(os.environ[STORE_ENV]), "env")
    return find_project_store()


def _url_of(spec: str | os.PathLike[str]) -> str:
    text = os.fspath(spec)
    if not isinstance(text, str) or not text.strip():
        raise InvalidArgumentError(f"store must be a file path or a sqlite:/// or postgresql:// URL, got {spec!r}")
    text = text.strip()
    scheme, sep, rest = text.partition("://")
    if not sep or (len(scheme) == 1 and scheme.isalpha()):  # a plain path (or a Windows drive)
        return f"sqlite:///{_absolute(text)}"
    scheme = scheme.lower()
    if scheme == "sqlite":
        path = rest[1:] if rest.startswith("/") else rest
        if not path or path == ":memory:":
            raise InvalidArgumentError(
                f"store {text!r}: give the SQLite file, e.g. sqlite:///runs.db (relative) or sqlite:////abs/runs.db; "
                "an in-memory database cannot be shared with the writer thread"
            )
        return f"sqlite:///{_absolute(path)}"
    if scheme in ("postgresql", "postgres") or scheme.startswith("postgresql+"):
        return "postgresql://" + rest
    raise InvalidArgumentError(
        f"store {text!r}: unsupported scheme {scheme!r}; use a file path, sqlite:/// or postgresql://"
    )


def resolve_store_url(store: StoreSpec = None) -> str:
    """The canonical URL of a store spec: ``sqlite:////abs/path`` or a ``postgresql://`` URL."""
    return locate(store).url


def open_store(store: StoreSpec = None, *, read_only: bool = False) -> Store:
    """The process-wide :class:`Store` for a spec, opened on first use.

    For writing (the default) the store is created where missing and its schema migrated.
    ``read_only=True`` is for readers: an existing store, opened without creating,
    migrating or writing anything (a SQLite file even on a read-only mount);
    :class:`StoreNotFoundError` says where none was found.
    """
    if isinstance(store, Store):
        return store
    where = locate(store)
    with _OPEN_LOCK:
        existing = _OPEN.get(where.url)
        if existing is not None and (read_only or where.url not in _READ_ONLY):
            return existing
        opened = _open(where, read_only)
        _OPEN[where.url] = opened
        if read_only:
            _READ_ONLY.add(where.url)
        else:
            _READ_ONLY.discard(where.url)
        return opened


def open_stores() -> list[Store]:
    """The stores :func:`open_store` has opened and not yet closed (tests release what they opened)."""
    with _OPEN_LOCK:
        return list(dict.fromkeys(_OPEN.values()))


def close_store(store: Store) -> None:
    """Forget a store opened by :func:`open_store` and close this thread's connection to it."""
    with _OPEN_LOCK:
        for url in [u for u, opened in _OPEN.items() if opened is store]:
            del _OPEN[url]
            _READ_ONLY.discard(url)
    store.close_reader()


def _open(where: Location, read_only: bool) -> Store:
    path = where.path
    if path is not None:
        from .sqlite import SQLiteStore

        if read_only and not os.path.isfile(path):
            raise StoreNotFoundError(where.missing())
        if not read_only and where.origin == "new":
            _make_project_folder(os.path.dirname(path))
        try:
            return SQLiteStore(path, read_only=read_only)
        except StoreOpenError:
            raise
        except Exception as exc:
            raise StoreOpenError(f"cannot open the SQLite store at {path}: {exc}") from None
    with needs_extra("postgres", f"The PostgreSQL store {redact(where.url)}"):
        from .postgres import PostgresStore
    return PostgresStore(where.url)


def _make_project_folder(folder: str) -> None:
    """A new ``.openreward_nb/`` with a ``.gitignore`` of its own: a store is never committed by mistake."""
    if os.path.isdir(folder):
        return
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, ".gitignore"), "w") as f:
        f.write("# the openreward-nb store: recorded rollouts, not source\n*\n")


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

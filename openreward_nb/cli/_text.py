"""What every command prints through: store content made inert, and the store's header line."""

from __future__ import annotations

import re
import sys

from ..safe_text import terminal_block, terminal_line
from ..store.base import Store
from ..store.location import redact
from ..store.sqlite import SQLiteStore, cannot_write

#: our own colours (SGR sequences): the only escape sequences a command prints on purpose
_SGR = re.compile(r"\x1b\[[0-9;]*m")


def inert(text: str, *, color: bool = False) -> str:
    """``text`` (which holds names, ids and content from the store) safe for a terminal.

    With ``color``, the colour sequences the views add are kept and everything between them
    made inert; without, every control character is shown as an escape.
    """
    if not color:
        return terminal_block(text)
    out, last = [], 0
    for match in _SGR.finditer(text):
        out += [terminal_block(text[last : match.start()]), match.group()]
        last = match.end()
    out.append(terminal_block(text[last:]))
    return "".join(out)


def emit(text: str, *, color: bool = False, err: bool = False) -> None:
    """Print ``text`` made :func:`inert`."""
    print(inert(text, color=color), file=sys.stderr if err else sys.stdout)


def where(store: Store) -> str:
    """The store as a person reads it: the SQLite file (and why it is read-only), or the URL without password."""
    if not isinstance(store, SQLiteStore):
        return terminal_line(redact(store.url))
    cause = cannot_write(store.path)
    return terminal_line(str(store.path)) + (f" (read-only: {cause})" if cause else "")


def header(store: Store) -> str:
    """The first line of every view command: which store it read."""
    return f"store: {where(store)}"

"""``openreward-nb copy SRC DST``: copy a store into another (SQLite <-> PostgreSQL); running it again is safe."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..counts import count
from ._text import emit, where


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "copy",
        help="copy every run, rollout, event, attachment and annotation from one store into another",
        description="Copy a store into another, e.g. a local SQLite file into a shared PostgreSQL database "
        "or back. Copying again adds only what is new; nothing already in DST is lost or duplicated.",
    )
    p.add_argument("src", metavar="SRC", help="store to read: a file path, sqlite:/// or postgresql:// URL")
    p.add_argument("dst", metavar="DST", help="store to write (created if missing)")
    p.add_argument(
        "--no-annotations",
        action="store_true",
        help="leave out annotations and label sets (share the rollouts without what people wrote about them)",
    )
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    p.set_defaults(handler=_run_copy)


def _run_copy(args: argparse.Namespace) -> int:
    from ..errors import InvalidArgumentError
    from ..store import open_store
    from ..store.location import resolve_store_url
    from ..store.transfer import copy_store

    if resolve_store_url(args.src) == resolve_store_url(args.dst):
        raise InvalidArgumentError(f"SRC and DST are the same store ({resolve_store_url(args.src)})")
    src = open_store(args.src, read_only=True)
    dst = open_store(args.dst)
    progress = None if args.quiet or not sys.stderr.isatty() else _show_progress
    counts = copy_store(src, dst, progress=progress, annotations=not args.no_annotations)
    if not args.quiet:
        emit(f"copied {where(src)} -> {where(dst)}: {counts.summary()}")
    return 0


def _show_progress(counts: Any) -> None:
    read = counts.read
    line = f"\r  {count(read['rollouts'], 'rollout')}, {count(read['events'], 'event')}"
    print(line, end="", file=sys.stderr)

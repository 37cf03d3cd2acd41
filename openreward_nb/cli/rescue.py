"""``openreward-nb rescue``: list and import rescue files (what a process could not write to its store)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from ..safe_text import terminal_line


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "rescue",
        help="list or import what a process could not write to its store",
        description="A process that ends while its store cannot be written (corrupt, read-only, unreachable) "
        "saves what it logged to a rescue file beside the store or in the user's cache folder. The next "
        "process that records into that store imports it; this command lists them and imports them by hand.",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="rescue files waiting for the store (or the files given)")
    listing.add_argument("files", nargs="*", type=Path, metavar="FILE")
    listing.set_defaults(handler=_run_list)
    importing = actions.add_parser(
        "import",
        help="import rescue files into the store (default: every file waiting for it)",
        description="Import rescue files into the store given with --store (default: the store each file was "
        "written for, or the default store when no file is given). Importing is safe to repeat: events the "
        "store already holds are skipped. An imported file is deleted.",
    )
    importing.add_argument("files", nargs="*", type=Path, metavar="FILE")
    importing.set_defaults(handler=_run_import)


def _files(args: argparse.Namespace) -> list[Path]:
    if args.files:
        for path in args.files:
            if not path.is_file():
                raise ValueError(f"no such file: {path}")
        return list(args.files)
    from ..store import open_store
    from ..store.rescue import pending_files

    return pending_files(open_store(args.store))


def _run_list(args: argparse.Namespace) -> int:
    from ..store.rescue import load

    files = _files(args)
    if not files:
        print("no rescue files")
        return 0
    for path in files:
        content = load(path)
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(content.written_at))
        refused = f", {len(content.refused)} refused" if content.refused else ""
        print(f"{terminal_line(path)}\n  for {terminal_line(content.store)}, written {when} by process {content.pid}")
        print(f"  {len(content.ops):,} items{refused}: {terminal_line(content.reason, 300)}")
    return 0


def _run_import(args: argparse.Namespace) -> int:
    from ..store import open_store
    from ..store.rescue import import_file, load

    files = _files(args)
    if not files:
        print("no rescue files")
        return 0
    for path in files:
        target = args.store
        if target is None and args.files:
            target = load(path).store
            if "***" in target:
                raise ValueError(f"{path} was written for {target}; name that store with --store (with its password)")
        print(terminal_line(import_file(open_store(target), path).summary()))
    return 0

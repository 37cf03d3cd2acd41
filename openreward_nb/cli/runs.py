"""``openreward-nb runs``: every run in the store as a table."""

from __future__ import annotations

import argparse

from ._text import emit, header
from ._views import add_color_flag, reader_store, use_color


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("runs", help="list the runs in the store")
    add_color_flag(p)
    p.set_defaults(handler=_runs)


def _runs(args: argparse.Namespace) -> int:
    from ..records import RunsAPI
    from ..safe_text import terminal_line
    from ..viz.rows import RUN_COLUMNS, run_row
    from ..viz.text import table_text

    store = reader_store(args)
    rows = [{**run_row(r), "run": terminal_line(r.name)} for r in RunsAPI(store).list()]
    emit(header(store))
    if not rows:
        emit("no runs in it yet")
        return 0
    color = use_color(args)
    emit(table_text(rows, RUN_COLUMNS, color=color), color=color)
    return 0

"""``openreward-nb runs``: every run in the store as a table."""

from __future__ import annotations

import argparse

from ._views import add_color_flag, client_for, use_color


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("runs", help="list the runs in the store")
    add_color_flag(p)
    p.set_defaults(handler=_runs)


def _runs(args: argparse.Namespace) -> int:
    from ..viz.rows import RUN_COLUMNS, run_row
    from ..viz.text import table_text

    client = client_for(args)
    rows = [run_row(r) for r in client.runs.list()]
    if not rows:
        print(f"no runs in {client.store.url}")
        return 0
    print(table_text(rows, RUN_COLUMNS, color=use_color(args)))
    return 0

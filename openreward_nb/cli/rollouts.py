"""``openreward-nb rollouts RUN``: a run's rollouts as a table."""

from __future__ import annotations

import argparse

from ..counts import count
from ._args import at_least
from ._text import emit, header
from ._views import add_color_flag, reader_store, use_color


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("rollouts", help="list a run's rollouts")
    p.add_argument("run", help="run name")
    p.add_argument("--status", choices=("running", "finished", "failed"), help="only rollouts with this status")
    p.add_argument("--limit", type=at_least(1), default=200, help="most rollouts to list (default 200)")
    add_color_flag(p)
    p.set_defaults(handler=_rollouts)


def _rollouts(args: argparse.Namespace) -> int:
    from ..records import RunsAPI
    from ..safe_text import terminal_line
    from ..viz.rows import BRIEF_ROLLOUT_COLUMNS, rollout_rows
    from ..viz.text import table_text

    columns = (("id", "id", "text"), *BRIEF_ROLLOUT_COLUMNS)
    store = reader_store(args)
    run = RunsAPI(store).get(args.run)
    rows = [
        {**row, "id": terminal_line(row["id"]), "rollout": terminal_line(row["rollout"])}
        for row in rollout_rows(run.rollouts(status=args.status), args.limit)
    ]
    total = run.n_rollouts if args.status is None else None
    what = count(len(rows), f"{args.status} rollout") if args.status else count(run.n_rollouts, "rollout")
    shown = f", the first {len(rows):,} shown (--limit)" if total is not None and total > len(rows) else ""
    emit(header(store))
    emit(f"run {terminal_line(run.name)}: {what}{shown}")
    if rows:
        color = use_color(args)
        emit(table_text(rows, columns, color=color), color=color)
    return 0

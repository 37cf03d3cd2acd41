"""``openreward-nb rollouts RUN``: a run's rollouts as a table."""

from __future__ import annotations

import argparse

from ._views import add_color_flag, client_for, use_color


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("rollouts", help="list a run's rollouts")
    p.add_argument("run", help="run name")
    p.add_argument("--status", choices=("running", "finished", "failed"), help="only rollouts with this status")
    p.add_argument("--limit", type=int, default=200, help="most rollouts to list (default 200)")
    add_color_flag(p)
    p.set_defaults(handler=_rollouts)


def _rollouts(args: argparse.Namespace) -> int:
    from ..viz.rows import BRIEF_ROLLOUT_COLUMNS, count_label, rollout_rows
    from ..viz.text import table_text

    columns = (("id", "id", "text"), *BRIEF_ROLLOUT_COLUMNS)
    run = client_for(args).runs.get(args.run)
    rows = rollout_rows(run.rollouts(status=args.status), max(0, args.limit))
    total = None if args.status else run.n_rollouts
    print(f"run {run.name}: {count_label(len(rows), total)}")
    if rows:
        print(table_text(rows, columns, color=use_color(args)))
    return 0

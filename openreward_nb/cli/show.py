"""``openreward-nb show ROLLOUT_ID``: one rollout as a colour timeline."""

from __future__ import annotations

import argparse

from ._views import add_color_flag, client_for, use_color


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("show", help="print a rollout's timeline")
    p.add_argument("rollout_id", help="rollout id (or a unique prefix of 6+ characters)")
    p.add_argument("--limit", type=int, default=200, help="most events to print (default 200; 0 for all)")
    p.add_argument("--chars", type=int, default=600, help="characters of each event's text (default 600)")
    add_color_flag(p)
    p.set_defaults(handler=_show)


def _show(args: argparse.Namespace) -> int:
    from ..viz.text import timeline_text

    record = client_for(args).rollouts.get(args.rollout_id)
    limit = None if args.limit <= 0 else args.limit
    print(timeline_text(record, color=use_color(args), limit=limit, chars=max(1, args.chars)))
    return 0

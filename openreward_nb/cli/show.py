"""``openreward-nb show ROLLOUT``: one rollout as a colour timeline."""

from __future__ import annotations

import argparse

from ._args import at_least
from ._text import emit, header
from ._views import add_color_flag, reader_store, use_color


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from ..references import FORMS

    p = sub.add_parser("show", help="print a rollout's timeline")
    p.add_argument("rollout", metavar="ROLLOUT", help=f"the rollout: {FORMS}")
    p.add_argument("--limit", type=at_least(0), default=200, help="most events to print (default 200; 0 for all)")
    p.add_argument("--chars", type=at_least(1), default=600, help="characters of each event's text (default 600)")
    add_color_flag(p)
    p.set_defaults(handler=_show)


def _show(args: argparse.Namespace) -> int:
    from ..records import RolloutsAPI
    from ..viz.text import timeline_text

    store = reader_store(args)
    record = RolloutsAPI(store).get(args.rollout)
    color = use_color(args)
    emit(header(store))
    emit(timeline_text(record, color=color, limit=args.limit or None, chars=args.chars), color=color)
    return 0

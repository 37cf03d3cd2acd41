"""``openreward-nb diff A B``: two rollouts aligned step by step, in colour, from their first divergence."""

from __future__ import annotations

import argparse

from ._args import at_least
from ._text import emit, header
from ._views import add_color_flag, reader_store, use_color


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from ..references import FORMS

    p = sub.add_parser("diff", help="print two rollouts aligned step by step, where they differ marked")
    p.add_argument("a", metavar="A", help=f"the first rollout: {FORMS}")
    p.add_argument("b", metavar="B", help="the second rollout, named the same ways")
    p.add_argument(
        "--limit",
        type=at_least(0),
        default=200,
        help="most blocks to print, a fold of identical steps counting as one (default 200; 0 for all)",
    )
    p.add_argument("--chars", type=at_least(1), default=600, help="characters of each event's text (default 600)")
    add_color_flag(p)
    p.set_defaults(handler=_diff)


def _diff(args: argparse.Namespace) -> int:
    from ..alignment import align
    from ..records import RolloutsAPI
    from ..viz.difftext import diff_text

    store = reader_store(args)
    rollouts = RolloutsAPI(store)
    alignment = align(rollouts.get(args.a), rollouts.get(args.b))
    color = use_color(args)
    emit(header(store))
    emit(diff_text(alignment, color=color, limit=args.limit or None, chars=args.chars), color=color)
    return 0

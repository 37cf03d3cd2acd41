"""``openreward-nb search QUERY``: every rollout's events searched, the matches printed with highlighted snippets."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ._args import at_least
from ._text import emit, header
from ._views import add_color_flag, use_color

if TYPE_CHECKING:
    from ..fulltext.hits import Hit


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "search",
        help="search the text of every event of every rollout",
        description="Print the events whose text (messages, reasoning, tool calls and results, tool names) "
        "holds QUERY, in any case, grouped by rollout with the match highlighted.",
    )
    p.add_argument("query", metavar="QUERY", help="the text to look for (a Python regular expression with --regex)")
    p.add_argument("--run", action="append", metavar="R", help="only this run (repeat for several)")
    p.add_argument("--type", action="append", metavar="T", help="only events of this type (repeat for several)")
    p.add_argument("--tool", metavar="NAME", help="only this tool's calls and their results")
    p.add_argument("--split", action="append", metavar="S", help="only rollouts of this split (repeat for several)")
    p.add_argument(
        "--status", action="append", choices=("running", "finished", "failed"), help="only rollouts with this status"
    )
    p.add_argument("--regex", action="store_true", help="QUERY is a Python regular expression ((?i) for any case)")
    p.add_argument("--limit", type=at_least(1), default=100, help="most matching events to print (default 100)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar while indexing or scanning")
    add_color_flag(p)
    p.set_defaults(handler=_search)


def _search(args: argparse.Namespace) -> int:
    from ..fulltext.frame import first_hits
    from ..fulltext.progress import SearchProgress
    from ..fulltext.request import Filters, open_search
    from ..viz.searchtext import hit_lines, summary_line

    bar = SearchProgress(False if args.no_progress else None)
    filters = Filters(runs=args.run, types=args.type, tool=args.tool, split=args.split, status=args.status)
    searcher = open_search(args.query, regex=args.regex, filters=filters, store=args.store, on_progress=bar)
    color = use_color(args)
    emit(header(searcher.store))
    shown: list[Hit] = []
    more = False

    def taken() -> Iterator[Hit]:
        nonlocal more
        for hit in first_hits(searcher, args.limit + 1):
            if len(shown) == args.limit:
                more = True
                return
            bar.stop()  # a match to print: the progress line ends here
            shown.append(hit)
            yield hit

    try:
        searcher.ready()
        if searcher.scanned_because:
            emit(f"(reading every event: {searcher.scanned_because})", err=True)
        with searcher.store.snapshot():
            for line in hit_lines(taken(), color=color):
                emit(line, color=color)
    finally:
        bar.close()
    emit(summary_line(shown, more) + (f" (the first {len(shown):,} shown: --limit)" if more else ""))
    return 0

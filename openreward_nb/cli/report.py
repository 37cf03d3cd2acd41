"""``openreward-nb report RUN... -o report.html``: runs as one HTML file that opens in any browser, offline."""

from __future__ import annotations

import argparse
from typing import Any

from ._args import at_least

STATUSES = ("running", "finished", "failed")
#: rollouts_df filters taken as one value each
_FILTERS = ("environment", "variant", "split", "model", "since", "until")


def _key_value(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key, value


def _megabytes(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of megabytes, got {text!r}") from None
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number of at least 0, got {text!r}")
    return value


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "report",
        help="write runs as one HTML file (table, charts, every timeline) that opens anywhere, offline",
        description="Write the rollouts of runs as one HTML file: each run's rollouts table and reward charts, "
        "and every rollout's timeline with the widget's look, filters and search. Every script, style and "
        "datum is inside the file; opening it makes no request. Filters choose what goes in.",
    )
    p.add_argument("runs", nargs="+", metavar="RUN", help="run name(s)")
    p.add_argument("-o", "--output", default="report.html", help="file to write (default: report.html)")
    p.add_argument("--title", help="the report's title (default: from the run names)")
    p.add_argument("--status", choices=STATUSES, action="append", help="only rollouts with this status (repeatable)")
    for name in _FILTERS:
        what = (
            "created at or after" if name == "since" else "created before" if name == "until" else f"with this {name}"
        )
        p.add_argument(
            f"--{name}", help=f"only rollouts {what}" + (" (ISO time)" if name in ("since", "until") else "")
        )
    p.add_argument("--min-reward", type=float, help="only rollouts with at least this total reward")
    p.add_argument(
        "--meta",
        type=_key_value,
        action="append",
        metavar="KEY=VALUE",
        help="only rollouts whose metadata has KEY=VALUE",
    )
    p.add_argument("--max-mb", type=_megabytes, default=50.0, help="cap on the file's data, in MB (default 50)")
    p.add_argument("--max-events", type=at_least(1), default=5_000, help="events of a rollout kept (default 5000)")
    p.add_argument("--image-mb", type=_megabytes, default=10.0, help="cap on the file's images, in MB (default 10)")
    p.set_defaults(handler=_report)


def _report(args: argparse.Namespace) -> int:
    from ..counts import count
    from ..reports import report
    from ..safe_text import terminal_line
    from ._text import emit, header
    from ._views import reader_store

    store = reader_store(args)
    filters: dict[str, Any] = {name: getattr(args, name) for name in _FILTERS}
    filters.update(status=args.status, min_reward=args.min_reward, metadata=dict(args.meta) if args.meta else None)
    emit(header(store))
    done = report(
        args.runs,
        args.output,
        store=store,
        title=args.title,
        max_mb=args.max_mb,
        max_events=args.max_events,
        image_mb=args.image_mb,
        **filters,
    )
    emit(
        f"wrote {terminal_line(str(done.path))} ({done.bytes / 1e6:.1f} MB): {count(done.rollouts, 'rollout')}, "
        f"{count(done.timelines, 'timeline')}"
    )
    for notice in done.notices:
        emit(f"  note: {notice}")
    emit(f"open it in any browser: {terminal_line(done.path.as_uri())}")
    return 0

"""``openreward-nb export RUN...``: write runs as Parquet or CSV frames, or as JSONL chats for fine-tuning
(or, with ``--preferences``, preference pairs for DPO)."""

from __future__ import annotations

import argparse
import re
from typing import Any

from ..counts import count
from ._text import emit, header

_FILTERS = ("environment", "split")
STATUSES = ("running", "finished", "failed")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "export",
        help="write runs as Parquet / CSV (a frame) or JSONL (one chat per line)",
        description="Write the rollouts (or runs, events, tool calls) of runs as Parquet or CSV, "
        "or their conversations as JSONL chats for fine-tuning.",
    )
    p.add_argument("runs", nargs="+", metavar="RUN", help="run name(s)")
    p.add_argument("--format", choices=("parquet", "csv", "jsonl"), default="parquet", help="default: parquet")
    p.add_argument(
        "--level",
        default="rollouts",
        help="frame to write: runs, rollouts, events, tool_calls or annotations (default: rollouts; not used by jsonl)",
    )
    p.add_argument("-o", "--output", help="file to write (default: RUN.LEVEL.parquet / .csv, RUN.jsonl)")
    p.add_argument("--min-reward", type=float, help="only rollouts with at least this total reward")
    p.add_argument("--chat-format", default="openai", help="jsonl messages: openai (default) or anthropic")
    p.add_argument("--status", choices=STATUSES, help="only rollouts with this status")
    for name in _FILTERS:
        p.add_argument(f"--{name}", help=f"only rollouts with this {name}")
    p.add_argument(
        "--label", action="append", metavar="LABEL", help="only rollouts given this label (repeat: any of them)"
    )
    p.add_argument("--unlabelled", action="store_true", help="only rollouts not labelled yet")
    pairs = p.add_argument_group(
        "preference pairs",
        "--preferences writes JSONL pairs of rollouts of the same task for DPO, one pair per line in TRL's "
        'conversational preference format: {"prompt": [...], "chosen": [...], "rejected": [...]}',
    )
    pairs.add_argument("--preferences", action="store_true", help="write preference pairs (implies JSONL)")
    pairs.add_argument(
        "--chosen", default="reward", metavar="RULE", help="reward (default), score, or label:NAME: what is chosen"
    )
    pairs.add_argument(
        "--rejected",
        metavar="label:NAME",
        help="with --chosen label:NAME: the label of the rejected (default: the rest)",
    )
    pairs.add_argument("--min-gap", type=float, default=0.0, help="least reward or score difference of a pair")
    pairs.add_argument(
        "--pairs", default="best_worst", metavar="HOW", help="best_worst (one pair per task, default) or all"
    )
    pairs.add_argument(
        "--by",
        metavar="KEY",
        help="what makes a task: a rollouts column (e.g. metadata.prompt_id; default: the task key)",
    )
    p.set_defaults(handler=_export)


def default_output(runs: list[str], level: str, format: str) -> str:
    """A file name in the working directory from the run names, level and format."""
    stem = "+".join(runs) if len(runs) <= 3 else f"{runs[0]}+{len(runs) - 1}-more"
    stem = re.sub(r"[^A-Za-z0-9._+-]", "_", stem)
    if level == "preferences":
        return f"{stem}.preferences.jsonl"
    return f"{stem}.jsonl" if format == "jsonl" else f"{stem}.{level}.{format}"


def _export(args: argparse.Namespace) -> int:
    from ..errors import InvalidArgumentError
    from ..frames import LEVELS, export_jsonl, frame_at
    from ..frames.chat import FORMATS
    from ..frames.files import write_frame
    from ..safe_text import terminal_line
    from ._views import reader_store

    # checked here, where the frames are loaded (the parser is built without pandas)
    for option, value, known in (("--level", args.level, LEVELS), ("--chat-format", args.chat_format, FORMATS)):
        if value not in known:
            raise InvalidArgumentError(f"{option}: unknown {value!r}; choose from {', '.join(known)}")
    store = reader_store(args)
    output = args.output or default_output(args.runs, "preferences" if args.preferences else args.level, args.format)
    filters: dict[str, Any] = {name: getattr(args, name) for name in (*_FILTERS, "status")}
    filters.update(label=args.label, unlabelled=True if args.unlabelled else None)
    emit(header(store))
    if args.preferences:
        from ..frames import export_preferences

        n = export_preferences(
            args.runs,
            output,
            by=args.by,
            chosen=args.chosen,
            rejected=args.rejected,
            min_gap=args.min_gap,
            pairs=args.pairs,
            format=args.chat_format,
            store=store,
            **filters,
            min_reward=args.min_reward,
        )
        emit(f"wrote {count(n, 'preference pair')} to {terminal_line(output)}")
        return 0
    if args.format == "jsonl":
        n = export_jsonl(args.runs, output, min_reward=args.min_reward, format=args.chat_format, store=store, **filters)
        emit(f"wrote {count(n, 'chat')} to {terminal_line(output)}")
        return 0
    frame = frame_at(args.level, args.runs, store=store, min_reward=args.min_reward, **filters)
    write_frame(frame, output, args.format)
    nouns = {"runs": "run", "rollouts": "rollout", "events": "event", "tool_calls": "tool call"}
    noun = {**nouns, "annotations": "annotation"}[args.level]
    emit(f"wrote {count(len(frame), noun + ' row')} to {terminal_line(output)}")
    return 0

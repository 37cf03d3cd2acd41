"""``openreward-nb tasks RUN [RUN...]``: the per-task table (success rate, pass@k), hardest task first."""

from __future__ import annotations

import argparse
import math
import warnings
from typing import Any

from ..counts import count
from ._args import at_least
from ._text import emit, header
from ._views import add_color_flag, reader_store, use_color

_REWARDS = ("total", "final", "max")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "tasks",
        help="per-task success rate and pass@k of runs, hardest first",
        description="One row per task (and run): attempts, success rate, mean reward, pass@k, mean steps "
        "and tool calls; the hardest task (lowest success rate over the runs) first.",
    )
    p.add_argument("runs", nargs="+", metavar="RUN", help="run name(s)")
    p.add_argument("--by", help="the rollouts_df column naming a rollout's task (default: task_spec's id, ...)")
    p.add_argument("--reward", choices=_REWARDS, default="total", help="which reward (default: total)")
    p.add_argument("--threshold", type=float, default=1.0, help="a success is a reward at least this (default 1)")
    p.add_argument("--k", type=at_least(1), nargs="+", default=[1, 5, 10], help="the k of pass@k (default: 1 5 10)")
    p.add_argument("--limit", type=at_least(1), default=50, help="most tasks to list (default 50)")
    add_color_flag(p)
    p.set_defaults(handler=_tasks)


def hardest_first(frame: Any) -> Any:
    """``tasks_df`` rows grouped by task, the task with the lowest mean success rate over its runs first
    (then the lowest mean reward); within a task, runs in the order given."""
    by_task = frame.groupby("task", sort=False)
    ranked = frame.assign(
        _rate=by_task["success_rate"].transform("mean"),
        _mean=by_task["mean"].transform("mean"),
        _first=by_task.ngroup(),
    )
    order = ranked.sort_values(["_rate", "_mean", "_first"], na_position="last", kind="stable").index
    return frame.loc[order].reset_index(drop=True)


def _cell(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _tasks(args: argparse.Namespace) -> int:
    from ..frames import tasks_df
    from ..safe_text import terminal_line

    store = reader_store(args)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = tasks_df(args.runs, by=args.by, reward=args.reward, threshold=args.threshold, k=args.k, store=store)
    frame = hardest_first(frame)
    tasks = list(dict.fromkeys(frame["task"]))
    shown = frame[frame["task"].isin(set(tasks[: args.limit]))]
    several = len(args.runs) > 1
    columns = [
        ("task", "task", "text"),
        *((("run", "run", "text"),) if several else ()),
        ("n", "n", "int"),
        ("success_rate", "success", "reward"),
        ("mean", "mean reward", "reward"),
        *((f"pass@{k}", f"pass@{k}", "reward") for k in dict.fromkeys(args.k)),
        ("steps", "steps", "reward"),
        ("tool_calls", "tool calls", "reward"),
    ]
    rows = [{key: _cell(row.get(key)) for key, _, _ in columns} for row in shown.to_dict("records")]
    emit(header(store))
    for warning in caught:
        emit(f"note: {warning.message}", err=True)
    names = ", ".join(terminal_line(run, 60) for run in args.runs)
    what = f"runs {names}: {count(len(tasks), 'task')}" if several else f"run {names}: {count(len(tasks), 'task')}"
    more = f", the hardest {args.limit:,} shown (--limit)" if len(tasks) > args.limit else ""
    success = f"success: {args.reward} reward ≥ {args.threshold:g}"
    emit(f"{what}, hardest first ({success}){more}")
    if rows:
        from ..viz.text import table_text

        color = use_color(args)
        emit(table_text(rows, columns, color=color), color=color)
    return 0

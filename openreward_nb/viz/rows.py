"""Rollouts and runs as flat rows (one dict each) for tables, charts and text."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice
from typing import Any

from ..records import RolloutRecord, RunRecord
from .source import header_fields

#: a table column: (row key, label, kind: text, int, reward, duration, time or status)
Column = tuple[str, str, str]

ROLLOUT_COLUMNS: tuple[Column, ...] = (
    ("rollout", "rollout", "text"),
    ("status", "status", "status"),
    ("total_reward", "reward", "reward"),
    ("final_reward", "final", "reward"),
    ("events", "events", "int"),
    ("turns", "turns", "int"),
    ("tool_calls", "tool calls", "int"),
    ("errors", "errors", "int"),
    ("tokens", "tokens", "int"),
    ("duration_s", "duration", "duration"),
    ("step", "step", "int"),
    ("created_at", "created", "time"),
)
RUN_COLUMNS: tuple[Column, ...] = (
    ("run", "run", "text"),
    ("rollouts", "rollouts", "int"),
    ("running", "running", "int"),
    ("finished", "finished", "int"),
    ("failed", "failed", "int"),
    ("events", "events", "int"),
    ("mean_reward", "mean reward", "reward"),
    ("last_event_at", "last event", "time"),
)


def pick(columns: Iterable[Column], *keys: str) -> tuple[Column, ...]:
    """The columns named by ``keys``, in that order."""
    by_key = {c[0]: c for c in columns}
    return tuple(by_key[k] for k in keys)


#: most rollouts a run table loads
MAX_ROWS = 5_000
#: most metadata keys that become columns
MAX_META_COLUMNS = 8


def _scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool)) and not (isinstance(value, str) and len(value) > 80)


#: the rollout columns a static or text table shows
BRIEF_ROLLOUT_COLUMNS = pick(
    ROLLOUT_COLUMNS, "rollout", "status", "total_reward", "events", "turns", "tool_calls", "tokens", "duration_s"
)


def rollout_row(rec: RolloutRecord) -> dict[str, Any]:
    """One rollout's table row: its header fields, tokens, training step; scalar metadata as ``meta.KEY``."""
    step = (rec.rollout_info or {}).get("current_step")
    row = header_fields(rec)
    row.update(
        rollout=rec.rollout_name or rec.id[:8],
        tokens=rec.total_tokens,
        step=step if isinstance(step, (int, float)) and not isinstance(step, bool) else None,
        seq=rec.seq,
    )
    for key, value in (rec.metadata or {}).items():
        if _scalar(value):
            row[f"meta.{key}"] = value
    return row


def rollout_rows(rollouts: Iterable[RolloutRecord], limit: int = MAX_ROWS) -> list[dict[str, Any]]:
    """Rows for up to ``limit`` rollouts."""
    return [rollout_row(r) for r in islice(rollouts, limit)]


#: row keys a run table keeps beyond its columns: what the run charts' filters select on
FILTER_KEYS = ("total_reward", "step", "seq")


def meta_columns(rows: list[dict[str, Any]], limit: int = MAX_META_COLUMNS) -> list[str]:
    """The ``meta.*`` keys found in the rows, most common first."""
    seen: dict[str, int] = {}
    for row in rows:
        for key in row:
            if key.startswith("meta."):
                seen[key] = seen.get(key, 0) + 1
    return sorted(seen, key=lambda k: (-seen[k], k))[:limit]


def run_table_columns(rows: list[dict[str, Any]]) -> list[Column]:
    """The columns of a run's rollouts table: the rollout columns, then the metadata found in ``rows``;
    no step column when no rollout has one."""
    columns = [*ROLLOUT_COLUMNS, *((k, k[len("meta.") :], "text") for k in meta_columns(rows))]
    if all(r["step"] is None for r in rows):
        columns = [c for c in columns if c[0] != "step"]
    return columns


def run_row(run: RunRecord) -> dict[str, Any]:
    """One run's table row."""
    return {
        "id": run.name,
        "run": run.name,
        "rollouts": run.n_rollouts,
        "running": run.n_running,
        "finished": run.n_finished,
        "failed": run.n_failed,
        "events": run.n_events,
        "mean_reward": run.mean_reward,
        "last_event_at": run.last_event_at,
    }


def count_label(shown: int, total: int | None) -> str:
    """'50 rollouts' or 'the first 5,000 of 12,000 rollouts'."""
    if total is None or total <= shown:
        return f"{shown:,} rollouts"
    return f"the first {shown:,} of {total:,} rollouts"

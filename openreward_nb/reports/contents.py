"""What a report holds: its sections (each run's table and charts), every rollout's chunk that fits
in the size cap, the images, and notices saying what was left out and how to choose what goes in.

A section is a view the page draws by its ``kind`` (report.js keeps a drawer per kind). A run's
rollouts table and charts are the ``run`` kind; a per-task view adds a kind: a builder beside
:func:`run_section` and a drawer in report.js's ``SECTIONS``.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .._version import __version__
from ..counts import count
from ..records import RolloutRecord
from ..store.base import Store
from ..viz.charts import run_charts
from ..viz.presentation import looks_data
from ..viz.render import fmt_reward
from ..viz.rows import FILTER_KEYS, rollout_rows, run_table_columns
from ..viz.source import FIRST_PAGE, MAX_PAGE
from ..viz.table import slim_rows
from ..viz.timeline import MAX_HITS
from .chunk import FILE_LEFT_OUT, REMOTE_IMAGE, ChunkMaker, pack
from .images import OVER_CAP, ImageShelf

MB = 1_000_000


@dataclass(frozen=True)
class Limits:
    """How big a report may grow."""

    #: the data a file holds at most (timelines and images; the page's code and the table come on top)
    max_bytes: int = 50 * MB
    #: events of one rollout a file holds at most (its first ones)
    max_events: int = 5_000
    #: bytes of images a file holds at most
    image_bytes: int = 10 * MB


@dataclass
class Contents:
    """A report's data, ready for the page."""

    #: what the page reads first: sections, looks, notices, and where each rollout's chunk is
    index: dict[str, Any]
    #: each included rollout's packed chunk, by the id of the element that holds it
    chunks: dict[str, str] = field(default_factory=dict)
    #: each image, base64, by its position (events refer to it by that number)
    images: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    rollouts: int = 0
    timelines: int = 0


#: a rollout's row in a report with a cut: whether its timeline is in the file
IN_REPORT = ("in_report", "in report", "text")
SIZE_CAP = "the report reached its size cap before this rollout"


def run_section(
    store: Store, name: str, rows: list[dict[str, Any]], columns: Sequence[tuple[str, str, str]]
) -> dict[str, Any]:
    """One run's part of the report: its numbers, the rollouts table and the reward charts."""
    found = store.list_runs(name)
    rewards = [r["total_reward"] for r in rows if r["total_reward"] is not None]
    keys = {c[0] for c in columns} | {"id", *FILTER_KEYS}
    return {
        "kind": "run",
        "name": name,
        "caption": f"run {name}: {count(len(rows), 'rollout')}",
        "summary": {
            "rollouts": len(rows),
            "in_run": found[0]["n_rollouts"] if found else len(rows),
            "running": sum(r["status"] == "running" for r in rows),
            "failed": sum(r["status"] == "failed" for r in rows),
            "mean_reward": fmt_reward(sum(rewards) / len(rewards)) if rewards else None,
        },
        "columns": [{"key": key, "label": label, "kind": kind} for key, label, kind in columns],
        "rows": slim_rows(rows, keys),
        "charts": run_charts(rows),
    }


def build(
    store: Store,
    records: Sequence[RolloutRecord],
    limits: Limits,
    title: str,
    *,
    scope: str = "",
    single: bool = False,
) -> Contents:
    """The contents of a report on ``records`` (in the order given, which is the order of the cut).

    ``scope`` says in words which rollouts were asked for; ``single``: one rollout's report (no table).
    """
    maker = ChunkMaker(ImageShelf(limits.image_bytes), limits.max_events)
    out = Contents(index={})
    entries: dict[str, dict[str, Any]] = {}
    used = 0
    cut_at: int | None = None
    for n, rec in enumerate(records):
        if cut_at is not None:
            entries[rec.id] = {"chunk": None, "why": SIZE_CAP}
            continue
        mark = maker.mark()
        chunk = maker.chunk(rec)
        packed = pack(chunk)
        images = -(-maker.shelf.used * 4 // 3)  # as base64 in the file
        if used + len(packed) + images > limits.max_bytes:
            maker.rollback(mark)
            cut_at = n
            entries[rec.id] = {"chunk": None, "why": SIZE_CAP}
            continue
        element = f"orw-r{n}"
        out.chunks[element] = packed
        used += len(packed)
        entries[rec.id] = {"chunk": element, "cut": chunk["cut"]}
    out.images = [base64.b64encode(img.data).decode("ascii") for img in maker.shelf.kept]
    out.rollouts, out.timelines = len(records), len(out.chunks)
    out.notices = _notices(out, entries, limits, maker)
    sections: list[dict[str, Any]] = []
    if not single:
        rows = rollout_rows(records, limit=len(records))
        if cut_at is not None:
            for row in rows:
                row["in_report"] = "timeline" if entries[row["id"]]["chunk"] else "table only"
        by_run: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            by_run.setdefault(row["run"], []).append(row)
        for name, run_rows in by_run.items():
            columns = run_table_columns(run_rows) + ([IN_REPORT] if cut_at is not None else [])
            sections.append(run_section(store, name, run_rows, columns))
    out.index = {
        "title": title,
        "made": time.time(),
        "version": __version__,
        "scope": scope,
        "looks": looks_data(),
        "limits": {"first_page": FIRST_PAGE, "max_page": MAX_PAGE, "max_hits": MAX_HITS},
        "notices": out.notices,
        "sections": sections,
        "rollouts": entries,
        "single": records[0].id if single and records else None,
    }
    return out


def _notices(out: Contents, entries: dict[str, dict[str, Any]], limits: Limits, maker: ChunkMaker) -> list[str]:
    """What the report says it left out, and how to choose what goes in."""
    notices = []
    if out.timelines < out.rollouts:
        notices.append(
            f"This file holds the timelines of {out.timelines:,} of {count(out.rollouts, 'rollout')}: it reached its "
            f"size cap of {limits.max_bytes / MB:g} MB; the others are in the table only. Choose what goes in with "
            "filters (split, status, min_reward, metadata… as rollouts_df takes them; --split, --status, "
            "--min-reward, --meta on the command line), or raise the cap (max_mb, --max-mb)."
        )
    long = sum(1 for e in entries.values() if e.get("cut"))
    if long:
        notices.append(
            f"{count(long, 'rollout')} longer than {limits.max_events:,} events: "
            f"{'its timeline stops' if long == 1 else 'their timelines stop'} at event #{limits.max_events - 1:,} "
            "(max_events, --max-events)."
        )
    for reason, n in sorted(maker.shelf.left_out.items()):
        cap = f" of {limits.image_bytes / MB:g} MB (image_mb, --image-mb)" if reason == OVER_CAP else ""
        notices.append(f"{count(n, 'image')} left out: {reason}{cap}.")
    if maker.other[FILE_LEFT_OUT]:
        notices.append(
            f"{count(maker.other[FILE_LEFT_OUT], 'attached file')} not in this file (a report holds images only)."
        )
    if maker.other[REMOTE_IMAGE]:
        notices.append(
            f"{count(maker.other[REMOTE_IMAGE], 'image')} at remote addresses shown as links (a report makes no requests)."
        )
    return notices

"""Shareable reports: runs or one rollout as one HTML file that opens anywhere, offline.

The file holds each run's rollouts table and reward charts and every rollout's timeline, drawn by
the widgets' own code, with every script, style and datum inside it and no request made when it
is opened. See :func:`report`.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InvalidArgumentError, NotFoundError
from ..records import RolloutRecord
from ..store.base import ROLLOUT_COLUMNS, Store
from ..store.location import StoreSpec, open_store
from .contents import MB, Limits, build
from .page import html

__all__ = ["Limits", "Report", "report", "rollout_report"]


@dataclass
class Report:
    """A report written to a file: where, how big, and what it holds."""

    path: Path
    bytes: int
    #: rollouts in its tables
    rollouts: int
    #: rollouts whose timelines it holds
    timelines: int
    #: what it left out, as it says so on its first screen
    notices: list[str] = field(default_factory=list)


def _limits(max_mb: float | None, max_events: int, image_mb: float) -> Limits:
    """The limits asked for (``max_mb`` None: no size cap), each checked."""
    for name, value in (("max_mb", max_mb), ("max_events", max_events), ("image_mb", image_mb)):
        if value is None and name == "max_mb":
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0 or value == float("inf"):
            raise InvalidArgumentError(f"{name} must be a finite number of at least 0, got {value!r}")
    if max_events < 1:
        raise InvalidArgumentError(f"max_events must be at least 1, got {max_events!r}")
    max_bytes = sys.maxsize if max_mb is None else int(max_mb * MB)
    return Limits(max_bytes=max_bytes, max_events=int(max_events), image_bytes=int(image_mb * MB))


def _write(path: str | os.PathLike[str], text: str) -> Path:
    """``text`` written to ``path`` whole or not at all (a reader never sees half a report)."""
    target = Path(path).expanduser()
    if target.is_dir():
        raise InvalidArgumentError(f"{target} is a folder; give the report a file name, e.g. {target / 'report.html'}")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".report-", suffix=".html", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, target)
    except BaseException:
        os.unlink(tmp)
        raise
    return target.resolve()


def _select(store: Store, runs: Any, filters: Mapping[str, Any]) -> list[RolloutRecord]:
    """The rollouts of ``runs`` matching ``filters`` (as ``rollouts_df`` takes them), in creation order."""
    from ..frames.filters import rollout_where
    from ..frames.pages import rollout_pages

    try:
        where = rollout_where(store, runs, filters)
    except (TypeError, ValueError) as exc:  # an unknown filter, a time that is not one: say which
        raise InvalidArgumentError(str(exc)) from exc
    select = ", ".join(f"r.{c}" for c in ROLLOUT_COLUMNS)
    return [
        RolloutRecord.from_row(dict(zip(ROLLOUT_COLUMNS, row[:-1], strict=True)), store)
        for page in rollout_pages(store, select, where)
        for row in page
    ]


def _scope(runs: Any, filters: Mapping[str, Any]) -> str:
    names = [runs] if isinstance(runs, str) else list(runs or [])
    said = [f"run{'s' if len(names) > 1 else ''} {', '.join(names)}"] if names else []
    said += [f"{k}={v!r}" for k, v in filters.items() if v is not None]
    return " · ".join(said)


def report(
    runs: str | list[str] | None = None,
    path: str | os.PathLike[str] = "report.html",
    *,
    store: StoreSpec = None,
    title: str | None = None,
    max_mb: float = Limits.max_bytes / MB,
    max_events: int = Limits.max_events,
    image_mb: float = Limits.image_bytes / MB,
    **filters: Any,
) -> Report:
    """Write the rollouts of ``runs`` (a name or names; all runs by default) that match ``filters``
    to ``path`` as one HTML file: each run's sortable, filterable rollouts table and reward charts,
    and every rollout's timeline (opened on a click) with the widget's look, type filters and search.

    Filters are those of :func:`openreward_nb.rollouts_df` (``split``, ``status``, ``environment``,
    ``model``, ``since`` / ``until``, ``metadata={...}``, ``min_reward``...): they choose what goes in.
    The file holds timelines in creation order until its data reaches ``max_mb`` megabytes (the
    rest stay in the table), at most ``max_events`` events of a rollout, and ``image_mb`` megabytes
    of images (thumbnails when Pillow is installed); what it leaves out, it says on its first screen.
    """
    source = open_store(store, read_only=True)
    limits = _limits(max_mb, max_events, image_mb)
    records = _select(source, runs, filters)
    scope = _scope(runs, filters)
    if not records:
        raise NotFoundError(f"no rollouts to report: none matches {scope or 'in the store'}")
    names = list(dict.fromkeys(r.run_name for r in records))
    title = title or f"{', '.join(names[:3])}{' and more' if len(names) > 3 else ''}: openreward-nb report"
    contents = build(source, records, limits, title, scope=scope)
    target = _write(path, html(contents, title))
    return Report(target, target.stat().st_size, contents.rollouts, contents.timelines, contents.notices)


def rollout_report(
    record: RolloutRecord,
    path: str | os.PathLike[str],
    *,
    title: str | None = None,
    max_events: int = Limits.max_events,
    image_mb: float = Limits.image_bytes / MB,
) -> Report:
    """Write one rollout's timeline to ``path`` as one HTML file (see :func:`report`)."""
    limits = _limits(None, max_events, image_mb)
    title = title or f"{record.run_name}/{record.rollout_name or record.id}: openreward-nb report"
    contents = build(record.store, [record], limits, title, scope=f"run {record.run_name}", single=True)
    target = _write(path, html(contents, title))
    return Report(target, target.stat().st_size, 1, 1, contents.notices)

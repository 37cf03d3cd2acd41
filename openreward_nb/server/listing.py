"""The read side of the API, served from the store: ``GET /v1/runs``, ``/v1/runs/{id}``, ``/v1/runs/{id}/rollouts``.

Answers carry the fields the ``openreward`` CLI reads (``runs``/``rollouts`` plus ``total``;
``name``, ``num_rollouts``, ``avg_rollout_reward``, ``avg_rollout_length``, ``created_at``,
``updated_at`` for a run; ``id``, ``rolloutName``, ``environment``, ``max_reward``,
``num_messages``, ``created_at`` for a rollout) and the other rollout fields the wire fills
(not the end time or error: the SDK sends neither). A run's id is its name. Times are ISO
8601 in UTC.

One unreadable stored value (JSON that is not JSON, a time no datetime holds, a number
that is not finite) never fails a listing: it shows as missing (null), and a warning
naming the rollout or run is logged once.
"""

from __future__ import annotations

import json
import logging
import math
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from ..safe_text import terminal_line
from ..store.base import Store

MAX_PAGE = 500

_RUNS = """SELECT r.name, r.created_at, COUNT(o.id), AVG(o.total_reward), AVG(o.n_events),
    MAX(COALESCE(o.last_event_at, o.created_at))
    FROM runs r LEFT JOIN rollouts o ON o.run_name = r.name
    WHERE {where} GROUP BY r.name, r.created_at ORDER BY r.created_at DESC, r.name LIMIT ? OFFSET ?"""
_COUNT_RUNS = "SELECT COUNT(*) FROM runs r WHERE {where}"
_SEARCH = "LOWER(r.name) LIKE LOWER(?) ESCAPE '!'"
_ROLLOUT_FIELDS: tuple[tuple[str, str], ...] = (
    ("id", "id"),
    ("run_name", "runName"),
    ("rollout_name", "rolloutName"),
    ("environment", "environment"),
    ("variant", "variant"),
    ("split", "split"),
    ("status", "status"),
    ("created_at", "created_at"),
    ("n_events", "num_messages"),
    ("n_tool_calls", "num_tool_calls"),
    ("total_reward", "total_reward"),
    ("final_reward", "final_reward"),
    ("max_reward", "max_reward"),
    ("is_finished", "is_finished"),
    ("metadata", "metadata"),
    ("task_spec", "task_spec"),
    ("run_info", "run_info"),
    ("rollout_info", "rollout_info"),
)
_ROLLOUTS = (
    f"SELECT {', '.join(c for c, _ in _ROLLOUT_FIELDS)} FROM rollouts WHERE run_name = ? ORDER BY seq LIMIT ? OFFSET ?"
)
_COUNT_ROLLOUTS = "SELECT COUNT(*) FROM rollouts WHERE run_name = ?"
_JSON_FIELDS = frozenset({"metadata", "task_spec", "run_info", "rollout_info"})
_TIME_FIELDS = frozenset({"created_at"})
_NUMBER_FIELDS = frozenset({"total_reward", "final_reward", "max_reward"})
log = logging.getLogger("openreward_nb.server")


class Unreadable(ValueError):
    """A stored value no answer can carry."""


def iso(seconds: float | None) -> str | None:
    """Epoch seconds as ISO 8601 UTC (None stays None); Unreadable when no datetime holds it."""
    if seconds is None:
        return None
    try:
        return datetime.fromtimestamp(seconds, UTC).isoformat()
    except (OverflowError, OSError, ValueError, TypeError) as exc:
        raise Unreadable(f"time {seconds!r:.40} is out of range ({exc})") from None


def _refuse_constant(name: str) -> Any:
    raise Unreadable(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise Unreadable(f"{text[:40]} is not a finite number")
    return value


def stored_json(text: str | None) -> Any:
    """A stored JSON column as a value; Unreadable when it is not JSON an answer can carry."""
    if text is None:
        return None
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except (ValueError, RecursionError) as exc:
        raise Unreadable(f"not valid JSON ({exc})") from None


def finite(value: Any) -> Any:
    """A stored number as it is; Unreadable when it is infinite or NaN (JSON holds neither)."""
    if isinstance(value, float) and not math.isfinite(value):
        raise Unreadable(f"{value!r} is not a finite number")
    return value


class _Warned:
    """What has been warned about already, so each unreadable value is reported once (bounded)."""

    LIMIT = 10_000

    def __init__(self) -> None:
        self._seen: set[tuple[str, str, str]] = set()
        self._lock = threading.Lock()

    def first(self, key: tuple[str, str, str]) -> bool:
        with self._lock:
            if key in self._seen:
                return False
            if len(self._seen) >= self.LIMIT:
                self._seen.clear()
            self._seen.add(key)
            return True


_warned = _Warned()


def readable(what: str, name: Any, field: str, convert: Callable[[Any], Any], value: Any) -> Any:
    """``convert(value)``, or None (and a warning, once) when the stored value is unreadable."""
    try:
        return convert(value)
    except Unreadable as exc:
        shown = terminal_line(name, 120)
        if _warned.first((what, shown, field)):
            log.warning("%s %s: the stored %s is unreadable, shown as missing: %s", what, shown, field, exc)
        return None


def page_bounds(limit: Any, offset: Any) -> tuple[int, int]:
    """``limit`` (1..MAX_PAGE, default 100) and ``offset`` (>= 0) from query strings; ValueError names the bad one."""
    try:
        lim = 100 if limit in (None, "") else int(limit)
    except ValueError:
        raise ValueError(f"limit: must be an integer, got {limit!r}") from None
    try:
        off = 0 if offset in (None, "") else int(offset)
    except ValueError:
        raise ValueError(f"offset: must be an integer, got {offset!r}") from None
    if not 1 <= lim <= MAX_PAGE:
        raise ValueError(f"limit: must be between 1 and {MAX_PAGE}, got {lim}")
    if off < 0:
        raise ValueError(f"offset: must be 0 or more, got {off}")
    return lim, off


def _like(text: str) -> str:
    return "%" + text.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%"


def _run(row: tuple[Any, ...]) -> dict[str, Any]:
    name, created, n, reward, length, updated = row
    return {
        "id": name,
        "name": name,
        "num_rollouts": n,
        "avg_rollout_reward": readable("run", name, "average reward", finite, reward),
        "avg_rollout_length": readable("run", name, "average length", finite, length),
        "created_at": readable("run", name, "created_at", iso, created),
        "updated_at": readable("run", name, "updated_at", iso, updated if updated is not None else created),
    }


def list_runs(store: Store, search: str | None, limit: int, offset: int) -> dict[str, Any]:
    """``{"runs": [...], "total": n}``, newest first, names containing ``search`` (any case)."""
    where, params = (_SEARCH, [_like(search)]) if search else ("1 = 1", [])
    rows = store.query(store.translate(_RUNS.format(where=where)), (*params, limit, offset))
    total = store.query(store.translate(_COUNT_RUNS.format(where=where)), params)[0][0]
    return {"runs": [_run(row) for row in rows], "total": total}


def get_run(store: Store, run_id: str) -> dict[str, Any] | None:
    """One run by id (its name), or None."""
    where = "r.name = ?"
    rows = store.query(store.translate(_RUNS.format(where=where)), (run_id, 1, 0))
    return _run(rows[0]) if rows else None


def _rollout(row: tuple[Any, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    rid = row[0]
    for (column, key), value in zip(_ROLLOUT_FIELDS, row, strict=True):
        if column in _JSON_FIELDS:
            value = readable("rollout", rid, column, stored_json, value)
        elif column in _TIME_FIELDS:
            value = readable("rollout", rid, column, iso, value)
        elif column in _NUMBER_FIELDS:
            value = readable("rollout", rid, column, finite, value)
        elif column == "is_finished":
            value = bool(value)
        out[key] = value
    return out


def list_rollouts(store: Store, run_id: str, limit: int, offset: int) -> dict[str, Any]:
    """``{"rollouts": [...], "total": n}`` of one run, in creation order."""
    rows = store.query(store.translate(_ROLLOUTS), (run_id, limit, offset))
    total = store.query(store.translate(_COUNT_ROLLOUTS), (run_id,))[0][0]
    return {"rollouts": [_rollout(row) for row in rows], "total": total}

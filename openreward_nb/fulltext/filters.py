"""What a search is limited to (runs, event types, a tool, split, status, reward, metadata), as SQL
conditions on events ``e`` joined to their rollout ``r``: filters run in the database."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import InvalidArgumentError
from ..events import EVENT_TYPES
from ..frames.filters import STATUSES, Runs, Where, as_list, rollout_where
from ..store.base import Store

# a tool's calls, and the results answering them (a result names its call by call_id)
_TOOL = (
    "(e.name = ? OR (e.type = 'tool_result' AND e.call_id IN "
    "(SELECT c.call_id FROM events c WHERE c.rollout_id = e.rollout_id AND c.type = 'tool_call' AND c.name = ?)))"
)


def _names(value: str | Iterable[str], what: str) -> list[str]:
    names = as_list(value)
    if not names or not all(isinstance(n, str) for n in names):
        raise InvalidArgumentError(f"{what} takes a name or a list of names, got {value!r:.80}")
    return names


def _reward(value: Any, what: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        raise InvalidArgumentError(f"{what} must be a number, got {value!r:.60}")
    return float(value)


def search_where(
    store: Store,
    *,
    runs: Runs = None,
    types: str | Iterable[str] | None = None,
    tool: str | None = None,
    split: str | Iterable[str] | None = None,
    status: str | Iterable[str] | None = None,
    min_reward: float | None = None,
    max_reward: float | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> Where:
    """The conditions of a search's filters. Unknown runs raise NotFoundError naming the runs there
    are; unknown types or statuses, and values of the wrong kind, raise InvalidArgumentError."""
    rollout_filters: dict[str, Any] = {"metadata": metadata}
    if split is not None:
        rollout_filters["split"] = _names(split, "split")
    if status is not None:
        statuses = _names(status, "status")
        unknown = [s for s in statuses if s not in STATUSES]
        if unknown:
            raise InvalidArgumentError(
                f"unknown status {', '.join(map(repr, unknown))}; statuses: {', '.join(STATUSES)}"
            )
        rollout_filters["status"] = statuses
    low, high = _reward(min_reward, "min_reward"), _reward(max_reward, "max_reward")
    if metadata is not None and not isinstance(metadata, Mapping):
        raise InvalidArgumentError(f"metadata takes a dict of key -> value, got {metadata!r:.60}")
    try:
        where = rollout_where(store, runs, rollout_filters)
    except TypeError as exc:  # a metadata value of a kind the filter cannot compare
        raise InvalidArgumentError(str(exc)) from None
    if low is not None:
        where.add("r.total_reward >= ?", low)
    if high is not None:
        where.add("r.total_reward <= ?", high)
    if types is not None:
        wanted = _names(types, "types")
        unknown = [t for t in wanted if t not in EVENT_TYPES]
        if unknown:
            raise InvalidArgumentError(
                f"unknown event type {', '.join(map(repr, unknown))}; types: {', '.join(EVENT_TYPES)}"
            )
        where.add(f"e.type IN ({', '.join('?' * len(wanted))})", *wanted)
    if tool is not None:
        if not isinstance(tool, str) or not tool:
            raise InvalidArgumentError(f"tool takes a tool's name, got {tool!r:.60}")
        where.add(_TOOL, tool, tool)
    return where

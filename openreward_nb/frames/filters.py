"""Rollout filters (runs, environment, split, status, time range, JSON field equality) as SQL conditions.

Every frame function takes the same filters; they select rollouts and are applied in the
database, so only matching rows are read. Conditions are written with ``?`` placeholders
for the rollouts table under the alias ``r``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import NotFoundError
from ..records import _names_hint
from ..store.base import Store

STATUSES: tuple[str, ...] = ("running", "finished", "failed")
#: filters that compare a rollout column with one value or any of a list of values
EQUALITY = {
    "rollout_id": "r.id",
    "environment": "r.environment",
    "variant": "r.variant",
    "split": "r.split",
    "status": "r.status",
    "model": "r.model",
}
#: filters that compare top-level keys of a JSON column with values
JSON_FIELDS = ("metadata", "task_spec", "run_info", "rollout_info")
FILTERS: tuple[str, ...] = (*EQUALITY, "since", "until", *JSON_FIELDS, "min_reward")
#: the rollout rewards ``min_reward`` (and comparisons) can use
REWARDS: tuple[str, ...] = ("total_reward", "final_reward", "max_reward")

Runs = str | Iterable[str] | None
Instant = dt.datetime | str | float | int


@dataclass
class Where:
    """SQL conditions joined with AND (``1 = 1`` when there are none) and their parameters."""

    conditions: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def add(self, condition: str, *params: Any) -> None:
        self.conditions.append(condition)
        self.params.extend(params)

    @property
    def sql(self) -> str:
        return " AND ".join(self.conditions) or "1 = 1"


def as_list(value: str | Iterable[str]) -> list[str]:
    """One name or several, as a list."""
    return [value] if isinstance(value, str) else list(value)


def _in(where: Where, column: str, values: list[Any]) -> None:
    if not values:
        where.add("1 = 0")
    elif len(values) == 1:
        where.add(f"{column} = ?", values[0])
    else:
        where.add(f"{column} IN ({', '.join('?' * len(values))})", *values)


def epoch_seconds(value: Instant) -> float:
    """A time bound as epoch seconds: a datetime, an ISO string or a number; naive times are UTC."""
    if isinstance(value, bool):
        raise TypeError(f"a time bound must be a datetime, an ISO string or epoch seconds, got {value!r}")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if not isinstance(value, dt.datetime):
        raise TypeError(f"a time bound must be a datetime, an ISO string or epoch seconds, got {value!r:.60}")
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.timestamp()


def json_text(value: Any) -> str:
    """A filter value as the text the store gives for a JSON value (strings bare, others as JSON)."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, int, float)):
        return json.dumps(value)
    raise TypeError(f"JSON field filters compare strings, numbers, booleans or None, got {value!r:.60}")


def _json_equal(store: Store, where: Where, column: str, wanted: Any) -> None:
    if not isinstance(wanted, Mapping):
        raise TypeError(f"the {column} filter takes a dict of key -> value, got {wanted!r:.60}")
    for key, value in wanted.items():
        expr, params = store.json_field_sql(f"r.{column}", str(key))
        if value is None:
            where.add(f"{expr} IS NULL", *params)
        else:
            where.add(f"{expr} = ?", *params, json_text(value))


def check_reward_column(name: str) -> str:
    """``name`` if it is one of :data:`REWARDS`, else ValueError listing them."""
    if name not in REWARDS:
        raise ValueError(f"unknown reward {name!r}; rewards: {', '.join(REWARDS)}")
    return name


def check_runs(store: Store, runs: Runs) -> list[str] | None:
    """The run names asked for (None for all); NotFoundError names the runs that exist."""
    if runs is None:
        return None
    names = as_list(runs)
    known = store.run_names()
    known_set = set(known)
    missing = [n for n in names if n not in known_set]
    if missing:
        raise NotFoundError(f"no run named {', '.join(map(repr, missing))}; {_names_hint(known)}")
    return names


def rollout_where(store: Store, runs: Runs, filters: Mapping[str, Any], reward_column: str = "total_reward") -> Where:
    """The conditions selecting rollouts of ``runs`` that match ``filters``.

    ``min_reward`` compares ``reward_column``; unknown filter names raise TypeError
    listing the filters there are.
    """
    unknown = sorted(set(filters) - set(FILTERS))
    if unknown:
        raise TypeError(f"unknown filter {', '.join(map(repr, unknown))}; filters: runs, {', '.join(FILTERS)}")
    check_reward_column(reward_column)
    where = Where()
    names = check_runs(store, runs)
    if names is not None:
        _in(where, "r.run_name", names)
    for name, value in filters.items():
        if value is None:
            continue
        if name in EQUALITY:
            values = as_list(value)
            if name == "status" and set(values) - set(STATUSES):
                raise ValueError(f"unknown status in {values!r}; statuses: {', '.join(STATUSES)}")
            _in(where, EQUALITY[name], values)
        elif name == "since":
            where.add("r.created_at >= ?", epoch_seconds(value))
        elif name == "until":
            where.add("r.created_at < ?", epoch_seconds(value))
        elif name == "min_reward":
            where.add(f"r.{reward_column} >= ?", float(value))
        else:
            _json_equal(store, where, name, value)
    return where

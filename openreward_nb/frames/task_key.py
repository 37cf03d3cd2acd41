"""Which task a rollout ran: the key rollouts of the same task share (preference pairs are made within one).

The same key as the tasks frames of issue 18 (``frames/tasks/key.py`` once merged), written here
for one record at a time so the two can be swapped without a change in what pairs up: a
rollout's task is its ``task_spec``'s ``id``, else ``task_id``, else ``name``; else the whole
``task_spec`` as canonical JSON (keys sorted, no spaces); else its ``rollout_info.task_index``.
Keys are text: whole numbers without a decimal point, other non-text values as canonical JSON.
``by=`` names a ``rollouts_df`` column instead (``task_spec.id``, ``metadata.prompt_id``,
``environment``...), or is a function of a :class:`RolloutRecord`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Hashable
from typing import Any

from ..errors import InvalidArgumentError
from ..records import RolloutRecord

#: the task_spec fields that name a task, in the order they are tried
SPEC_NAMES: tuple[str, ...] = ("id", "task_id", "name")
#: rollouts_df's JSON columns, spread into ``FIELD.KEY`` columns
JSON_FIELDS = ("task_spec", "metadata", "rollout_info", "run_info")
#: rollouts_df's text columns a key may be, by the record attribute holding each
COLUMNS = {
    "run": "run_name",
    "rollout_name": "rollout_name",
    "environment": "environment",
    "variant": "variant",
    "split": "split",
    "status": "status",
    "model": "model",
}

TaskKey = Callable[[RolloutRecord], Hashable | None]


def canonical_json(value: Any) -> str:
    """``value`` as JSON with sorted keys and no spaces: equal values give equal text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def key_text(value: Any) -> str | None:
    """A value as a task key: text as it is, whole numbers without a decimal point, the rest as JSON."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return canonical_json(value)
    if isinstance(value, (int, float)) and float(value).is_integer():
        return str(int(value))
    return str(value) if isinstance(value, float) else canonical_json(value)


def default_task_key(record: RolloutRecord) -> str | None:
    """The task a rollout ran; None when nothing says."""
    spec = record.task_spec
    if spec:
        for name in SPEC_NAMES:
            value = spec.get(name)
            if value is not None and value != "":
                return value if isinstance(value, str) else canonical_json(value)
        return canonical_json(spec)
    return key_text((record.rollout_info or {}).get("task_index"))


def _field_key(field: str, path: list[str]) -> TaskKey:
    def read(record: RolloutRecord) -> str | None:
        value: Any = getattr(record, field)
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        return key_text(value)

    return read


def _column_key(attribute: str) -> TaskKey:
    def read(record: RolloutRecord) -> str | None:
        return key_text(getattr(record, attribute))

    return read


def task_key(by: str | TaskKey | None) -> TaskKey:
    """The key ``by`` names: None (the default task key), a ``rollouts_df`` column (``FIELD.KEY`` of
    ``task_spec``, ``metadata``, ``rollout_info`` or ``run_info``; or run, rollout_name, environment,
    variant, split, status, model), or a function of a :class:`RolloutRecord`."""
    if by is None:
        return default_task_key
    if callable(by):
        return by
    if isinstance(by, str):
        field, dot, rest = by.partition(".")
        if dot and field in JSON_FIELDS and rest:
            return _field_key(field, rest.split("."))
        if by in COLUMNS:
            return _column_key(COLUMNS[by])
    raise InvalidArgumentError(
        f"cannot key tasks by {by!r}: give FIELD.KEY with FIELD one of {', '.join(JSON_FIELDS)}, "
        f"one of the columns {', '.join(COLUMNS)}, a function of a rollout record, or None for the task key"
    )

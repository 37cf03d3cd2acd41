"""Which task a rollout ran: the key rollouts of the same task share (preference pairs are made within one).

The default is the task key of the tasks and groups views (issue 18), written here as one
small function until theirs is merged, so both group rollouts the same way: the
``task_spec``'s ``id``, ``task_id`` or ``name``, else the whole ``task_spec`` as canonical
JSON, else ``rollout_info.task_index``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable
from typing import Any

from ..errors import InvalidArgumentError
from ..records import RolloutRecord

#: the keys of a ``task_spec`` that name its task, in order of preference
TASK_ID_KEYS = ("id", "task_id", "name")
#: rollout fields a ``by="FIELD.KEY"`` key may read
JSON_FIELDS = ("task_spec", "metadata", "rollout_info", "run_info")
#: rollout attributes a ``by="NAME"`` key may be
ATTRIBUTES = ("environment", "variant", "split", "rollout_name", "model", "run_name")

TaskKey = Callable[[RolloutRecord], Hashable | None]


def default_task_key(record: RolloutRecord) -> str | None:
    """The task a rollout ran, as text; None when nothing says."""
    spec = record.task_spec
    if spec:
        for key in TASK_ID_KEYS:
            value = spec.get(key)
            if value is not None and not isinstance(value, (dict, list)):
                return str(value)
        return json.dumps(spec, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    index = (record.rollout_info or {}).get("task_index")
    return None if index is None else f"task_index={index}"


def _field_key(field: str, key: str) -> TaskKey:
    def read(record: RolloutRecord) -> Hashable | None:
        value: Any = (getattr(record, field) or {}).get(key)
        if isinstance(value, (dict, list)):
            return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        found: Hashable | None = value
        return found

    return read


def _attribute_key(name: str) -> TaskKey:
    def read(record: RolloutRecord) -> Hashable | None:
        value: Hashable | None = getattr(record, name)
        return value

    return read


def task_key(by: str | TaskKey | None) -> TaskKey:
    """The key ``by`` names: None (the default task key), ``"FIELD.KEY"`` (``task_spec.id``,
    ``metadata.prompt_id``...), a rollout attribute (``environment``...), or a function of a
    :class:`RolloutRecord`."""
    if by is None:
        return default_task_key
    if callable(by):
        return by
    if isinstance(by, str):
        field, dot, key = by.partition(".")
        if dot and field in JSON_FIELDS and key:
            return _field_key(field, key)
        if not dot and by in ATTRIBUTES:
            return _attribute_key(by)
    raise InvalidArgumentError(
        f"by={by!r}: give FIELD.KEY with FIELD one of {', '.join(JSON_FIELDS)}, a rollout attribute "
        f"({', '.join(ATTRIBUTES)}), a function of a rollout record, or None for the task key"
    )

"""The task a rollout attempts: the key tasks_df, groups_df and the heat map group rollouts by.

By default a rollout's task is its ``task_spec``'s ``id``, else its ``task_id``, else its
``name``; else the whole ``task_spec`` as canonical JSON (keys sorted, no spaces), so two
rollouts given equal specs share a task; else its ``rollout_info.task_index``. A rollout
with none of these has no task. ``by=`` names any ``rollouts_df`` column to use instead.
Keys are text: whole numbers are written without a decimal point, other non-text values
as canonical JSON.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from ...errors import InvalidArgumentError
from ..dtypes import STRING

#: the task_spec fields that name a task, in the order they are tried
SPEC_NAMES: tuple[str, ...] = ("id", "task_id", "name")
#: the rollouts_df column of the last fallback
TASK_INDEX = "rollout_info.task_index"


def canonical_json(value: Any) -> str:
    """``value`` as JSON with sorted keys and no spaces: equal values give equal text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def spec_key(spec: Any) -> str | None:
    """The task named by a parsed ``task_spec`` (None when it names none)."""
    if isinstance(spec, dict):
        for name in SPEC_NAMES:
            value = spec.get(name)
            if value is not None and value != "":
                return value if isinstance(value, str) else canonical_json(value)
        return canonical_json(spec) if spec else None
    if spec is None or spec == "" or spec == []:
        return None
    return spec if isinstance(spec, str) else canonical_json(spec)


def spec_keys(texts: pd.Series) -> np.ndarray:
    """The task of each stored ``task_spec`` JSON text (None where it names none); each distinct text is parsed once."""
    codes, distinct = pd.factorize(texts, use_na_sentinel=True)
    keys = [spec_key(json.loads(text)) for text in distinct]
    found: np.ndarray = np.array([*keys, None], dtype=object)[codes]  # code -1 (no text) takes the trailing None
    return found


def key_text(values: pd.Series) -> pd.Series:
    """A column's values as task keys: text as it is, whole numbers without a decimal point, the rest as JSON."""
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return values.map(lambda v: None if _missing(v) else canonical_json(bool(v))).astype(STRING)
    if pd.api.types.is_float_dtype(dtype):
        present = values.dropna().to_numpy(dtype="float64")
        if np.array_equal(present, np.floor(present)):
            values = values.astype("Int64")
    if pd.api.types.is_numeric_dtype(values.dtype) or isinstance(values.dtype, pd.StringDtype):
        return values.astype(STRING)
    return values.map(lambda v: v if isinstance(v, str) or _missing(v) else canonical_json(v)).astype(STRING)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA


def check_by(frame: pd.DataFrame, by: str | None) -> str | None:
    """``by`` when it is one of the frame's columns (None: the default key); else an error listing them."""
    if by is None:
        return None
    if not isinstance(by, str) or by not in frame.columns:
        raise InvalidArgumentError(f"cannot key tasks by {by!r}; rollout columns: {', '.join(frame.columns)}")
    return by


def task_keys(frame: pd.DataFrame, spec_texts: pd.Series, by: str | None) -> pd.Series:
    """The task of each rollout of a ``rollouts_df`` frame (missing where it has none).

    ``spec_texts`` holds each rollout's stored ``task_spec`` JSON text; ``by`` a column to key by instead.
    """
    if check_by(frame, by) is not None:
        return key_text(frame[by]).rename("task")
    keys = pd.Series(spec_keys(spec_texts), index=frame.index, dtype=object)
    if TASK_INDEX in frame.columns:
        keys = keys.where(keys.notna(), key_text(frame[TASK_INDEX]).astype(object))
    return keys.astype(STRING).rename("task")

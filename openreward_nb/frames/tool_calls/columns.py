"""The columns of ``tool_calls_df``: one row per tool call, joined to its result.

Read from the tool_call and tool_result events (:data:`SOURCE`); a call and its result
are paired in pandas, so the declared output columns carry their dtype rather than SQL.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..dtypes import DATETIME, STRING
from ..events.columns import EVENT_COLUMNS

_READ = ("run", "rollout_id", "idx", "ts", "type", "kind", "content", "name", "call_id", "reward", "is_error", "model")
SOURCE = tuple(c for c in EVENT_COLUMNS if c.name in _READ)

#: name -> dtype of each output column, in order
TOOL_CALL_COLUMNS: dict[str, Any] = {
    "run": STRING,
    "rollout_id": STRING,
    "idx": "int64",  # index of the tool_call event
    "call_id": STRING,
    "name": STRING,
    "kind": STRING,
    "model": STRING,
    "called_at": DATETIME,
    "arguments": object,  # parsed from JSON (None when the text is not JSON)
    "arguments_json": STRING,  # the arguments as logged
    "result_idx": pd.Int64Dtype(),  # index of the tool_result event (missing while unanswered)
    "output": STRING,
    "is_error": pd.BooleanDtype(),
    "reward": pd.Float64Dtype(),  # reward logged with the result
    "latency_s": pd.Float64Dtype(),  # seconds from the call to its result
}

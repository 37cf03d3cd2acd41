"""The tool-call grain: one row per tool call, joined to its result."""

from .columns import TOOL_CALL_COLUMNS
from .table import tool_calls_df

__all__ = ["TOOL_CALL_COLUMNS", "tool_calls_df"]

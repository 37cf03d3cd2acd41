"""The columns of ``rollouts_df``: one row per rollout, read from the rollouts table alone."""

from __future__ import annotations

from ..annotations.columns import labels_column
from ..columns import Column
from ..filters import STATUSES

_END = "COALESCE(r.ended_at, r.last_event_at)"

ROLLOUT_COLUMNS: tuple[Column, ...] = (
    Column("run", "str", "r.run_name"),
    Column("rollout_id", "str", "r.id"),
    Column("rollout_name", "str", "r.rollout_name"),
    Column("environment", "str", "r.environment"),
    Column("variant", "str", "r.variant"),
    Column("split", "str", "r.split"),
    Column("status", "category", "r.status", STATUSES),
    Column("created_at", "datetime", "r.created_at"),
    Column("ended_at", "datetime", "r.ended_at"),
    Column("last_event_at", "datetime", "r.last_event_at"),
    # seconds from creation to end (to the last event while running), never negative
    Column("duration_s", "Float", f"CASE WHEN {_END} < r.created_at THEN 0.0 ELSE {_END} - r.created_at END"),
    Column("n_events", "int", "r.n_events"),
    Column("n_turns", "int", "r.n_turns"),
    Column("n_tool_calls", "int", "r.n_tool_calls"),
    Column("n_errors", "int", "r.n_errors"),
    Column("total_reward", "Float", "r.total_reward"),
    Column("final_reward", "Float", "r.final_reward"),
    Column("max_reward", "Float", "r.max_reward"),
    Column("is_finished", "bool", "r.is_finished"),
    Column("model", "str", "r.model"),
    Column("input_tokens", "int", "r.input_tokens"),
    Column("output_tokens", "int", "r.output_tokens"),
    Column("reasoning_tokens", "int", "r.reasoning_tokens"),
    Column("cached_tokens", "int", "r.cached_tokens"),
    Column("cache_write_tokens", "int", "r.cache_write_tokens"),
    Column("total_tokens", "int", "r.input_tokens + r.output_tokens"),
    Column("error", "str", "r.error"),
    # the labels people gave the rollout as a whole (openreward_nb.annotations), a sorted tuple
    labels_column(),
    Column("metadata", "json", "r.metadata"),
    Column("task_spec", "json", "r.task_spec"),
    Column("run_info", "json", "r.run_info"),
    Column("rollout_info", "json", "r.rollout_info"),
)

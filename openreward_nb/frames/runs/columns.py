"""The columns of ``runs_df``: one row per run, aggregated over its (matching) rollouts."""

from __future__ import annotations

from ..columns import Column


def _count(status: str) -> str:
    return f"SUM(CASE WHEN r.status = '{status}' THEN 1 ELSE 0 END)"


def _total(column: str) -> str:
    return f"CAST(SUM(r.{column}) AS BIGINT)"


RUN_COLUMNS: tuple[Column, ...] = (
    Column("run", "str", "n.name"),
    Column("created_at", "datetime", "n.created_at"),
    Column("last_event_at", "datetime", "MAX(r.last_event_at)"),
    Column("n_rollouts", "int", "COUNT(r.id)"),
    Column("n_running", "int", _count("running")),
    Column("n_finished", "int", _count("finished")),
    Column("n_failed", "int", _count("failed")),
    Column("n_events", "int", _total("n_events")),
    Column("n_tool_calls", "int", _total("n_tool_calls")),
    Column("n_errors", "int", _total("n_errors")),
    Column("mean_reward", "Float", "CAST(AVG(r.total_reward) AS DOUBLE PRECISION)"),
    Column("max_reward", "Float", "CAST(MAX(r.max_reward) AS DOUBLE PRECISION)"),
    Column("input_tokens", "int", _total("input_tokens")),
    Column("output_tokens", "int", _total("output_tokens")),
    Column("total_tokens", "int", "CAST(SUM(r.input_tokens + r.output_tokens) AS BIGINT)"),
)

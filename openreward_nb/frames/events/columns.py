"""The columns of ``events_df``: one row per event, with its rollout's run."""

from __future__ import annotations

from ...events import EVENT_TYPES
from ...store.schema import TOKEN_COLUMNS
from ..annotations.columns import labels_column
from ..columns import Column

EVENT_COLUMNS: tuple[Column, ...] = (
    Column("run", "str", "r.run_name"),
    Column("rollout_id", "str", "e.rollout_id"),
    Column("idx", "int", "e.idx"),
    Column("ts", "datetime", "e.ts"),
    Column("type", "category", "e.type", EVENT_TYPES),
    Column("kind", "str", "e.kind"),
    Column("content", "str", "e.content"),
    Column("content_reference", "str", "e.content_reference"),
    Column("summary", "str", "e.summary"),
    Column("name", "str", "e.name"),
    Column("call_id", "str", "e.call_id"),
    Column("reward", "Float", "e.reward"),
    Column("is_finished", "bool", "e.is_finished"),
    Column("is_error", "boolean", "e.is_error"),
    Column("model", "str", "e.model"),
    *(Column(name, "Int", f"e.{name}") for name in TOKEN_COLUMNS),
    Column("latency_ms", "Float", "e.latency_ms"),
    Column("stop_reason", "str", "e.stop_reason"),
    # JSON list of references (mime, sha256, size, url, name); the bytes stay in the store
    Column("attachments", "str", "e.attachments"),
    # the labels people gave the event (openreward_nb.annotations), a sorted tuple
    labels_column(),
    Column("metadata", "json", "e.metadata"),
)

"""The event grain: one row per event."""

from .arrow import EVENT_SCHEMA, events_arrow
from .columns import EVENT_COLUMNS
from .table import events_df, read_events

__all__ = ["EVENT_COLUMNS", "EVENT_SCHEMA", "events_arrow", "events_df", "read_events"]

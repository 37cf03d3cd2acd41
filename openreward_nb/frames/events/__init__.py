"""The event grain: one row per event."""

from .columns import EVENT_COLUMNS
from .table import events_df, read_events

__all__ = ["EVENT_COLUMNS", "events_df", "read_events"]

"""DataFrames of a store: runs, rollouts, events and tool calls, tasks and groups, run comparison and
training data; events as a stream of Arrow batches for reads too big for memory.

Needs pandas and pyarrow, and plotly for :func:`plot_compare` (all installed with the package).
The join keys between the frames are ``run``, ``rollout_id``, ``idx`` (an event's index in
its rollout) and ``call_id``.
"""

from ..extras import needs_extra

with needs_extra(None, "DataFrames"):
    from .compare import compare_runs
    from .events import events_arrow, events_df
    from .groups import groups_df, steps_df
    from .levels import LEVELS, frame_at
    from .plot import plot_compare
    from .rollouts import rollouts_df
    from .runs import runs_df
    from .tasks import tasks_df
    from .tool_calls import tool_calls_df
    from .training import export_jsonl, to_chat_messages

__all__ = [
    "LEVELS",
    "compare_runs",
    "events_arrow",
    "events_df",
    "export_jsonl",
    "frame_at",
    "groups_df",
    "plot_compare",
    "rollouts_df",
    "runs_df",
    "steps_df",
    "tasks_df",
    "to_chat_messages",
    "tool_calls_df",
]

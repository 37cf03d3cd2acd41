"""The task grain: one row per (run, task), with success rate and pass@k."""

from .key import task_keys
from .passk import pass_at_k
from .table import tasks_df

__all__ = ["pass_at_k", "task_keys", "tasks_df"]

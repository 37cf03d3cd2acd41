"""The run grain: one row per run."""

from .columns import RUN_COLUMNS
from .table import runs_df

__all__ = ["RUN_COLUMNS", "runs_df"]

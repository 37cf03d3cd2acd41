"""The annotation grain: one row per annotation; and the ``labels`` columns of rollouts and events."""

from .columns import ANNOTATION_COLUMNS
from .table import annotations_df

__all__ = ["ANNOTATION_COLUMNS", "annotations_df"]

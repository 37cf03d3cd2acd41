"""The rollout grain: one row per rollout."""

from .columns import ROLLOUT_COLUMNS
from .table import rollouts_df

__all__ = ["ROLLOUT_COLUMNS", "rollouts_df"]

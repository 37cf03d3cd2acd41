"""The group grain: rollouts of one task at one training step, as GRPO-style trainers sample them."""

from .steps import step_summary, steps_df
from .table import DEFAULT_STEP, groups_df, with_advantages

__all__ = ["DEFAULT_STEP", "groups_df", "step_summary", "steps_df", "with_advantages"]

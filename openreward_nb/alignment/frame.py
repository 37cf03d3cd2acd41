"""An alignment as a DataFrame: one row per aligned pair, for filtering and counting in pandas."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..extras import needs_extra
from .align import OPS, Alignment, align

if TYPE_CHECKING:
    import pandas as pd

    from ..records import RolloutRecord
    from ..rollout import Rollout

#: the frame's columns, in order
COLUMNS = ("op", "a_idx", "b_idx", "type", "tool", "similarity", "a_reward", "b_reward")


def alignment_frame(al: Alignment) -> pd.DataFrame:
    """``al``'s rows: ``op`` (equal, changed, only_a, only_b), ``a_idx`` / ``b_idx`` (the events'
    indices, missing on the side without the step), ``type`` and ``tool`` (the step's event type and
    tool name), ``similarity`` (1 for equal steps, 0 to 1 for changed ones, missing for steps one
    side alone has) and ``a_reward`` / ``b_reward``."""
    with needs_extra(None, "DataFrames"):
        import pandas as pd

        from ..frames.dtypes import STRING

    types, tools, a_rewards, b_rewards = [], [], [], []
    for row in al.rows:
        sa = al.steps_a[row.a] if row.a is not None else None
        sb = al.steps_b[row.b] if row.b is not None else None
        step = sa or sb
        assert step is not None
        types.append(step.type)
        tools.append(step.name if step.name is not None else (sb.name if sb is not None else None))
        a_rewards.append(sa.reward if sa is not None else None)
        b_rewards.append(sb.reward if sb is not None else None)
    data: dict[str, Any] = {
        "op": pd.Categorical([row.op for row in al.rows], categories=list(OPS)),
        "a_idx": pd.array([row.a for row in al.rows], dtype="Int64"),
        "b_idx": pd.array([row.b for row in al.rows], dtype="Int64"),
        "type": pd.array(types, dtype=STRING),
        "tool": pd.array(tools, dtype=STRING),
        "similarity": pd.array([row.similarity for row in al.rows], dtype="float64"),
        "a_reward": pd.array(a_rewards, dtype="float64"),
        "b_reward": pd.array(b_rewards, dtype="float64"),
    }
    return pd.DataFrame(data, columns=list(COLUMNS))


def diff_df(a: Rollout | RolloutRecord | str, b: Rollout | RolloutRecord | str, *, store: Any = None) -> pd.DataFrame:
    """The step-by-step alignment of rollout ``a`` with rollout ``b`` as a DataFrame, one row per aligned
    pair (see :func:`alignment_frame` for the columns), in the order the diff view shows them.

    ``a`` and ``b`` are live rollouts, records, or references read from ``store`` (default: the
    project's): an id, a unique id prefix or ``RUN/ROLLOUT_NAME``.
    """
    from ..references import rollout_record

    return alignment_frame(align(rollout_record(a, store), rollout_record(b, store)))

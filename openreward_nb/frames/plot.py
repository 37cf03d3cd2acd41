"""``plot_compare``: rewards per run as box plots with every point, and reward over training step."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from ..store.location import StoreSpec
from .compare import Keys, group_keys, in_run_order
from .filters import Runs, check_reward_column
from .rollouts import rollouts_df

if TYPE_CHECKING:
    import plotly.graph_objects as go


def _steps(frame: pd.DataFrame, step: str) -> tuple[pd.Series, str]:
    """The training step of each rollout, or its position in its group when no step was logged."""
    if step in frame.columns and frame[step].notna().any():
        return frame[step].astype("float64"), step
    return frame.groupby("_label", sort=False).cumcount().astype("float64"), "rollout (in creation order)"


def plot_compare(
    runs: Runs = None,
    by: Keys = None,
    *,
    reward: str = "total_reward",
    step: str = "rollout_info.current_step",
    store: StoreSpec = None,
    **filters: Any,
) -> go.Figure:
    """A plotly figure comparing runs (and ``by`` groups, as in :func:`compare_runs`).

    Left: each group's ``reward`` as a box with every rollout as a point. Right: the mean
    reward per training step (the ``step`` column, by default the rollout_info field
    ``current_step``; without it, rollouts in creation order), one line per group.
    """
    import plotly.graph_objects as go
    from plotly.colors import qualitative
    from plotly.subplots import make_subplots

    check_reward_column(reward)
    frame = in_run_order(rollouts_df(runs, store=store, **filters), runs)
    keys = group_keys(frame, by)
    frame = frame.assign(
        _label=frame[keys].astype(str).agg(" · ".join, axis=1), _reward=frame[reward].astype("float64")
    )
    steps, step_title = _steps(frame, step)
    frame = frame.assign(_step=steps)
    fig = make_subplots(rows=1, cols=2, subplot_titles=(f"{reward} per rollout", f"mean {reward} by step"))
    palette = qualitative.Plotly
    for i, (label, group) in enumerate(frame.groupby("_label", sort=False)):
        color = palette[i % len(palette)]
        fig.add_trace(
            go.Box(
                y=group["_reward"],
                name=label,
                boxpoints="all",
                jitter=0.4,
                pointpos=0,
                marker_color=color,
                legendgroup=label,
                showlegend=False,
            ),
            row=1,
            col=1,
        )
        curve = group.dropna(subset=["_step"]).groupby("_step")["_reward"].mean()
        fig.add_trace(
            go.Scatter(
                x=curve.index, y=curve.to_numpy(), name=label, mode="lines+markers", line_color=color, legendgroup=label
            ),
            row=1,
            col=2,
        )
    fig.update_yaxes(title_text=reward, row=1, col=1)
    fig.update_xaxes(title_text=step_title, row=1, col=2)
    fig.update_layout(template="plotly_white", legend_title_text=" · ".join(keys))
    return fig

"""Run-level charts as plotly figure JSON: a reward histogram and the reward curve over training.

The figures go out as ``application/vnd.plotly.v1+json``, which JupyterLab, Notebook 7 and
VS Code draw with the plotly renderer they already have, so no plotly.js lands in the notebook.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import fmean, stdev
from typing import Any

PLOTLY_MIME = "application/vnd.plotly.v1+json"
_Z95 = 1.96
_LAYOUT = {
    "height": 260,
    "margin": {"l": 50, "r": 16, "t": 36, "b": 40},
    "template": {"layout": {"font": {"size": 11}, "plot_bgcolor": "rgba(0,0,0,0)", "paper_bgcolor": "rgba(0,0,0,0)"}},
    "showlegend": False,
    "xaxis": {"gridcolor": "rgba(128,128,128,0.2)"},
    "yaxis": {"gridcolor": "rgba(128,128,128,0.2)"},
}


def _layout(title: str, x: str, y: str) -> dict[str, Any]:
    layout = {**_LAYOUT, "title": {"text": title, "x": 0.02, "font": {"size": 13}}}
    layout["xaxis"] = {**_LAYOUT["xaxis"], "title": {"text": x}}
    layout["yaxis"] = {**_LAYOUT["yaxis"], "title": {"text": y}}
    return layout


def reward_histogram(rewards: Sequence[float]) -> dict[str, Any]:
    """Histogram of rollout total rewards."""
    trace = {"type": "histogram", "x": list(rewards), "marker": {"color": "#1a7f37"}, "opacity": 0.8}
    return {
        "data": [trace],
        "layout": _layout(f"reward distribution ({len(rewards):,} rollouts)", "total reward", "rollouts"),
    }


def mean_band(values: Sequence[float]) -> tuple[float, float]:
    """(mean, half-width of a normal 95% confidence interval; 0 for one value)."""
    mean = fmean(values)
    half = _Z95 * stdev(values) / math.sqrt(len(values)) if len(values) > 1 else 0.0
    return mean, half


def curve_points(
    rows: Sequence[dict[str, Any]], buckets: int = 30
) -> tuple[str, list[tuple[float, float, float, int]]]:
    """(x label, [(x, mean, ci half-width, n)]): by ``step`` when rollouts carry one, else by creation order."""
    scored = [r for r in rows if r.get("total_reward") is not None]
    groups: dict[float, list[float]] = {}
    if any(r.get("step") is not None for r in scored):
        label = "training step (rollout_info.current_step)"
        for r in scored:
            if r.get("step") is not None:
                groups.setdefault(r["step"], []).append(r["total_reward"])
    else:
        label = "rollout (creation order)"
        size = max(1, math.ceil(len(scored) / buckets))
        ordered = sorted(scored, key=lambda r: r.get("seq", 0))
        for at in range(0, len(ordered), size):
            groups[at + 1] = [r["total_reward"] for r in ordered[at : at + size]]
    return label, [(x, *mean_band(v), len(v)) for x, v in sorted(groups.items())]


def reward_curve(rows: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """Mean reward with a 95% confidence band over training; None without rewards."""
    label, points = curve_points(rows)
    if not points:
        return None
    xs = [p[0] for p in points]
    upper = [p[1] + p[2] for p in points]
    lower = [p[1] - p[2] for p in points]
    band = {
        "type": "scatter",
        "x": xs + xs[::-1],
        "y": upper + lower[::-1],
        "fill": "toself",
        "fillcolor": "rgba(31,111,235,0.15)",
        "line": {"width": 0},
        "hoverinfo": "skip",
    }
    mean = {
        "type": "scatter",
        "mode": "lines+markers",
        "x": xs,
        "y": [p[1] for p in points],
        "customdata": [[p[2], p[3]] for p in points],
        "hovertemplate": "%{x}: mean %{y:.4g} ± %{customdata[0]:.3g} (n=%{customdata[1]})<extra></extra>",
        "line": {"color": "#1f6feb"},
    }
    return {"data": [band, mean], "layout": _layout("mean reward (95% band)", label, "total reward")}


def figure_output(figure: dict[str, Any], alt: str) -> dict[str, Any]:
    """A display_data output carrying a plotly figure (``alt`` for front ends without plotly)."""
    return {"output_type": "display_data", "data": {PLOTLY_MIME: figure, "text/plain": alt}, "metadata": {}}

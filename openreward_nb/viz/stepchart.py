"""The run view's third chart: per training step, pass@k and the share of groups with no learning
signal (rewards all equal), from the run's groups (``steps_df``). Drawn live by runcharts.js and
as SVG in the static rendering; clicking a step filters the run's table to it, as the curve does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .charts import integer_ticks, range_filter
from .render import esc, fmt_reward

if TYPE_CHECKING:
    from ..records import RunRecord

#: the k of the pass@k lines (each drawn when some group has at least k rollouts)
KS = (1, 5, 10)
#: success, for the chart: a total reward of at least this
THRESHOLD = 1.0
ZERO_SERIES = "no-signal groups"


def _value(v: Any) -> float | None:
    return None if v is None or not math.isfinite(float(v)) else float(f"{float(v):.4g}")


def steps_chart(run: RunRecord) -> dict[str, Any] | None:
    """``{"label", "series": [{"name", "values"}], "points": [{"x", "groups", "filter"}]}``, or None
    when the run logged no training step or no group holds two rollouts with a reward."""
    from ..frames.groups import DEFAULT_STEP, step_summary
    from ..frames.groups.table import group_rollouts

    groups = group_rollouts(
        run.name,
        by=None,
        step=DEFAULT_STEP,
        reward="total",
        threshold=THRESHOLD,
        ddof=1,
        store=run.store,
        filters={},
        warn=False,
    )
    if not (groups["step"].notna() & (groups["group_size"] > 1)).any():
        return None  # no step logged, or every group a single rollout: nothing to compare within a group
    steps = step_summary(groups, KS)
    steps = steps[steps["step"].notna()]
    series = [
        {"name": f"pass@{k}", "values": [_value(v) for v in steps[f"pass@{k}"]]}
        for k in KS
        if steps[f"pass@{k}"].notna().any()
    ]
    series.append({"name": ZERO_SERIES, "values": [_value(v) for v in steps["zero_variance_share"]]})
    points = [
        {
            "x": float(x),
            "groups": int(n),
            "filter": range_filter("step", float(x), float(x), True, f"step {fmt_reward(float(x))}"),
        }
        for x, n in zip(steps["step"], steps["n_groups"], strict=True)
    ]
    label = f"training step ({DEFAULT_STEP}); success: total reward ≥ {fmt_reward(THRESHOLD)}"
    return {"label": label, "series": series, "points": points}


def with_steps(charts: dict[str, Any], run: RunRecord) -> dict[str, Any]:
    """The run's chart data plus its groups-by-step chart, when it has one (its curve is by training step)."""
    if charts["curve"]["by"] != "step":
        return charts
    groups = steps_chart(run)
    return {**charts, "groups": groups} if groups else charts


# --- as SVG, for the static rendering ----------------------------------------------------------
_W, _H, _L, _B, _T = 320, 150, 40, 28, 18
_COLORS = ("#1f6feb", "#8250df", "#0a7ea4")


def _polyline(points: Sequence[tuple[float, float]], style: str) -> str:
    return f'<polyline points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in points)}" style="fill:none;{style}"/>'


def steps_svg(chart: dict[str, Any]) -> str:
    """pass@k and the no-signal share (0 to 1) over training steps."""
    xs = [float(p["x"]) for p in chart["points"]]
    x0, x1 = min(xs), max(xs)
    if x1 == x0:
        x0, x1 = x0 - 1, x1 + 1

    def px(x: float) -> float:
        return _L + (x - x0) / (x1 - x0) * (_W - _L - 12)

    def py(y: float) -> float:
        return _H - _B - y * (_H - _B - _T)

    lines, keys = [], []
    for k, s in enumerate(chart["series"]):
        dashed = s["name"] == ZERO_SERIES
        color = "#cf222e" if dashed else _COLORS[k % len(_COLORS)]
        style = f"stroke:{color};stroke-width:1.5" + (";stroke-dasharray:4 3" if dashed else "")
        pts = [(px(x), py(v)) for x, v in zip(xs, s["values"], strict=True) if v is not None]
        if pts:
            lines.append(_polyline(pts, style))
        keys.append(f'<text x="{_L + k * 52}" y="{_H - 4}" style="fill:{color}">{esc(s["name"])}</text>')
    ticks = "".join(
        f'<text x="{px(t):.1f}" y="{_H - _B + 12}" text-anchor="middle">{t}</text>' for t in integer_ticks(x0, x1)
    )
    axis = f'<line x1="{_L}" x2="{_W - 8}" y1="{_H - _B}" y2="{_H - _B}" stroke="currentColor" opacity="0.3"/>'
    ylabels = "".join(f'<text x="{_L - 4}" y="{py(v) + 3:.1f}" text-anchor="end">{v:g}</text>' for v in (0.0, 0.5, 1.0))
    return (
        f'<svg width="{_W}" height="{_H}" viewBox="0 0 {_W} {_H}" role="img">'
        f'<text x="{_L}" y="12" style="font-size:11px;opacity:1">groups by training step</text>'
        f"{axis}{''.join(lines)}{ticks}{ylabels}{''.join(keys)}</svg>"
    )

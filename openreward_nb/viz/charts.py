"""A run's reward charts as data: the histogram's bins and the curve's points, each carrying the
table filter a click on it sets. The live charts (runcharts.js) and the static SVG draw the same data.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from statistics import fmean, stdev
from typing import Any

from .render import fmt_reward

#: at most this many distinct rewards get one bar each (binary, graded, few-valued rewards)
MAX_DISTINCT = 12
#: most bins of a histogram of many-valued rewards
MAX_BINS = 30
#: most points of the curve when rollouts carry no training step (creation order, bucketed)
ORDER_BUCKETS = 30
_Z95 = 1.96

#: a table filter: rows whose ``key`` lies in [lo, hi] (``closed``) or [lo, hi)
Filter = dict[str, Any]


def range_filter(key: str, lo: float, hi: float, closed: bool, label: str) -> Filter:
    """The filter a chart element sets on the table."""
    return {"key": key, "lo": lo, "hi": hi, "closed": closed, "label": label}


def nice_step(raw: float) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten that is at least ``raw``."""
    if raw <= 0 or not math.isfinite(raw):
        return 1.0
    power = 10 ** math.floor(math.log10(raw))
    for mult in (1, 2, 2.5, 5, 10):
        if mult * power >= raw * (1 - 1e-9):
            return float(mult * power)
    return float(10 * power)


def _short(value: float) -> float:
    return float(f"{value:.10g}")


def reward_bins(rewards: Sequence[float]) -> list[dict[str, Any]]:
    """Histogram bins: one per distinct reward when there are few (0/1 rewards give two bars at 0
    and 1), else up to :data:`MAX_BINS` bins of a round width. Each: ``lo``, ``hi``, ``n``, ``exact``
    (one value), ``filter``."""
    if not rewards:
        return []
    distinct = sorted(set(rewards))
    if len(distinct) <= MAX_DISTINCT:
        counts = {v: 0 for v in distinct}
        for r in rewards:
            counts[r] += 1
        return [
            {
                "lo": v,
                "hi": v,
                "n": n,
                "exact": True,
                "filter": range_filter("total_reward", v, v, True, f"reward {fmt_reward(v)}"),
            }
            for v, n in counts.items()
        ]
    low, high = distinct[0], distinct[-1]
    width = nice_step((high - low) / min(MAX_BINS, max(5, math.ceil(math.sqrt(len(rewards))))))
    start = math.floor(low / width) * width
    count = max(1, math.floor((high - start) / width) + 1)
    edges = [_short(start + k * width) for k in range(count + 1)]
    if edges[-1] < high:  # float rounding left the highest reward past the last edge
        edges[-1] = high
    counts_by_bin = [0] * count
    for r in rewards:  # by the same rounded edges the filters use, so a bar keeps what it counts
        counts_by_bin[min(count - 1, max(0, bisect_right(edges, r) - 1))] += 1
    bins = []
    for k, n in enumerate(counts_by_bin):
        lo, hi = edges[k], edges[k + 1]
        closed = k == count - 1
        label = f"reward {fmt_reward(lo)} to {fmt_reward(hi)}"
        bins.append(
            {"lo": lo, "hi": hi, "n": n, "exact": False, "filter": range_filter("total_reward", lo, hi, closed, label)}
        )
    return bins


def mean_band(values: Sequence[float]) -> tuple[float, float]:
    """(mean, half-width of a normal 95% confidence interval; 0 for one value)."""
    mean = fmean(values)
    half = _Z95 * stdev(values) / math.sqrt(len(values)) if len(values) > 1 else 0.0
    return mean, half


def reward_curve(rows: Sequence[dict[str, Any]], buckets: int = ORDER_BUCKETS) -> dict[str, Any]:
    """Mean total reward with a 95% band: by training step (``rollout_info.current_step``) when
    rollouts carry one, else by creation order in up to ``buckets`` groups. ``{"by", "label",
    "points": [{"x", "mean", "half", "n", "filter"}]}``."""
    scored = [r for r in rows if r.get("total_reward") is not None]
    points: list[dict[str, Any]] = []
    if any(r.get("step") is not None for r in scored):
        groups: dict[float, list[float]] = {}
        for r in scored:
            if r.get("step") is not None:
                groups.setdefault(r["step"], []).append(r["total_reward"])
        for step, values in sorted(groups.items()):
            mean, half = mean_band(values)
            name = f"step {fmt_reward(step)}"
            flt = range_filter("step", step, step, True, name)
            points.append({"x": step, "mean": mean, "half": half, "n": len(values), "filter": flt})
        return {"by": "step", "label": "training step (rollout_info.current_step)", "points": points}
    ordered = sorted(scored, key=lambda r: r.get("seq", 0))
    size = max(1, math.ceil(len(ordered) / buckets))
    for at in range(0, len(ordered), size):
        group = ordered[at : at + size]
        mean, half = mean_band([r["total_reward"] for r in group])
        first, last = group[0].get("seq", 0), group[-1].get("seq", 0)
        name = f"rollouts {at + 1} to {at + len(group)}" if len(group) > 1 else f"rollout {at + 1}"
        flt = range_filter("seq", first, last, True, name)
        points.append({"x": at + 1, "mean": mean, "half": half, "n": len(group), "filter": flt})
    return {"by": "order", "label": "rollout (creation order)", "points": points}


def integer_ticks(lo: float, hi: float, most: int = 8) -> list[int]:
    """Whole-number ticks from ``lo`` to ``hi``, at most about ``most`` of them, at a round spacing."""
    first, last = math.ceil(lo), math.floor(hi)
    if last < first:
        return [round(lo)]
    step = max(1, int(nice_step((last - first) / max(1, most - 1))))
    start = math.ceil(first / step) * step
    return list(range(start, last + 1, step)) or [first]


def run_charts(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Everything the run charts draw: ``{"bins", "curve", "rewards"}`` (``rewards``: how many rollouts have one)."""
    rewards = [r["total_reward"] for r in rows if r.get("total_reward") is not None]
    return {"bins": reward_bins(rewards), "curve": reward_curve(rows), "rewards": len(rewards)}

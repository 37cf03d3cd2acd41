"""The tasks heat map as static HTML (for saved notebooks, GitHub, nbconvert) and as plain text.

Bounded: the hardest :data:`STATIC_TASKS` tasks. Task names, run names and step labels come
from the store: escaped here, sanitised by the text table.
"""

from __future__ import annotations

import math
from typing import Any

from ..counts import count
from ..store.location import redact
from . import static
from .heatmap import TaskGrid, clip
from .render import esc, fmt_reward
from .text import table_text

#: tasks in the static heat map
STATIC_TASKS = 50
#: tasks in the text view
TEXT_TASKS = 20


def heat_color(t: float) -> str:
    """The color of a value from 0 (red) to 1 (green), as heatmap.js draws it."""
    return f"hsl({round(120 * max(0.0, min(1.0, t)))} 62% 40%)"


def cell_text(value: float, color: str) -> str:
    """A cell's number as shown: a success rate in percent, a mean reward as a number; '·' without one."""
    if not math.isfinite(value):
        return "·"
    return f"{round(value * 100)}%" if color == "success" else fmt_reward(value)


def _scale(grid: TaskGrid, color: str) -> tuple[float, float]:
    return (0.0, 1.0) if color == "success" else grid.reward_scale()


def _title(grid: TaskGrid, color: str) -> str:
    what = f"success rate (reward ≥ {fmt_reward(grid.threshold)})" if color == "success" else "mean reward"
    note = f" · {grid.note}" if grid.note else ""
    return (
        f"tasks × {grid.describe_column()}: {count(len(grid.tasks), 'task')}, hardest first, coloured by {what}{note}"
    )


def heatmap_html(grid: TaskGrid, color: str = "success", limit: int = STATIC_TASKS) -> str:
    """The hardest ``limit`` tasks as a table of coloured cells."""
    lo, hi = _scale(grid, color)
    values = grid.metric(color)
    head = "".join(f"<th>{esc(c.label)}</th>" for c in grid.columns)
    rows = []
    for i in grid.order("difficulty", color)[:limit]:
        cells = []
        for j in range(len(grid.columns)):
            if not grid.rollouts[i, j]:
                cells.append("<td></td>")
                continue
            v = float(values[i, j])
            style = f' style="background:{heat_color((v - lo) / (hi - lo))};color:#fff"' if math.isfinite(v) else ""
            cells.append(f'<td class="orws-num"{style}>{esc(cell_text(v, color))}</td>')
        rows.append(f"<tr><td>{esc(clip(grid.tasks[i]))}</td>{''.join(cells)}</tr>")
    shown = min(limit, len(grid.tasks))
    left = (
        f'<div class="orws-note">… {len(grid.tasks) - shown:,} more tasks not shown in this static view; '
        "open the notebook in a running kernel for the interactive one.</div>"
        if len(grid.tasks) > shown
        else ""
    )
    table = f"<table><thead><tr><th>task</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    title = f'<div><b style="font-size:15px">{esc(_title(grid, color))}</b></div>'
    return f'{static.STYLE}<div class="orws orws-static">{title}{static.store_line(redact(grid.store.url))}{table}{left}</div>'


def heatmap_text(grid: TaskGrid, color: str = "success", limit: int = TEXT_TASKS) -> str:
    """The hardest ``limit`` tasks as a text table, a column per run (or training step)."""
    values = grid.metric(color)
    columns = [("task", "task", "text"), *((f"c{j}", c.label, "text") for j, c in enumerate(grid.columns))]
    rows: list[dict[str, Any]] = []
    for i in grid.order("difficulty", color)[:limit]:
        row: dict[str, Any] = {"task": grid.tasks[i]}
        for j in range(len(grid.columns)):
            row[f"c{j}"] = cell_text(float(values[i, j]), color) if grid.rollouts[i, j] else None
        rows.append(row)
    more = f"\n… {count(len(grid.tasks) - len(rows), 'more task')}" if len(grid.tasks) > len(rows) else ""
    return f"{_title(grid, color)}\n{table_text(rows, columns)}{more}"

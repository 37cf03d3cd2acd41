"""``openreward_nb.tasks``: the tasks heat map as a view (static HTML and text, then the live widget)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..frames.filters import Runs
from ..store.location import StoreSpec
from .views import View

if TYPE_CHECKING:
    from .heatmap import TaskGrid


class TasksView(View):
    """Tasks × runs (or × training steps of one run): the heat map, its cells' rollouts, their timelines."""

    def __init__(self, grid: TaskGrid, color: str = "success") -> None:
        self.grid = grid
        self.color = color

    def widget(self) -> Any:
        from .taskbrowser import TasksBrowser

        return TasksBrowser(self.grid, color=self.color)

    def static_html(self) -> str:
        from .taskstatic import heatmap_html

        return heatmap_html(self.grid, self.color)

    def text(self) -> str:
        from .taskstatic import heatmap_text

        return heatmap_text(self.grid, self.color)


def tasks(
    runs: Runs = None,
    *,
    by: str | None = None,
    step: str = "rollout_info.current_step",
    reward: str = "total",
    threshold: float = 1.0,
    color: str = "success",
    store: StoreSpec = None,
    **filters: Any,
) -> TasksView:
    """A heat map of tasks × runs, or × training steps (the ``step`` column) when ``runs`` is one run.

    Tasks are keyed as in ``tasks_df`` (``by``: a rollouts_df column instead); a cell is coloured
    by its success rate (reward >= ``threshold``; ``reward``: "total", "final" or "max"), or by
    its mean reward with ``color="reward"``. Sort by difficulty (hardest first) or by
    disagreement between columns; click a cell for its rollouts as cards, best first, a card
    for its timeline, "compare best and worst" for the cell's two extremes side by side.
    Filters as in ``rollouts_df``. Read once, when called.
    """
    from .heatmap import COLORS, TaskGrid, check_choice

    check_choice("color", color, COLORS)
    grid = TaskGrid.read(runs, by=by, step=step, reward=reward, threshold=threshold, store=store, filters=filters)
    return TasksView(grid, color)

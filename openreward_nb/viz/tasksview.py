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

    def __init__(self, grid: TaskGrid, colour: str = "success") -> None:
        self.grid = grid
        self.colour = colour

    def widget(self) -> Any:
        from .taskbrowser import TasksBrowser

        return TasksBrowser(self.grid, colour=self.colour)

    def static_html(self) -> str:
        from .taskstatic import heatmap_html

        return heatmap_html(self.grid, self.colour)

    def text(self) -> str:
        from .taskstatic import heatmap_text

        return heatmap_text(self.grid, self.colour)


def tasks(
    runs: Runs = None,
    *,
    by: str | None = None,
    step: str = "rollout_info.current_step",
    reward: str = "total",
    threshold: float = 1.0,
    colour: str = "success",
    store: StoreSpec = None,
    **filters: Any,
) -> TasksView:
    """A heat map of tasks × runs, or × training steps (the ``step`` column) when ``runs`` is one run.

    Tasks are keyed as in ``tasks_df`` (``by``: a rollouts_df column instead); a cell is coloured
    by its success rate (reward >= ``threshold``; ``reward``: "total", "final" or "max"), or by
    its mean reward with ``colour="reward"``. Sort by difficulty (hardest first) or by
    disagreement between columns; click a cell for its rollouts as cards, best first, a card
    for its timeline, "compare best and worst" for the cell's two extremes side by side.
    Filters as in ``rollouts_df``. Read once, when called.
    """
    from .heatmap import COLOURS, TaskGrid, check_choice

    check_choice("colour", colour, COLOURS)
    grid = TaskGrid.read(runs, by=by, step=step, reward=reward, threshold=threshold, store=store, filters=filters)
    return TasksView(grid, colour)

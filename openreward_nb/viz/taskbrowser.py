"""The tasks browser widget: the heat map; a clicked cell's rollouts as cards, best first; a clicked
card's timeline, or the best and the worst of the cell compared.

Sorting and paging the heat map happen in the kernel (the browser asks by setting ``sort``,
``color`` and ``limit``), so no more than a page of rows is ever sent at once.
"""

from __future__ import annotations

from typing import Any

import anywidget
import ipywidgets as widgets
import traitlets

from ..counts import count
from ..records import RolloutRecord, RolloutsAPI
from .assets import module, stylesheet
from .groupcards import MAX_CARDS, group_cards
from .heatmap import COLORS, ROWS_PER_PAGE, SORTS, TaskGrid, check_choice
from .presentation import looks_data
from .render import esc, fmt_reward


class HeatmapWidget(anywidget.AnyWidget):
    """Rows of cells (``[success rate, mean reward, attempts]``) under column labels; a click sets ``selected``."""

    _esm = module("heatmap.js")
    _css = stylesheet("heatmap.css")

    columns: traitlets.List[str] = traitlets.List().tag(sync=True)
    rows: traitlets.List[dict[str, Any]] = traitlets.List().tag(sync=True)
    #: tasks in all (``rows`` holds the first ``limit`` in ``sort`` order)
    total = traitlets.Int(0).tag(sync=True)
    sort = traitlets.Unicode("difficulty").tag(sync=True)
    color = traitlets.Unicode("success").tag(sync=True)
    limit = traitlets.Int(ROWS_PER_PAGE).tag(sync=True)
    #: rows "show more" adds to ``limit``
    page = traitlets.Int(ROWS_PER_PAGE).tag(sync=True)
    #: the lowest and highest mean reward of a cell: what the reward colours span
    scale: traitlets.List[float] = traitlets.List([0.0, 1.0]).tag(sync=True)
    #: the clicked cell: ``{"row": task index, "col": column index}`` (empty: none)
    selected = traitlets.Dict().tag(sync=True)
    threshold = traitlets.Float(1.0).tag(sync=True)


class GroupCardsWidget(anywidget.AnyWidget):
    """A cell's rollouts as cards; clicking one sets ``selected`` to its rollout id."""

    _esm = module("cards.js")
    _css = stylesheet("cards.css", "labels.css")

    #: how each event kind looks (the presentation table, as data)
    looks = traitlets.Dict().tag(sync=True)
    cards: traitlets.List[dict[str, Any]] = traitlets.List().tag(sync=True)
    selected = traitlets.Unicode("").tag(sync=True)


def pair_view(a: RolloutRecord, b: RolloutRecord) -> Any:
    """The widget showing where two rollouts part ways: the step diff, opened at their first divergence."""
    from .diffview import diff

    return diff(a, b).widget()


class TasksBrowser(widgets.VBox):
    """The heat map of a :class:`TaskGrid`, the cards of the clicked cell and what a card opens."""

    def __init__(self, grid: TaskGrid, *, sort: str = "difficulty", color: str = "success") -> None:
        self.grid = grid
        self.title = widgets.HTML(self._title())
        self.heat = HeatmapWidget(
            columns=[c.label for c in grid.columns],
            rows=grid.page(check_choice("sort", sort, SORTS), check_choice("color", color, COLORS), ROWS_PER_PAGE),
            total=len(grid.tasks),
            sort=sort,
            color=color,
            scale=list(grid.reward_scale()),
            threshold=grid.threshold,
        )
        self.heat.add_class("orw-tasks-heat")
        self.heat.observe(self._reorder, names=["sort", "color", "limit"])
        self.heat.observe(self._cell, names="selected")
        self.group_title = widgets.HTML()
        self.compare_button = widgets.Button(
            description="compare best and worst",
            icon="columns",
            tooltip="the best and the worst rollout of this cell side by side",
            disabled=True,
            layout=widgets.Layout(width="auto"),
        )
        self.compare_button.on_click(lambda _: self.compare_extremes())
        self.cards = GroupCardsWidget(looks=looks_data())
        self.cards.observe(self._card, names="selected")
        head = widgets.HBox([self.group_title, self.compare_button], layout=widgets.Layout(align_items="center"))
        self.group_box = widgets.VBox([head, self.cards], layout=widgets.Layout(display="none"))
        self.slot = widgets.VBox()
        self._extremes: tuple[str, str] | None = None
        super().__init__([self.title, self.heat, self.group_box, self.slot])
        self.add_class("orw-tasks")
        self.add_class("orw-live")

    def _title(self) -> str:
        grid = self.grid
        note = f' · <span style="opacity:.7">{esc(grid.note)}</span>' if grid.note else ""
        return (
            f"<b>tasks × {esc(grid.describe_column())}</b> · {esc(count(len(grid.tasks), 'task'))} · "
            f"success: reward ≥ {esc(fmt_reward(grid.threshold))} · click a cell for its rollouts{note}"
        )

    # --- the heat map asks ---------------------------------------------------------------------
    def _reorder(self, _change: dict[str, Any]) -> None:
        heat = self.heat
        sort = heat.sort if heat.sort in SORTS else "difficulty"
        color = heat.color if heat.color in COLORS else "success"
        heat.rows = self.grid.page(sort, color, heat.limit)

    def _cell(self, change: dict[str, Any]) -> None:
        cell = change["new"] or {}
        row, col = cell.get("row"), cell.get("col")
        if isinstance(row, int) and isinstance(col, int):
            self.open_cell(row, col)

    # --- a cell ------------------------------------------------------------------------------------
    def open_cell(self, row: int, col: int) -> None:
        """Show the rollouts of task ``row`` in column ``col`` as cards, best first (nothing for a cell not in the map)."""
        grid = self.grid
        if not (0 <= row < len(grid.tasks) and 0 <= col < len(grid.columns)):
            return
        group = grid.group(row, col)
        scored = group[group["reward"].notna()]
        self._extremes = (scored["rollout_id"].iloc[0], scored["rollout_id"].iloc[-1]) if len(scored) > 1 else None
        shown = min(len(group), MAX_CARDS)
        left = f" (the best {shown:,} shown)" if len(group) > shown else ""
        mean = fmt_reward(float(scored["reward"].mean())) if len(scored) else "–"
        successes = int(scored["success"].sum()) if len(scored) else 0
        flat = " · no learning signal (all rewards equal)" if len(scored) and bool(group["zero_variance"].all()) else ""
        self.group_title.value = (
            f"<b>{esc(grid.tasks[row])}</b> · {esc(grid.columns[col].label)} · {esc(count(len(group), 'rollout'))}{left}"
            f" · mean reward <b>{esc(mean)}</b> · {successes:,} of {len(scored):,} succeeded{esc(flat)}"
        )
        with self.hold_sync():
            self.cards.selected = ""
            self.cards.cards = group_cards(grid.store, group)
            self.compare_button.disabled = self._extremes is None
            self.group_box.layout.display = "flex"
        self._show(None)

    def _card(self, change: dict[str, Any]) -> None:
        if change["new"]:
            self.open_rollout(change["new"])

    def open_rollout(self, rollout_id: str) -> None:
        """Show one rollout's timeline under the cards."""
        from .timeline import TimelineWidget

        self._show(TimelineWidget(RolloutsAPI(self.grid.store).get(rollout_id)))

    def compare_extremes(self) -> None:
        """Show the best and the worst rollout of the open cell side by side."""
        if self._extremes is None:
            return
        api = RolloutsAPI(self.grid.store)
        best, worst = (api.get(rollout_id) for rollout_id in self._extremes)
        self._show(pair_view(best, worst))

    def _show(self, widget: Any) -> None:
        for child in self.slot.children:
            child.close()
        self.slot.children = () if widget is None else (widget,)

    def close(self) -> None:
        self._show(None)
        super().close()

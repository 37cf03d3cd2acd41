"""The run browser widget: rollouts table, reward histogram and curve, and the selected rollout's timeline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from ..records import RolloutRecord, RunRecord
from .plots import figure_output, reward_curve, reward_histogram
from .render import esc, fmt_reward
from .rows import ROLLOUT_COLUMNS, count_label, meta_columns, rollout_rows
from .table import TableWidget


class RunBrowser(widgets.VBox):
    """A run's rollouts; clicking a row opens that rollout's timeline below the charts."""

    def __init__(self, run: RunRecord, on_open: Callable[[RolloutRecord], None] | None = None) -> None:
        self.run = run
        self._on_open = on_open
        rows = rollout_rows(run.rollouts())
        columns = [*ROLLOUT_COLUMNS, *((k, k[len("meta.") :], "text") for k in meta_columns(rows))]
        if all(r["step"] is None for r in rows):
            columns = [c for c in columns if c[0] != "step"]
        self.table = TableWidget(columns, rows, caption=f"run {run.name}: {count_label(len(rows), run.n_rollouts)}")
        self.table.add_class("orw-run-table")
        self.table.observe(self._selected, names="selected")
        self.charts = widgets.HBox([self._chart(rows, "hist"), self._chart(rows, "curve")])
        self.charts.add_class("orw-run-charts")
        self.slot = widgets.VBox()
        mean = fmt_reward(run.mean_reward) or "–"
        title = widgets.HTML(
            f"<b>{esc(run.name)}</b> · {run.n_rollouts:,} rollouts · {run.n_running:,} running · "
            f"{run.n_failed:,} failed · mean reward <b>{esc(mean)}</b>"
        )
        super().__init__([title, self.table, self.charts, self.slot])
        self.add_class("orw-run")

    @staticmethod
    def _chart(rows: list[dict[str, Any]], which: str) -> widgets.Output:
        out = widgets.Output(layout=widgets.Layout(width="50%", min_width="280px"))
        rewards = [r["total_reward"] for r in rows if r["total_reward"] is not None]
        figure = reward_histogram(rewards) if which == "hist" else reward_curve(rows)
        if figure is not None and rewards:
            out.outputs = (figure_output(figure, f"{which}: {len(rewards)} rewards"),)
        return out

    def _selected(self, change: dict[str, Any]) -> None:
        rollout_id = change["new"]
        if not rollout_id:
            return
        record = RolloutRecord.from_row(self.run._store.get_rollout(rollout_id), self.run._store)
        if self._on_open is not None:
            self._on_open(record)
        self.open_rollout(record)

    def open_rollout(self, record: RolloutRecord) -> None:
        """Show ``record``'s timeline under the table (closing the one shown before)."""
        from .timeline import TimelineWidget

        for child in self.slot.children:
            child.close()
        self.slot.children = (TimelineWidget(record),)

    def close(self) -> None:
        for child in self.slot.children:
            child.close()
        super().close()

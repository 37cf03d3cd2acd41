"""The run browser widget: the run's header (where it is stored, live state, refresh), its reward
charts, the rollouts table they filter, and the selected rollout's timeline. Live while the run
has running rollouts, as the timeline is while its rollout runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from ..records import RolloutRecord, RolloutsAPI, RunRecord
from ..store.location import redact
from .charts import run_charts
from .live import Poller
from .render import esc, fmt_reward
from .rows import FILTER_KEYS, count_label, rollout_rows, run_table_columns
from .runcharts import RunChartsWidget
from .stepchart import with_steps
from .table import TableWidget


def _state(run: RunRecord) -> tuple[Any, ...]:
    """What changes when a run's rollouts change (compared between polls)."""
    return (run.n_rollouts, run.n_running, run.n_finished, run.n_failed, run.n_events, run.last_event_at)


class RunBrowser(widgets.VBox):
    """A run's rollouts; clicking a chart filters the table, clicking a row opens that rollout's timeline."""

    def __init__(
        self,
        run: RunRecord,
        on_open: Callable[[RolloutRecord], None] | None = None,
        *,
        live: bool | None = None,
        poll_interval: float = 1.0,
    ) -> None:
        self.run = run
        self._on_open = on_open
        self._url = redact(run.store.url)
        rows = rollout_rows(run.rollouts())
        self.table = TableWidget(run_table_columns(rows), rows, self._caption(len(rows)), extra_keys=FILTER_KEYS)
        self.table.range_key = "total_reward"
        self.table.add_class("orw-run-table")
        self.table.observe(self._selected, names="selected")
        self.charts = RunChartsWidget(data=with_steps(run_charts(rows), run))
        self.charts.add_class("orw-run-charts")
        widgets.jslink((self.charts, "filter"), (self.table, "filter"))
        self.title = widgets.HTML()
        self.refresh_button = widgets.Button(
            description="refresh", icon="refresh", tooltip="read the run again", layout=widgets.Layout(width="auto")
        )
        self.refresh_button.on_click(lambda _: self.refresh())
        self.slot = widgets.VBox()
        self._seen = _state(run)
        follow = run.n_running > 0 if live is None else bool(live)
        self._interval = poll_interval
        self._poller: Poller | None = None
        head = widgets.HBox([self.title, self.refresh_button], layout=widgets.Layout(align_items="center"))
        super().__init__([head, self.charts, self.table, self.slot])
        self.add_class("orw-run")
        self.add_class("orw-live")
        if follow:
            self._poller = Poller(self._tick, poll_interval, name="openreward_nb-run")
        self._draw_title()

    @property
    def live(self) -> bool:
        """True while the view follows the run."""
        return self._poller is not None and self._poller.running

    def _caption(self, shown: int) -> str:
        return f"run {self.run.name}: {count_label(shown, self.run.n_rollouts)}"

    def _draw_title(self) -> None:
        run = self.run
        mean = fmt_reward(run.mean_reward) or "–"
        live = ' · <b class="orw-run-live">live</b>' if self._poller is not None else ""
        self.title.value = (
            f"<b>{esc(run.name)}</b> · {run.n_rollouts:,} rollouts · {run.n_running:,} running · "
            f"{run.n_failed:,} failed · mean reward <b>{esc(mean)}</b>{live}"
            f'<br><span style="opacity:.7">store <code>{esc(self._url)}</code></span>'
        )

    # --- reading the run again -------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the run again, redraw what changed, and follow it while it has running rollouts."""
        self._update(self.run.refresh())
        if self.run.n_running > 0 and not self.live:
            self._poller = Poller(self._tick, self._interval, name="openreward_nb-run")
        self._draw_title()

    def _update(self, run: RunRecord) -> None:
        self.run = run
        self._seen = _state(run)
        rows = rollout_rows(run.rollouts())
        with self.hold_sync():
            self.table.set_rows(rows)
            self.table.caption = self._caption(len(rows))
            self.charts.data = with_steps(run_charts(rows), run)

    def _tick(self) -> bool:
        """One poll: redraw when the run changed; False (stop) once none of its rollouts runs."""
        run = self.run.refresh()
        if _state(run) != self._seen:
            self._update(run)
        if run.n_running > 0:
            return True
        self._poller = None
        self._draw_title()
        return False

    # --- the selected rollout --------------------------------------------------------------------
    def _selected(self, change: dict[str, Any]) -> None:
        rollout_id = change["new"]
        if not rollout_id:
            return
        record = RolloutsAPI(self.run.store).get(rollout_id)
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
        poller, self._poller = self._poller, None
        if poller is not None:
            poller.stop()
        for child in self.slot.children:
            child.close()
        super().close()

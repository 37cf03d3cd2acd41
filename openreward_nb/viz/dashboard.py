"""The dashboard widget: every run in a store, then a run's rollouts, then a rollout's timeline."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from ..records import RolloutRecord
from ..store.location import redact
from .labelling import LABELLED_COLUMN, mark_runs
from .rows import RUN_COLUMNS, run_row
from .runview import RunBrowser
from .searchwidget import SearchBrowser, search_box
from .table import TableWidget

if TYPE_CHECKING:
    from ..client import OpenReward


class DashboardWidget(widgets.VBox):
    """Runs table; selecting a run opens its browser (rollouts, charts, timeline) below a breadcrumb."""

    def __init__(self, client: OpenReward) -> None:
        self.client = client
        self.home = widgets.Button(description="all runs", icon="list", tooltip="back to every run")
        self.refresh = widgets.Button(description="refresh", icon="refresh", tooltip="re-read the store")
        self.crumb = widgets.Label("")
        self.home.on_click(lambda _: self.show_runs())
        self.refresh.on_click(lambda _: self._refresh())
        self.body = widgets.VBox()
        self.browser: RunBrowser | None = None
        self.found: SearchBrowser | None = None
        self.search_box = search_box(self.open_search)
        columns = (*RUN_COLUMNS, LABELLED_COLUMN)
        self.runs = TableWidget(columns, [], caption="runs", sort_key="last_event_at", sort_desc=True)
        self.runs.add_class("orw-runs-table")
        self.runs.observe(self._selected, names="selected")
        super().__init__([widgets.HBox([self.home, self.refresh, self.search_box, self.crumb]), self.body])
        self.add_class("orw-dashboard")
        self.add_class("orw-live")
        self._refresh()

    def _refresh(self) -> None:
        rows = [run_row(r) for r in self.client.runs.list()]
        mark_runs(self.client.store, rows)
        self.runs.set_rows(rows)
        self.runs.caption = f"{len(rows):,} runs in {redact(self.client.store.url)}"
        if self.browser is not None:
            self.open_run(self.browser.run.name)
        else:
            self.show_runs()

    def show_runs(self) -> None:
        """Back to the list of runs."""
        self._drop_browser()
        self.runs.selected = ""
        self.crumb.value = ""
        self.body.children = (self.runs,)

    def open_run(self, name: str) -> None:
        """Show run ``name``'s rollouts."""
        self._drop_browser()
        self.browser = RunBrowser(self.client.runs.get(name), on_open=self._opened)
        self.crumb.value = f"› {name}"
        self.body.children = (self.browser,)

    def open_search(self, query: str) -> None:
        """Search every rollout of the store for ``query`` (results below, a result opens its timeline)."""
        self._drop_browser()
        self.found = SearchBrowser(self.client.store, query=query)
        self.crumb.value = f"› search “{query}”"
        self.body.children = (self.found,)

    def _opened(self, record: RolloutRecord) -> None:
        self.crumb.value = f"› {record.run_name} › {record.rollout_name or record.id}"

    def _selected(self, change: dict[str, Any]) -> None:
        if change["new"]:
            self.open_run(change["new"])

    def _drop_browser(self) -> None:
        if self.browser is not None:
            self.browser.close()
            self.browser = None
        if self.found is not None:
            self.found.close()
            self.found = None

    def close(self) -> None:
        self._drop_browser()
        super().close()

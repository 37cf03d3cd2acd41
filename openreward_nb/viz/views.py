"""What a notebook displays: each view bundles a live widget with static HTML and plain text.

In a kernel the bundle carries the widget view; everywhere (GitHub, nbviewer, nbconvert, a
restarted kernel, a terminal) the static HTML or the text stands in. A view that fails to
build warns and falls back; it never raises into the user's code.
"""

from __future__ import annotations

import sys
import warnings
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

from ..extras import needs_extra
from ..records import RolloutRecord, RunRecord
from . import static, text
from .render import esc
from .rows import BRIEF_ROLLOUT_COLUMNS, RUN_COLUMNS, rollout_rows, run_row

if TYPE_CHECKING:
    from ..client import OpenReward
    from ..rollout import Rollout

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def in_kernel() -> bool:
    """True inside a Jupyter kernel (where a widget can be displayed)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return getattr(shell, "kernel", None) is not None


def _warn(what: str, exc: BaseException) -> None:
    warnings.warn(f"openreward_nb: {what} failed ({type(exc).__name__}: {exc})", stacklevel=3)


class View(ABC):
    """A displayable view: ``widget()`` live, ``static_html()`` and ``text()`` everywhere else."""

    @abstractmethod
    def widget(self) -> Any:
        """The interactive widget."""

    @abstractmethod
    def static_html(self) -> str:
        """A bounded static HTML rendering."""

    @abstractmethod
    def text(self) -> str:
        """A plain-text summary."""

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        data: dict[str, Any] = {}
        try:
            data["text/plain"] = self.text()
        except Exception as exc:
            _warn("the text view", exc)
            data["text/plain"] = repr(self)
        try:
            data["text/html"] = self.static_html()
        except Exception as exc:
            _warn("the static HTML view", exc)
        if in_kernel():
            try:
                with needs_extra(None, "The interactive view"):
                    bundle = self.widget()._repr_mimebundle_()
                bundle = bundle[0] if isinstance(bundle, tuple) else bundle
                data[WIDGET_MIME] = bundle[WIDGET_MIME]
            except Exception as exc:
                _warn("the interactive view", exc)
        return data

    def show(self) -> None:
        """Display this view in the notebook (or print its text outside one)."""
        if in_kernel():
            from IPython.display import display

            display(self)
        else:
            print(self.text())


class RolloutView(View):
    """One rollout: the timeline widget."""

    def __init__(self, record: RolloutRecord, live: bool | None = None) -> None:
        self.record = record
        self.live = live

    def widget(self) -> Any:
        from .timeline import TimelineWidget

        return TimelineWidget(self.record, live=self.live)

    def static_html(self) -> str:
        return static.timeline_html(self.record)

    def text(self) -> str:
        return text.rollout_summary(self.record)


class RunView(View):
    """One run: its rollouts table, reward charts and a timeline of the selected rollout."""

    def __init__(self, run: RunRecord) -> None:
        self.run = run

    def widget(self) -> Any:
        from .runview import RunBrowser

        return RunBrowser(self.run)

    def static_html(self) -> str:
        return static.run_html(self.run, rollout_rows(self.run.rollouts(), static.STATIC_ROWS))

    def text(self) -> str:
        rows = rollout_rows(self.run.rollouts(), 20)
        more = f"\n… {self.run.n_rollouts - len(rows):,} more" if self.run.n_rollouts > len(rows) else ""
        mean = "-" if self.run.mean_reward is None else f"{self.run.mean_reward:.4g}"
        head = f"run {self.run.name}: {self.run.n_rollouts:,} rollouts, mean reward {mean}"
        return f"{head}\n{text.table_text(rows, BRIEF_ROLLOUT_COLUMNS)}{more}"


class DashboardView(View):
    """Every run in a store, then a run's rollouts, then a rollout's timeline."""

    def __init__(self, client: OpenReward) -> None:
        self.client = client

    def widget(self) -> Any:
        from .dashboard import DashboardWidget

        return DashboardWidget(self.client)

    def _rows(self) -> list[dict[str, Any]]:
        return [run_row(r) for r in self.client.runs.list()]

    def static_html(self) -> str:
        rows = self._rows()
        cols = tuple(c for c in RUN_COLUMNS if c[0] != "last_event_at")
        title = (
            f'<div><b style="font-size:15px">{len(rows):,} runs</b> in <code>{esc(self.client.store.url)}</code></div>'
        )
        return f'{static.STYLE}<div class="orws">{title}{static.table_html(rows, cols)}</div>'

    def text(self) -> str:
        return text.table_text(self._rows(), RUN_COLUMNS)


class CompareView(View):
    """Two rollouts side by side, aligned by model turn."""

    def __init__(self, a: RolloutRecord, b: RolloutRecord) -> None:
        self.a, self.b = a, b

    def widget(self) -> Any:
        from .compare import compare_widget

        return compare_widget(self.a, self.b)

    def static_html(self) -> str:
        from .compare import turn_pairs

        return static.compare_html(turn_pairs(self.a, self.b), self.a, self.b)

    def text(self) -> str:
        return f"{text.rollout_summary(self.a)}\n  vs\n{text.rollout_summary(self.b)}"


def as_record(rollout: Rollout | RolloutRecord) -> RolloutRecord:
    """A stored record for a live :class:`Rollout` (flushing it first) or a record as it is."""
    return rollout if isinstance(rollout, RolloutRecord) else rollout.record()


def dashboard(client: OpenReward | None = None, *, store: Any = None) -> DashboardView:
    """Runs → a run's rollouts → a rollout's timeline, in one widget (``client``'s store, or ``store``)."""
    if client is None:
        from ..client import OpenReward

        client = OpenReward(store=store)
    return DashboardView(client)


def compare(a: Rollout | RolloutRecord | str, b: Rollout | RolloutRecord | str, *, store: Any = None) -> CompareView:
    """Two rollouts side by side, their timelines scrolling together by model turn.

    Each is a rollout, a record, or a reference read from ``store`` (default: the project's):
    an id, a unique id prefix or ``RUN/ROLLOUT_NAME``.
    """

    def record(rollout: Rollout | RolloutRecord | str) -> RolloutRecord:
        if isinstance(rollout, str):
            from ..records import RolloutsAPI
            from ..store.location import open_store

            return RolloutsAPI(open_store(store, read_only=True)).get(rollout)
        return as_record(rollout)

    return CompareView(record(a), record(b))

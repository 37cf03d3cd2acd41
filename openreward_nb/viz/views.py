"""What a notebook displays: each view's static HTML and plain text, then its live widget.

In a kernel a view is two outputs of its cell: first a bundle of static HTML and text, then the
widget. A bundle holding both the widget and the HTML is not enough: JupyterLab prefers the
widget mime type even when the widget's model is gone, so a saved notebook reopened with a
fresh kernel showed only "Error displaying widget: model not found", and ``nbconvert
--execute`` an empty output. As two outputs, the static one is always there; CSS in it (see
static.STYLE) hides it while the live widget is showing, and hides the widget's output when
there is no live widget. Everywhere else (GitHub, nbviewer, nbconvert, a terminal) the static
HTML or the text stands in. A view that fails to build warns and falls back; it never raises
into the user's code.
"""

from __future__ import annotations

import sys
import warnings
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

from ..extras import needs_extra
from ..records import RolloutRecord, RunRecord
from ..store.location import redact
from . import static, text
from .charts import run_charts
from .rows import BRIEF_ROLLOUT_COLUMNS, RUN_COLUMNS, rollout_rows, run_row
from .stepchart import with_steps

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
        """The static bundle: text and HTML (no widget), readable anywhere."""
        return self._static_bundle(paired=False)

    def _static_bundle(self, paired: bool) -> dict[str, Any]:
        data: dict[str, Any] = {}
        try:
            data["text/plain"] = self.text()
        except Exception as exc:
            _warn("the text view", exc)
            data["text/plain"] = repr(self)
        try:
            html = self.static_html()
            data["text/html"] = f'<div class="orws-paired">{html}</div>' if paired else html
        except Exception as exc:
            _warn("the static HTML view", exc)
        return data

    def _widget_bundle(self) -> dict[str, Any] | None:
        try:
            with needs_extra(None, "The interactive view"):
                bundle = self.widget()._repr_mimebundle_()
            bundle = bundle[0] if isinstance(bundle, tuple) else bundle
            return {
                WIDGET_MIME: bundle[WIDGET_MIME],
                "text/plain": "(the interactive view: shown while the notebook runs in a kernel)",
            }
        except Exception as exc:
            _warn("the interactive view", exc)
            return None

    def _ipython_display_(self) -> None:
        """In a kernel: the static bundle, then the widget as the next output (see the module's docstring)."""
        from IPython.display import display

        live = self._widget_bundle() if in_kernel() else None
        display(self._static_bundle(paired=live is not None), raw=True)  # type: ignore[no-untyped-call]
        if live is not None:
            display(live, raw=True)  # type: ignore[no-untyped-call]

    def show(self) -> None:
        """Display this view in the notebook (or print its text outside one)."""
        if in_kernel():
            self._ipython_display_()
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
        rows = rollout_rows(self.run.rollouts())
        url = redact(self.run.store.url)
        return static.run_html(self.run, rows[: static.STATIC_ROWS], url, with_steps(run_charts(rows), self.run))

    def text(self) -> str:
        rows = rollout_rows(self.run.rollouts(), 20)
        return text.run_text(self.run.name, self.run.n_rollouts, self.run.mean_reward, rows, BRIEF_ROLLOUT_COLUMNS)


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
        cols = tuple(c for c in RUN_COLUMNS if c[0] != "last_event_at")
        return static.dashboard_html(self._rows(), cols, redact(self.client.store.url))

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


def dashboard(client: OpenReward | None = None, *, store: Any = None) -> DashboardView:
    """Runs → a run's rollouts → a rollout's timeline, in one widget (``client``'s store, or ``store``)."""
    if client is None:
        from ..client import OpenReward

        client = OpenReward(store=store)
    return DashboardView(client)


def compare(
    a: Rollout | RolloutRecord | str, b: Rollout | RolloutRecord | str, *, store: Any = None, diff: bool = False
) -> View:
    """Two rollouts side by side, their timelines scrolling together by model turn (the widget has a
    switch to the step diff); with ``diff=True``, the step diff itself (:func:`openreward_nb.diff`).

    Each is a rollout, a record, or a reference read from ``store`` (default: the project's):
    an id, a unique id prefix or ``RUN/ROLLOUT_NAME``.
    """
    from ..references import rollout_record

    ra, rb = rollout_record(a, store), rollout_record(b, store)
    if diff:
        from .diffview import DiffView

        return DiffView(ra, rb)
    return CompareView(ra, rb)

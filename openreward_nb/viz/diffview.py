"""The step diff as a view: ``openreward_nb.diff(a, b)``, two outputs in a notebook like every view
(the static HTML, then the widget), its text in a terminal. The alignment is made once per view."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from ..alignment.align import Alignment, align
from ..references import rollout_record
from .views import View

if TYPE_CHECKING:
    from ..records import RolloutRecord
    from ..rollout import Rollout


class DiffView(View):
    """Two rollouts aligned step by step; ``.alignment`` holds the rows."""

    def __init__(self, a: RolloutRecord, b: RolloutRecord) -> None:
        self.a, self.b = a, b

    def __repr__(self) -> str:
        return f"<DiffView {self.a.id} vs {self.b.id}>"

    @cached_property
    def alignment(self) -> Alignment:
        """The alignment, made on first use and shared by the widget, the static HTML and the text."""
        return align(self.a, self.b)

    def widget(self) -> Any:
        from .diffwidget import DiffWidget

        return DiffWidget(self.alignment)

    def static_html(self) -> str:
        from .diffstatic import diff_html

        return diff_html(self.alignment)

    def text(self) -> str:
        from .difftext import diff_text

        return diff_text(self.alignment, limit=40)


def diff(a: Rollout | RolloutRecord | str, b: Rollout | RolloutRecord | str, *, store: Any = None) -> DiffView:
    """Rollout ``a`` and rollout ``b`` aligned step by step, opening at their first divergence.

    Identical steps fold ("12 identical steps"); changed steps show side by side with what differs
    marked (words of text, keys of JSON); steps only one has stand alone; both rewards share a chart.
    Each of ``a`` and ``b`` is a live rollout, a record, or a reference read from ``store`` (default:
    the project's): an id, a unique id prefix or ``RUN/ROLLOUT_NAME``. The view's ``alignment``
    holds the rows; :func:`openreward_nb.diff_df` gives them as a DataFrame.
    """
    return DiffView(rollout_record(a, store), rollout_record(b, store))

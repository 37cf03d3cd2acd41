"""A sortable, filterable table widget; selecting a row sets ``selected`` to that row's id."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import anywidget
import traitlets

from .assets import module, stylesheet
from .rows import Column


def slim_rows(rows: Sequence[dict[str, Any]], keys: set[str]) -> list[dict[str, Any]]:
    """The rows cut down to ``keys``, non-finite floats as None (JSON has no NaN)."""
    return [
        {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in row.items() if k in keys}
        for row in rows
    ]


class TableWidget(anywidget.AnyWidget):
    """Rows (dicts with an ``id``) under column specs; sorting and filtering happen in the browser.

    ``filter`` (``{"key", "lo", "hi", "closed", "label"}`` or empty) keeps the rows whose ``key``
    lies in the range; the run charts set it when clicked (linked in the browser), and the
    range inputs shown for ``range_key`` (a column key, e.g. the reward) set it too. A column
    of kind ``labels`` shows chips and a filter by label; ``labelling`` turns on the keys
    (see :mod:`.labelling`).
    """

    _esm = module("table.js")
    _css = stylesheet("table.css", "labels.css")

    columns: traitlets.List[dict[str, str]] = traitlets.List().tag(sync=True)
    rows: traitlets.List[dict[str, Any]] = traitlets.List().tag(sync=True)
    caption = traitlets.Unicode("").tag(sync=True)
    selected = traitlets.Unicode("").tag(sync=True)
    sort_key = traitlets.Unicode("").tag(sync=True)
    sort_desc = traitlets.Bool(False).tag(sync=True)
    filter = traitlets.Dict().tag(sync=True)
    range_key = traitlets.Unicode("").tag(sync=True)
    #: labelling (openreward_nb.viz.labelling): the labels on number keys, who labels, whether the keys label,
    #: and which rows show by label (``{"label": ...}`` or ``{"unlabelled": True}``)
    label_set: traitlets.List[str] = traitlets.List(traitlets.Unicode()).tag(sync=True)
    author = traitlets.Unicode("").tag(sync=True)
    labelling = traitlets.Bool(False).tag(sync=True)
    label_filter = traitlets.Dict().tag(sync=True)

    def __init__(
        self,
        columns: Sequence[Column],
        rows: Sequence[dict[str, Any]],
        caption: str = "",
        *,
        extra_keys: Sequence[str] = (),
        **kw: Any,
    ) -> None:
        self._keys = {c[0] for c in columns} | {"id", *extra_keys}
        specs = [{"key": key, "label": label, "kind": kind} for key, label, kind in columns]
        super().__init__(columns=specs, rows=slim_rows(rows, self._keys), caption=caption, **kw)

    def set_rows(self, rows: Sequence[dict[str, Any]]) -> None:
        """Replace the rows (only the columns' keys and the extra keys travel to the browser)."""
        self.rows = slim_rows(rows, self._keys)

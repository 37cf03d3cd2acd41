"""The run's reward charts as a widget: a histogram and the mean-reward curve, drawn as SVG in the
browser from :func:`.charts.run_charts`. Clicking a bar or a point sets ``filter``, which the run
browser links (in the browser) to its table's."""

from __future__ import annotations

import anywidget
import traitlets

from .assets import module, stylesheet


class RunChartsWidget(anywidget.AnyWidget):
    """``data``: the chart data; ``filter``: the table filter the last click set (empty: none)."""

    _esm = module("runcharts.js")
    _css = stylesheet("runcharts.css")

    data = traitlets.Dict().tag(sync=True)
    filter = traitlets.Dict().tag(sync=True)

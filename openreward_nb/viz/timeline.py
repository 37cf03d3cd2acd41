"""The rollout timeline widget: an anywidget that pages events from the store when asked and follows live rollouts."""

from __future__ import annotations

from typing import Any

import anywidget
import traitlets

from ..records import RolloutRecord
from .assets import module, stylesheet
from .live import Poller
from .presentation import looks_data
from .source import FIRST_PAGE, MAX_PAGE, TimelineSource

#: most search hits one request returns
MAX_HITS = 500
#: events shown above the one a timeline opens at (``focus``)
FOCUS_BEFORE = 3


class TimelineWidget(anywidget.AnyWidget):
    """One rollout, event by event. The first page travels with the widget; the rest is fetched on demand.

    ``focus=(idx, text)`` opens it at event ``idx``, scrolled to it with ``text`` highlighted there
    (a search result opens its rollout this way).
    """

    _esm = module("timeline.js")
    _css = stylesheet("timeline.css", "labels.css")

    #: how each event kind looks (the presentation table, as data)
    looks = traitlets.Dict().tag(sync=True)
    header = traitlets.Dict().tag(sync=True)
    counts = traitlets.Dict().tag(sync=True)
    chart = traitlets.Dict().tag(sync=True)
    first_page = traitlets.Dict().tag(sync=True)
    total = traitlets.Int(0).tag(sync=True)
    live = traitlets.Bool(False).tag(sync=True)
    #: the model turn at the top of the list; compare() links two timelines through it
    anchor = traitlets.Int(-1).tag(sync=True)
    compact = traitlets.Bool(False).tag(sync=True)
    #: the event to open at, scrolled to and flashed, with text to highlight in it: ``{"i": idx, "q": text}``
    focus = traitlets.Dict().tag(sync=True)

    def __init__(
        self,
        record: RolloutRecord,
        *,
        live: bool | None = None,
        compact: bool = False,
        poll_interval: float = 0.5,
        focus: tuple[int, str] | None = None,
    ) -> None:
        source = self._source = TimelineSource(record)
        follow = record.status == "running" if live is None else bool(live)
        start = max(0, focus[0] - FOCUS_BEFORE) if focus is not None else 0
        super().__init__(
            looks=looks_data(),
            header=source.header(),
            counts=source.type_counts(),
            chart=source.chart(),
            first_page=source.window(start, FIRST_PAGE),
            total=source.seen,
            live=follow,
            compact=compact,
            focus={"i": int(focus[0]), "q": str(focus[1])} if focus is not None else {},
        )
        self.on_msg(self._on_msg)
        self._poller = Poller(self._tick, poll_interval) if follow else None

    @property
    def record(self) -> RolloutRecord:
        """The rollout as last read from the store."""
        return self._source.record

    def refresh_labels(self) -> None:
        """Redraw the header's labels and note (after someone labelled this rollout)."""
        self.header = self._source.header()

    # --- requests from the browser --------------------------------------------------------
    def _on_msg(self, _widget: Any, content: dict[str, Any], _buffers: Any) -> None:
        req = content.get("req")
        try:
            self._answer(content, req)
        except Exception as exc:
            self.send({"kind": "error", "req": req, "message": f"{type(exc).__name__}: {exc}"})

    def _answer(self, content: dict[str, Any], req: Any) -> None:
        kind = content.get("kind")
        source = self._source
        if kind == "page":
            window = source.window(
                int(content.get("start") or 0),
                int(content.get("limit") or MAX_PAGE),
                content.get("types") or None,
                bool(content.get("backward")),
                content.get("turn"),
            )
            self.send({"kind": "page", "req": req, **window})
        elif kind == "text":
            self.send({"kind": "text", "req": req, **source.full_text(int(content["i"]))})
        elif kind == "attachment":
            answer, data = source.attachment(int(content["i"]), int(content["k"]))
            self.send({"kind": "attachment", "req": req, **answer}, buffers=[data] if data is not None else [])
        elif kind == "search":
            hits = source.search(str(content.get("q") or ""))
            self.send({"kind": "search", "req": req, "hits": hits[:MAX_HITS], "more": len(hits) >= MAX_HITS})
        else:
            raise ValueError(f"unknown request {kind!r}")

    # --- live ----------------------------------------------------------------------------
    def _tick(self) -> bool:
        """One poll: push what is new; False (stop) once the rollout has ended."""
        source = self._source
        changed = source.poll()
        if changed is not None:
            before, now = changed
            # only events below ``now``: ones written since the poll are the next tick's, or they'd go twice
            start = max(before, now - MAX_PAGE)
            fresh = source.page(start, now - start) if now > start else []
            with self.hold_sync():
                self.header = source.header()
                self.counts = source.type_counts()
                self.chart = source.chart()
                self.total = now
            if fresh:
                self.send({"kind": "append", "events": fresh})
        if source.record.status == "running":
            return True
        self.live = False
        return False

    def close(self) -> None:
        """Stop live updates and close the widget."""
        if self._poller is not None:
            self._poller.stop()
        super().close()

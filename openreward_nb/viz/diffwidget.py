"""The step diff widget: an anywidget that opens at the first divergence and pages aligned blocks
from the kernel, as the timeline pages events. It draws events as the timeline does (the shared
events.js, the timeline's CSS and the presentation table)."""

from __future__ import annotations

from functools import cached_property
from typing import Any

import anywidget
import traitlets

from ..alignment.align import Alignment
from .assets import module, stylesheet
from .difflooks import looks_data as diff_looks
from .diffsource import FIRST_BLOCKS, FOLD_PAGE, MAX_BLOCKS, DiffSource, Side
from .presentation import looks_data
from .source import TimelineSource


class DiffWidget(anywidget.AnyWidget):
    """Two rollouts aligned step by step. The first screen travels with the widget; the rest on demand."""

    _esm = module("diff.js")
    _css = stylesheet("timeline.css", "diff.css")

    #: how each event kind looks (the presentation table, as data)
    looks = traitlets.Dict().tag(sync=True)
    #: how each op and each side looks (difflooks)
    diff_looks = traitlets.Dict().tag(sync=True)
    header = traitlets.Dict().tag(sync=True)
    summary = traitlets.Dict().tag(sync=True)
    chart = traitlets.Dict().tag(sync=True)
    first_page = traitlets.Dict().tag(sync=True)
    total = traitlets.Int(0).tag(sync=True)

    def __init__(self, alignment: Alignment) -> None:
        source = self._source = DiffSource(alignment)
        super().__init__(
            looks=looks_data(),
            diff_looks=diff_looks(),
            header=source.header(),
            summary=source.summary(),
            chart=source.chart(),
            first_page=source.window(0, FIRST_BLOCKS),
            total=len(alignment.blocks),
        )
        self.on_msg(self._on_msg)

    @cached_property
    def _timelines(self) -> dict[Side, TimelineSource]:
        """Each side's timeline source, made when first needed (attachments are served as the timeline serves them)."""
        return {"a": TimelineSource(self._source.a), "b": TimelineSource(self._source.b)}

    def _on_msg(self, _widget: Any, content: dict[str, Any], _buffers: Any) -> None:
        req = content.get("req")
        try:
            self._answer(content, req)
        except Exception as exc:
            self.send({"kind": "error", "req": req, "message": f"{type(exc).__name__}: {exc}"})

    def _answer(self, content: dict[str, Any], req: Any) -> None:
        kind = content.get("kind")
        source = self._source
        if kind == "blocks":
            limit = int(content.get("limit") or MAX_BLOCKS)
            if content.get("row") is not None:
                window = source.window_at_row(int(content["row"]), limit)
            else:
                window = source.window(int(content.get("start") or 0), limit)
            self.send({"kind": "blocks", "req": req, **window})
        elif kind == "fold":
            rows = source.fold(int(content["block"]), int(content.get("start") or 0), FOLD_PAGE)
            self.send({"kind": "fold", "req": req, **rows})
        elif kind == "text":
            self.send({"kind": "text", "req": req, **source.full_text(_side(content), int(content["i"]))})
        elif kind == "attachment":
            answer, data = self._timelines[_side(content)].attachment(int(content["i"]), int(content["k"]))
            self.send({"kind": "attachment", "req": req, **answer}, buffers=[data] if data is not None else [])
        else:
            raise ValueError(f"unknown request {kind!r}")


def _side(content: dict[str, Any]) -> Side:
    side = content.get("side")
    if side not in ("a", "b"):
        raise ValueError(f"unknown side {side!r}")
    return "a" if side == "a" else "b"

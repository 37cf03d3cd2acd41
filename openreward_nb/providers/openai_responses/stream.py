"""OpenAI Responses streams: the final event carries the whole response; before it, the finished items."""

from __future__ import annotations

from typing import Any

_FINAL_RESPONSE_EVENTS = ("response.completed", "response.incomplete", "response.failed")


class ResponsesStream:
    """The ``Response`` of a ``response.completed`` (or incomplete, failed) event, else the items done so far."""

    def __init__(self, request: dict[str, Any]) -> None:
        self.final: Any = None
        self.items: list[Any] = []

    def add(self, event: Any) -> None:
        kind = getattr(event, "type", None)
        if kind in _FINAL_RESPONSE_EVENTS:
            self.final = event.response
        elif kind == "response.output_item.done":
            self.items.append(event.item)

    def result(self) -> Any:
        return self.final if self.final is not None else (self.items or None)

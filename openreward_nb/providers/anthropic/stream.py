"""Anthropic Messages streams, folded into a ``Message`` snapshot by the anthropic SDK's own accumulator."""

from __future__ import annotations

from typing import Any


class MessageStream:
    """The raw stream events (``message_start``, ``content_block_delta``...) folded as the SDK folds them."""

    def __init__(self, request: dict[str, Any]) -> None:
        self.snapshot: Any = None
        self.json_bufs: dict[int, bytes] = {}

    def add(self, event: Any) -> None:
        from anthropic.lib.streaming._messages import accumulate_event

        self.snapshot = accumulate_event(event=event, current_snapshot=self.snapshot, json_bufs=self.json_bufs)

    def result(self) -> Any:
        return self.snapshot

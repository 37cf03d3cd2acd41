"""Rebuilding the final response of a streamed call from its items, as the SDK would return it.

Each accumulator takes stream items with ``add`` and gives the assembled response with
``result()`` (what was received so far, if the stream was cut short).
"""

from __future__ import annotations

from typing import Any

_FINAL_RESPONSE_EVENTS = ("response.completed", "response.incomplete", "response.failed")


class ResponsesAccumulator:
    """OpenAI Responses: the final event carries the whole response; before it, finished items."""

    def __init__(self, request: Any) -> None:
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


class ChatAccumulator:
    """Chat Completions chunks, merged by the openai SDK's own stream state."""

    def __init__(self, request: Any) -> None:
        from openai.lib.streaming.chat import ChatCompletionStreamState

        self.state = ChatCompletionStreamState()
        self.seen = False

    def add(self, chunk: Any) -> None:
        if getattr(chunk, "choices", None) is None:
            return
        self.state.handle_chunk(chunk)
        self.seen = True

    def result(self) -> Any:
        return self.state.get_final_completion() if self.seen else None


class AnthropicAccumulator:
    """Anthropic raw stream events, folded into a message snapshot by the anthropic SDK."""

    def __init__(self, request: Any) -> None:
        self.snapshot: Any = None
        self.json_bufs: dict[int, bytes] = {}

    def add(self, event: Any) -> None:
        from anthropic.lib.streaming._messages import accumulate_event

        self.snapshot = accumulate_event(event=event, current_snapshot=self.snapshot, json_bufs=self.json_bufs)

    def result(self) -> Any:
        return self.snapshot


class GeminiAccumulator:
    """google-genai chunks: parts of the first candidate merged, the last chunk's usage and finish reason."""

    def __init__(self, request: Any) -> None:
        self.last: Any = None
        self.first_candidate: Any = None
        self.parts: list[Any] = []

    def add(self, chunk: Any) -> None:
        self.last = chunk
        candidates = getattr(chunk, "candidates", None) or []
        if candidates and self.first_candidate is None:
            self.first_candidate = candidates[0]
        content = getattr(candidates[0], "content", None) if candidates else None
        for part in getattr(content, "parts", None) or []:
            self._merge(part)

    def _merge(self, part: Any) -> None:
        prev: Any | None = self.parts[-1] if self.parts else None
        text = getattr(part, "text", None)
        if (
            prev is not None
            and text is not None
            and getattr(prev, "text", None) is not None
            and bool(getattr(prev, "thought", False)) == bool(getattr(part, "thought", False))
        ):
            update = {"text": prev.text + text}
            signature = getattr(part, "thought_signature", None)
            if signature:
                update["thought_signature"] = signature
            self.parts[-1] = prev.model_copy(update=update)
        else:
            self.parts.append(part)

    def result(self) -> Any:
        if self.last is None or self.first_candidate is None:
            return self.last
        from google.genai import types

        last_candidates = getattr(self.last, "candidates", None) or [self.first_candidate]
        candidate = last_candidates[0].model_copy(update={"content": types.Content(role="model", parts=self.parts)})
        return self.last.model_copy(update={"candidates": [candidate, *last_candidates[1:]]})

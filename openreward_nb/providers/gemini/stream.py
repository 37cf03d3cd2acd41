"""google-genai streams: the parts of the first candidate merged, with the last chunk's usage and finish reason."""

from __future__ import annotations

from typing import Any


class GenerateContentStream:
    """``GenerateContentResponse`` chunks merged into one response, consecutive text of one kind joined."""

    def __init__(self, request: dict[str, Any]) -> None:
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

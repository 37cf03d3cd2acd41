"""What every offline provider shares: request errors, ids, token estimates, tool-result text and SSE."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..episode import Action, Episode, Observation, Step
from ..policy import next_step

ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
HEX = "0123456789abcdef"


class RequestError(Exception):
    """A request the real API would refuse: HTTP ``status`` with a provider-shaped error body."""

    def __init__(self, message: str, status: int = 400, param: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.param = param


def require(condition: Any, message: str, param: str | None = None) -> None:
    """Raise a 400 :class:`RequestError` unless ``condition`` holds."""
    if not condition:
        raise RequestError(message, 400, param)


def json_body(content: bytes) -> dict[str, Any]:
    """The request's JSON object body, or a 400."""
    try:
        body = json.loads(content or b"null")
    except ValueError:
        raise RequestError("We could not parse the JSON body of your request.") from None
    if not isinstance(body, dict):
        raise RequestError("The request body must be a JSON object.")
    return body


def ident(*parts: Any, length: int = 24, alphabet: str = ALPHANUMERIC) -> str:
    """A stable id of ``length`` characters derived from ``parts`` (same episode and turn, same id)."""
    number = int.from_bytes(hashlib.sha512("\x00".join(map(str, parts)).encode()).digest(), "big")
    chars = []
    for _ in range(length):
        number, digit = divmod(number, len(alphabet))
        chars.append(alphabet[digit])
    return "".join(chars)


def opaque(*parts: Any, size: int = 96) -> str:
    """Stable base64 bytes standing in for an encrypted reasoning blob or a thinking signature."""
    seed = "\x00".join(map(str, parts)).encode()
    blocks = [hashlib.sha256(seed + bytes([i])).digest() for i in range(size // 32 + 1)]
    return base64.b64encode(b"".join(blocks)[:size]).decode()


def tokens(text: str) -> int:
    """A rough token count (about four characters a token)."""
    return max(1, len(text) // 4)


def result_text(value: Any) -> str:
    """The text of a tool result as a client sends it back (plain, JSON-wrapped, or content blocks)."""
    if isinstance(value, str):
        try:
            decoded = json.loads(value)
        except ValueError:
            return value
        return result_text(decoded) if isinstance(decoded, (dict, list)) else value
    if isinstance(value, dict):
        for key in ("result", "output", "content", "text"):
            if key in value:
                return result_text(value[key])
        return json.dumps(value)
    if isinstance(value, list):
        return "\n".join(result_text(item) for item in value)
    return "" if value is None else str(value)


def content_text(content: Any) -> str:
    """The text of message content given as a string or as a list of text parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""


def arguments(value: Any, where: str) -> dict[str, Any]:
    """Tool-call arguments sent as a JSON string (OpenAI) or an object, as a dict."""
    if isinstance(value, str):
        try:
            value = json.loads(value or "{}")
        except ValueError:
            raise RequestError(f"Invalid JSON in the arguments of {where}.", param=where) from None
    if not isinstance(value, dict):
        raise RequestError(f"The arguments of {where} must be a JSON object.", param=where)
    return value


@dataclass
class Replay:
    """The conversation a request replays, read message by message: the prompt, tool calls and their results."""

    prompt: str | None = None
    turns: int = 0
    calls: dict[str, Action] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)

    def user_text(self, text: str) -> None:
        """A user message; the first one is the task prompt."""
        if self.prompt is None:
            self.prompt = text

    def answer(self, call_id: Any, output: str) -> bool:
        """Pair a tool result with its call; False when no call with this id awaits a result."""
        if call_id not in self.calls or call_id in self.outputs:
            return False
        self.outputs[call_id] = output
        return True

    @property
    def unanswered(self) -> list[str]:
        """Ids of the calls still waiting for their result, in call order."""
        return [call_id for call_id in self.calls if call_id not in self.outputs]

    def episode(self, tools: Iterable[str]) -> Episode:
        observations = [Observation(action, self.outputs[call_id]) for call_id, action in self.calls.items()]
        return Episode(self.prompt or "", tuple(tools), observations, self.turns)


@dataclass(frozen=True)
class Turn:
    """One model call being answered: the request's model, the episode it carries and the policy's step."""

    model: str
    episode: Episode
    step: Step
    input_tokens: int
    seed: int

    @classmethod
    def answer(cls, model: str, episode: Episode, body: bytes, seed: int) -> Turn:
        return cls(model, episode, next_step(model, episode, seed), tokens(body.decode("utf-8", "replace")), seed)

    def id(self, prefix: str, *extra: Any, length: int = 24, alphabet: str = ALPHANUMERIC) -> str:
        """An id for something in this turn's response, stable across runs."""
        parts = (self.model, self.seed, self.episode.prompt, self.episode.turns, prefix, *extra)
        return prefix + ident(*parts, length=length, alphabet=alphabet)

    @property
    def output_tokens(self) -> int:
        step = self.step
        return tokens(step.text or "") + sum(tokens(json.dumps(a.arguments)) + 8 for a in step.actions)

    @property
    def reasoning_tokens(self) -> int:
        return 4 * tokens(self.step.reasoning) + 32

    @property
    def cached_tokens(self) -> int:
        """Prompt-cache hits: the history a follow-up turn re-sends, counted in blocks of 128 past 1,024."""
        return (self.input_tokens * 3 // 4) // 128 * 128 if self.episode.turns and self.input_tokens >= 1024 else 0


def now() -> int:
    """Unix seconds, for ``created`` fields."""
    return int(time.time())


def pieces(text: str, size: int = 12) -> list[str]:
    """A text cut into the small deltas a stream sends (one empty piece for empty text)."""
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def sse(events: Iterable[tuple[str | None, Any]], newline: str = "\n", compact: bool = True) -> bytes:
    """A ``text/event-stream`` body: ``(event name or None, data)`` pairs; dict data goes out as JSON."""
    separators = (",", ":") if compact else (", ", ": ")
    out = []
    for name, data in events:
        text = data if isinstance(data, str) else json.dumps(data, separators=separators)
        out.append((f"event: {name}{newline}" if name else "") + f"data: {text}{newline}{newline}")
    return "".join(out).encode()

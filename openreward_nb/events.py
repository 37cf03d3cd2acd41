"""The normalized event: one step of a rollout, wire-compatible with OpenReward's log message.

Provider adapters turn SDK objects into :class:`Event` values; the generic message
classes map onto them one to one. Beyond the OpenReward fields an event keeps what the
source had: the provider's own item kind, model, token usage, latency, attachments and
the raw payload.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import msgspec

EVENT_TYPES: tuple[str, ...] = (
    "system_message",
    "user_message",
    "assistant_message",
    "reasoning",
    "tool_call",
    "tool_result",
)
_EVENT_TYPE_SET = frozenset(EVENT_TYPES)

#: the event types a model writes; a *model turn* is a run of them after any other event (or at the start)
MODEL_SIDE_TYPES: frozenset[str] = frozenset({"assistant_message", "reasoning", "tool_call"})


def model_side_sql() -> str:
    """:data:`MODEL_SIDE_TYPES` as an SQL list literal, for queries that count model turns."""
    return "(" + ", ".join(f"'{t}'" for t in sorted(MODEL_SIDE_TYPES)) + ")"


def clean_text(text: str) -> str:
    """Strip NUL bytes and escape lone surrogates, as the OpenReward SDK does."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


@dataclass(slots=True)
class Usage:
    """Token counts reported by a provider for one model call."""

    input_tokens: int | None = None
    output_tokens: int | None = None
    reasoning_tokens: int | None = None
    cached_tokens: int | None = None
    cache_write_tokens: int | None = None


@dataclass(slots=True)
class Attachment:
    """An image or file carried by a message: inline bytes or a URL, with its mime type."""

    mime: str | None
    data: bytes | None = None
    url: str | None = None
    name: str | None = None
    sha256: str | None = field(default=None)

    def digest(self) -> str | None:
        """The SHA-256 of the bytes (computed once), or None for a URL attachment."""
        if self.sha256 is None and self.data is not None:
            import hashlib

            self.sha256 = hashlib.sha256(self.data).hexdigest()
        return self.sha256

    def ref(self) -> dict[str, Any]:
        """The JSON reference stored on the event (bytes live once in the blob table)."""
        out: dict[str, Any] = {"mime": self.mime}
        if self.data is not None:
            out["sha256"] = self.digest()
            out["size"] = len(self.data)
        if self.url is not None:
            out["url"] = self.url
        if self.name is not None:
            out["name"] = self.name
        return out


class Event(msgspec.Struct):
    """A normalized rollout step (a ``msgspec.Struct``: built in C, ~0.1 µs, where a dataclass takes ~0.3).

    ``type`` is one of :data:`EVENT_TYPES`; ``kind`` names the provider's own item or
    block type when it differs from the plain one (``refusal``, ``redacted_thinking``,
    ``web_search_call``...), so views can show it. ``raw`` is the provider payload: a
    JSON-ready value, an object with ``model_dump_json``, or a provider adapter's ``Raw``
    (references to what the provider sent, built and encoded by the store's writer).
    """

    type: str
    content: str | None = None
    content_reference: str | None = None
    summary: str | None = None
    name: str | None = None
    call_id: str | None = None
    kind: str | None = None
    is_error: bool | None = None
    model: str | None = None
    usage: Usage | None = None
    latency_ms: float | None = None
    stop_reason: str | None = None
    attachments: list[Attachment] | None = None
    raw: Any = None


def _field(message: Any, key: str) -> Any:
    if isinstance(message, dict):
        return message.get(key)
    return getattr(message, key, None)


def _optional_text(message: Any, key: str) -> str | None:
    value = _field(message, key)
    if value is None or isinstance(value, str):
        return value
    raise TypeError(f"message field {key!r} must be a string, got {type(value).__name__}: {value!r:.80}")


def event_from_message(message: Any) -> Event:
    """Turn a generic message (the SDK's message classes or a dict with ``type``) into an Event.

    Raises ValueError for an unknown ``type`` or a tool call without a name, and
    TypeError for something that is not a message at all.
    """
    if isinstance(message, dict):
        mtype = message.get("type")
    else:
        mtype = getattr(message, "type", None)
        if mtype is None:
            raise TypeError(
                "message must be one of UserMessage, AssistantMessage, SystemMessage, ReasoningItem, "
                f"ToolCall, ToolResult or a dict with a 'type', got {type(message).__name__}: {message!r:.80}"
            )
    if mtype not in _EVENT_TYPE_SET:
        raise ValueError(f"unknown message type {mtype!r}; expected one of {', '.join(EVENT_TYPES)}")
    content = _optional_text(message, "content")
    if mtype == "reasoning":
        return Event(
            mtype,
            content,
            content_reference=_optional_text(message, "content_reference"),
            summary=_optional_text(message, "summary"),
        )
    if mtype == "tool_call":
        name = _optional_text(message, "name")
        if not name:
            raise ValueError(f"a tool_call message needs a non-empty 'name', got {name!r}")
        return Event(mtype, content, name=name, call_id=_optional_text(message, "call_id"))
    if mtype == "tool_result":
        return Event(mtype, content, call_id=_optional_text(message, "call_id"))
    return Event(mtype, content)

"""Helpers every adapter uses: field access, event builders, JSON text, warnings, response-level fields.

The adapters run on the caller's thread for every logged message, so these are written
for speed: reading a field costs one dict lookup whether the source is a dict or an SDK
(pydantic) object.
"""

from __future__ import annotations

import base64
import json
import warnings
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from ..events import Attachment, Event, Usage
from ._raw import Path, Raw, snapshot

ROLE_TYPES: dict[str, str] = {
    "user": "user_message",
    "assistant": "assistant_message",
    "model": "assistant_message",
    "system": "system_message",
    "developer": "system_message",
}
_EMPTY: Mapping[str, Any] = {}


class UnknownItemWarning(UserWarning):
    """A provider item, block or part type the adapters do not know; it was recorded as-is."""


_warned: set[tuple[str, str]] = set()


class Fields(Protocol):
    """The fields of a provider object or dict, read by name (None when absent)."""

    def get(self, key: str, /) -> Any: ...


class _Attributes:
    """A ``.get`` view of a plain object's attributes (neither a dict nor a pydantic model)."""

    __slots__ = ("_obj",)

    def __init__(self, obj: Any) -> None:
        self._obj = obj

    def get(self, key: str, default: Any = None) -> Any:
        return getattr(self._obj, key, default)


def fields(obj: Any) -> Fields:
    """Something with ``.get(key)`` (None when absent) over a dict or an SDK object's fields.

    A pydantic model is read through its ``__dict__`` (plus any extra fields): asking one
    for an attribute it lacks raises inside pydantic, which costs microseconds.
    """
    if type(obj) is dict:
        return obj
    if obj is None:
        return _EMPTY
    try:
        extra = obj.__pydantic_extra__
    except AttributeError:
        return obj if isinstance(obj, Mapping) else _Attributes(obj)
    return {**obj.__dict__, **extra} if extra else obj.__dict__


def message_fields(x: Any, expected: str) -> Fields:
    """``fields(x)`` of something handed to a ``log_*`` method; TypeError for a string, number or None."""
    if type(x) is dict:
        return x
    f = fields(x)
    if (f is _EMPTY or type(f) is _Attributes) and (isinstance(x, (str, bytes, int, float)) or x is None):
        raise TypeError(f"expected {expected}, got {describe(x)}")
    return f


def get(obj: Any, key: str) -> Any:
    """One field of a dict or SDK object (None when absent, or when ``obj`` is None)."""
    if obj is None:
        return None
    return obj.get(key) if type(obj) is dict else fields(obj).get(key)


def message(
    etype: str, content: str | None, kind: str | None = None, attachments: list[Attachment] | None = None
) -> Event:
    """A user, assistant or system message event."""
    return Event(etype, content, kind=kind, attachments=attachments)


def reasoning(content: str | None, reference: str | None, summary: str | None = None, kind: str | None = None) -> Event:
    """A reasoning event."""
    return Event("reasoning", content, reference, summary, kind=kind)


def tool_call(content: str, name: Any, call_id: Any, kind: str | None = None) -> Event:
    """A tool call event (``content``: the arguments as JSON text, or the tool's input text)."""
    return Event("tool_call", content, name=name, call_id=call_id, kind=kind)


def tool_result(
    content: str,
    call_id: Any,
    kind: str | None = None,
    is_error: bool | None = None,
    attachments: list[Attachment] | None = None,
) -> Event:
    """A tool result event."""
    return Event("tool_result", content, call_id=call_id, kind=kind, is_error=is_error, attachments=attachments)


def with_raw(event: Event, raw: Raw | None) -> Event:
    """``event`` with its raw payload set."""
    event.raw = raw
    return event


def describe(value: Any) -> str:
    """``TypeName: repr`` (cut short) for error messages."""
    return f"{type(value).__name__}: {value!r:.100}"


def _json_default(value: Any) -> Any:
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return dump(mode="json", exclude_unset=True, warnings=False)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    enum_value = getattr(value, "value", None)
    if isinstance(enum_value, (str, int)):
        return enum_value
    raise TypeError(f"cannot turn {describe(value)} into JSON")


def _encoder(item_separator: str, key_separator: str) -> Callable[[Any, int], Any]:
    """A reusable JSON encoder (``ensure_ascii=False``): ``"".join(encoder(value, 0))`` is the text.

    Building the C encoder once, instead of once per ``json.dumps`` call, makes encoding a
    small arguments dict about three times cheaper; the text is the same.
    """
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # no C accelerator: plain json.dumps, as one chunk
        separators = (item_separator, key_separator)
        return lambda value, _: (json.dumps(value, ensure_ascii=False, separators=separators, default=_json_default),)
    encoder: Callable[[Any, int], Any] = make(
        None, _json_default, json.encoder.encode_basestring, None, key_separator, item_separator, False, False, True
    )
    return encoder


_COMPACT = _encoder(",", ":")
_SPACED = _encoder(", ", ": ")


def json_text(value: Any, compact: bool = True) -> str:
    """JSON text of tool arguments or outputs (strings pass through; SDK objects are dumped).

    ``compact`` drops the spaces after separators (the OpenReward SDK's choice for
    Anthropic and Gemini arguments; it keeps them for Responses outputs).
    """
    if isinstance(value, str):
        return value
    return "".join(_COMPACT(value, 0) if compact else _SPACED(value, 0))


def warn_unknown(provider: str, what: str, name: Any) -> None:
    """Warn once per process that ``provider`` sent a ``what`` of unknown type ``name``."""
    key = (provider, f"{what}:{name}")
    if key in _warned:
        return
    _warned.add(key)
    warnings.warn(
        f"openreward_nb: unknown {provider} {what} type {name!r}; recorded with its raw payload "
        f"and kind={name!r} (this warning is shown once per process)",
        UnknownItemWarning,
        stacklevel=5,
    )


def guess_type(kind: str) -> str:
    """The event type for an unknown provider type, judged from its name."""
    if kind.endswith(("_result", "_output", "_response")):
        return "tool_result"
    if kind.endswith(("_call", "_use", "_request")):
        return "tool_call"
    return "assistant_message"


def unknown_event(provider: str, what: str, kind: Any, role_type: str | None = None) -> Event:
    """An event for an item nobody knows yet (warned about once; its raw payload keeps it whole)."""
    name = str(kind)
    warn_unknown(provider, what, name)
    etype = role_type or guess_type(name)
    if etype == "tool_call":
        return tool_call("", name, None, name)
    if etype == "tool_result":
        return tool_result("", None, name)
    return message(etype, None, name)


def empty_event(etype: str, call_id: str | None = None) -> Event:
    """A stand-in for a message with nothing in it (kind ``empty``), so what comes with it is kept."""
    return Event(etype, "" if etype == "tool_result" else None, None, None, None, call_id, "empty")


def or_empty(
    events: list[Event],
    keep_empty: bool,
    etype: str = "assistant_message",
    provider: str | None = None,
    item: Any = None,
    call_id: str | None = None,
) -> list[Event]:
    """``events``; when there are none and ``keep_empty``, one empty event of ``etype`` to carry a reward or end flag
    (with ``item`` as its raw payload when a ``provider`` is given)."""
    if events or not keep_empty:
        return events
    return [with_raw(empty_event(etype, call_id), Raw(provider, snapshot(item)) if provider is not None else None)]


def finish_response(
    events: list[Event],
    provider: str,
    response: Any,
    drop: Path,
    model: str | None,
    usage: Usage | None,
    stop_reason: str | None,
    keep_raw: bool,
) -> list[Event]:
    """Put a whole response's model on all its events and usage, stop reason and envelope on the last.

    A response with nothing in it still records one empty assistant event, so its usage counts.
    """
    if not events:
        events.append(with_raw(empty_event("assistant_message"), Raw(provider, None) if keep_raw else None))
    for ev in events:
        ev.model = model
    last = events[-1]
    last.usage = usage
    last.stop_reason = stop_reason
    if keep_raw:
        raw = last.raw
        if raw is None:
            raw = last.raw = Raw(provider, None)
        raw.response, raw.response_drop = response, drop  # the envelope: ``response`` less the part at ``drop``
    return events

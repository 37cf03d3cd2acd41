"""The OpenReward wire format, incoming: parse and check a ``POST /v1/rollouts`` body, event by event.

Every field the SDK sends is checked for its type and range; a problem raises
:class:`BadRequest` naming the field (``events[3].reward``, ``events[3].metadata.a.b``).
Unknown fields are ignored, so a newer SDK that adds one still gets through. Nothing
accepted can break a reader later: ids keep to :data:`~openreward_nb.limits.ID_CHARS`,
every text field has a length bound, times fit a pandas Timestamp and a datetime, and no
number anywhere in an event (nested too) is too large for a double: stored as
``Infinity``, it would not be JSON, and every JSON filter over the store would fail.

Bodies are read with orjson and ordinary message events checked by a fast path; anything
either refuses, and anything orjson may read differently, is read again with the standard
library and checked field by field, so answers and stored values are the same either way.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..extras import needs_extra

with needs_extra("server", "The ingest server"):
    import orjson

from ..events import EVENT_TYPES, Event, clean_text
from ..limits import ID_CHARS, MAX_ID_CHARS, MAX_INDEX, MAX_NAME_CHARS, MAX_TIMESTAMP_MS

_MAX_FLOAT = sys.float_info.max
#: orjson reads an integer literal too wide for 64 bits as a float at least this large
_WIDE = 2.0**63
_ID = re.compile(f"[{ID_CHARS}]{{1,{MAX_ID_CHARS}}}")


class BadRequest(ValueError):
    """A request the server refuses (4xx), with the field at fault in the message."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Start:
    """A ``rollout`` event: a rollout begins."""

    position: int
    rollout_id: str
    created_at: float
    run_name: str
    rollout_name: str | None
    environment: str | None
    variant: str | None
    split: str | None
    metadata: str | None
    task_spec: str | None
    run_info: str | None
    rollout_info: dict[str, Any] | None


@dataclass(slots=True)
class Message:
    """A ``message`` event: one step of a rollout."""

    position: int
    rollout_id: str
    idx: int
    ts: float
    event: Event
    reward: float | None
    is_finished: bool
    metadata: dict[str, Any] | None


@dataclass
class Update:
    """A ``rollout_update`` event: fields merged into a rollout's ``rollout_info``."""

    position: int
    rollout_id: str
    rollout_info: dict[str, Any]


@dataclass
class Batch:
    """A checked request body, split by event kind (each keeps its position in the request)."""

    starts: list[Start] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)


# --- field checks: each returns the value to keep or raises ValueError(reason) ---------------
def _text(value: Any) -> str:
    if type(value) is not str:
        raise ValueError(f"must be a string, got {_kind(value)}")
    return clean_text(value)


def _bounded_text(limit: int) -> Callable[[Any], str]:
    """Optional text of at most ``limit`` characters (may be empty)."""

    def check(value: Any) -> str:
        text = _text(value)
        if len(text) > limit:
            raise ValueError(f"must be at most {limit} characters, got {len(text)}")
        return text

    return check


def _name(value: Any) -> str:
    text = _bounded_text(MAX_NAME_CHARS)(value)
    if not text.strip():
        raise ValueError("must not be empty")
    return text


def _id(value: Any) -> str:
    if type(value) is not str:
        raise ValueError(f"must be a string, got {_kind(value)}")
    if _ID.fullmatch(value) is None:
        raise ValueError(f"must be 1 to {MAX_ID_CHARS} characters from {ID_CHARS}, got {_kind(value)}")
    return value


_short = _bounded_text(MAX_NAME_CHARS)


def _integer(low: int, high: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if type(value) is not int:
            raise ValueError(f"must be an integer, got {_kind(value)}")
        if not low <= value <= high:
            raise ValueError(f"must be between {low} and {high}, got {value}")
        return value

    return check


_index = _integer(0, MAX_INDEX)
_step = _integer(-(2**53), 2**53)


def _timestamp(value: Any) -> float:
    if type(value) not in (int, float) or not 0 <= value <= MAX_TIMESTAMP_MS:
        raise ValueError(f"must be epoch milliseconds (a number from 0 to {MAX_TIMESTAMP_MS}), got {_kind(value)}")
    return float(value) / 1000.0


def _number(value: Any) -> float:
    if type(value) not in (int, float) or not -_MAX_FLOAT <= value <= _MAX_FLOAT:  # NaN, infinity, a huge integer
        raise ValueError(f"must be a finite number, got {_kind(value)}")
    return float(value)


def _flag(value: Any) -> bool:
    if type(value) is not bool:
        raise ValueError(f"must be true or false, got {_kind(value)}")
    return value


def _object(value: Any) -> dict[str, Any]:
    if type(value) is not dict:
        raise ValueError(f"must be a JSON object, got {_kind(value)}")
    return value


def _message_type(value: Any) -> str:
    if value not in EVENT_TYPES:
        raise ValueError(f"must be one of {', '.join(EVENT_TYPES)}, got {_kind(value)}")
    return str(value)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    text = json.dumps(value) if isinstance(value, (str, int, float, bool)) else type(value).__name__
    return text if len(text) <= 60 else text[:57] + "..."


# field name -> (check, required)
FieldSpec = dict[str, tuple[Callable[[Any], Any], bool]]
MESSAGE_FIELDS: FieldSpec = {
    "eventId": (_id, True),
    "timestamp": (_timestamp, True),
    "index": (_index, True),
    "rolloutEventId": (_id, True),
    "type": (_message_type, True),
    "content": (_text, False),
    "contentReference": (_text, False),
    "summary": (_text, False),
    "name": (_short, False),
    "callId": (_short, False),
    "environment_id": (_short, False),
    "reward": (_number, False),
    "isFinished": (_flag, False),
    "metadata": (_object, False),
}
START_FIELDS: FieldSpec = {
    "eventId": (_id, True),
    "timestamp": (_timestamp, True),
    "runName": (_name, True),
    "step": (_step, False),
    "environment": (_short, False),
    "environment_id": (_short, False),
    "rolloutName": (_short, False),
    "variant": (_short, False),
    "variant_id": (_short, False),
    "split": (_short, False),
    "metadata": (_object, False),
    "task_spec": (_object, False),
    "run_info": (_object, False),
    "rollout_info": (_object, False),
}
UPDATE_FIELDS: FieldSpec = {
    "eventId": (_id, True),
    "timestamp": (_timestamp, True),
    "rollout_info": (_object, False),
}
_SPECS = {"message": MESSAGE_FIELDS, "rollout": START_FIELDS, "rollout_update": UPDATE_FIELDS}


def _checked(event: dict[str, Any], spec: FieldSpec, where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, (check, required) in spec.items():
        value = event.get(name)
        if value is None:
            if required:
                raise BadRequest(f"{where}.{name}: is required")
            out[name] = None
            continue
        try:
            out[name] = check(value)
        except ValueError as exc:
            raise BadRequest(f"{where}.{name}: {exc}") from None
    return out


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _escape_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(k): _escape_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_escape_surrogates(v) for v in value]
    return value


def safe_object(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """A JSON object whose text any store takes: lone surrogates (valid in JSON escapes, not in UTF-8) escaped."""
    if value is None:
        return None
    try:
        _compact(value).encode("utf-8")
        return value
    except UnicodeEncodeError:
        escaped: dict[str, Any] = _escape_surrogates(value)
        return escaped


def json_text(value: dict[str, Any] | None) -> str | None:
    """A JSON object as compact text any store takes (see :func:`safe_object`); None stays None."""
    return None if value is None else _compact(safe_object(value))


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


class _Reread(Exception):
    """orjson's reading may differ from the standard library's: read the body again with the latter."""


def parse_body(body: bytes) -> Batch:
    """Parse and check a request body; raises :class:`BadRequest` (400 for bad JSON, 422 for bad fields).

    First with orjson; a body it refuses (or that fails a check, or may hold an integer too wide
    for it) is read again with the standard library, whose reading and messages are the reference.
    """
    try:
        return _split(_events(orjson.loads(body)), wide_ints_lost=True)
    except (orjson.JSONDecodeError, BadRequest, _Reread, RecursionError):
        pass
    try:
        data = json.loads(body, parse_constant=_reject_constant)
    except RecursionError:
        raise BadRequest("body: JSON nested too deeply", 400) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"body: not valid JSON ({exc})", 400) from None
    try:
        return _split(_events(data), wide_ints_lost=False)
    except RecursionError:
        raise BadRequest("events: a value is nested too deeply", 400) from None


def _events(data: Any) -> list[Any]:
    if type(data) is not dict:
        raise BadRequest(f'body: must be a JSON object {{"events": [...]}}, got {_kind(data)}', 400)
    events = data.get("events")
    if type(events) is not list:
        raise BadRequest(f"events: must be a list of events, got {_kind(events)}")
    return events


def _has_wide_float(value: Any) -> bool:
    """True if ``value`` holds a float of magnitude 2**63 or more (orjson reads a wider integer as such a float)."""
    kind = type(value)
    if kind is float:
        return bool(abs(value) >= _WIDE)
    if kind is dict:
        return any(map(_has_wide_float, value.values()))
    if kind is list:
        return any(map(_has_wide_float, value))
    return False


_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,59}")


def _beyond_double(value: Any) -> list[Any] | None:
    """The path (innermost first, after the number) to the first number a double cannot hold, or None.

    The standard library reads ``1e400`` as infinity and keeps a 400-digit integer exact;
    neither can be stored as JSON that every reader takes. orjson refuses both itself.
    """
    kind = type(value)
    if kind is float:
        return None if math.isfinite(value) else [value]
    if kind is int:
        return None if -_MAX_FLOAT <= value <= _MAX_FLOAT else [value]
    if kind is dict:
        for key, item in value.items():
            found = _beyond_double(item)
            if found is not None:
                found.append(f".{key}" if _PLAIN_KEY.fullmatch(key) else f"[{_kind(key)}]")
                return found
    elif kind is list:
        for i, item in enumerate(value):
            found = _beyond_double(item)
            if found is not None:
                found.append(f"[{i}]")
                return found
    return None


def _refuse_beyond_double(raw: dict[str, Any], where: str) -> None:
    """Raise BadRequest naming the first number anywhere in an event that a double cannot hold."""
    found = _beyond_double(raw)
    if found is not None:
        number, path = found[0], "".join(reversed(found[1:]))
        raise BadRequest(f"{where}{path}: must be a number a double can hold (finite), got {_kind(number)}")


def _split(events: list[Any], wide_ints_lost: bool) -> Batch:
    """Check the events and sort them by kind; ``wide_ints_lost``: raise _Reread where that could show."""
    batch = Batch()
    for pos, raw in enumerate(events):
        where = f"events[{pos}]"
        if type(raw) is not dict:
            raise BadRequest(f"{where}: must be a JSON object, got {_kind(raw)}")
        kind = raw.get("eventType")
        spec = _SPECS.get(kind) if type(kind) is str else None
        if spec is None:
            raise BadRequest(f"{where}.eventType: must be one of message, rollout, rollout_update, got {_kind(kind)}")
        if not wide_ints_lost:
            _refuse_beyond_double(raw, where)
        if kind == "message":
            message = _plain_message(pos, raw) or _message(pos, _checked(raw, spec, where), where)
            if wide_ints_lost and message.metadata and _has_wide_float(message.metadata):
                raise _Reread
            batch.messages.append(message)
            continue
        if wide_ints_lost and _has_wide_float(raw):
            raise _Reread
        f = _checked(raw, spec, where)
        if kind == "rollout":
            batch.starts.append(_start(pos, f))
        else:
            batch.updates.append(Update(pos, f["eventId"], safe_object(f["rollout_info"]) or {}))
    return batch


_EVENT_TYPE_SET = frozenset(EVENT_TYPES)
_NUMBER = (int, float)


def _plain_id(value: Any) -> bool:
    """An id the full check takes as it is."""
    return type(value) is str and _ID.fullmatch(value) is not None


def _plain_text(value: Any) -> Any:
    """Optional text as the full check keeps it; a non-string comes back as itself (the caller refuses it)."""
    if type(value) is str and ("\x00" in value or not value.isascii()):
        return clean_text(value)
    return value


def _plain_short(value: Any) -> bool:
    """Optional short text (a tool name, a call id) the full check takes as it is."""
    return value is None or (type(value) is str and len(value) <= MAX_NAME_CHARS)


def _plain_message(pos: int, raw: dict[str, Any]) -> Message | None:
    """An ordinary message event checked fast; None when anything needs the full check (which names the field).

    Takes only what :data:`MESSAGE_FIELDS` and :func:`_message` take, and gives the same Message.
    """
    get: Callable[[str], Any] = raw.get
    idx, ts, etype = get("index"), get("timestamp"), get("type")
    if not (
        type(idx) is int
        and 0 <= idx <= MAX_INDEX
        and type(ts) in _NUMBER
        and 0 <= ts <= MAX_TIMESTAMP_MS
        and type(etype) is str
        and etype in _EVENT_TYPE_SET
        and _plain_id(get("eventId"))
    ):
        return None
    rid = get("rolloutEventId")
    content, reference, summary = (
        _plain_text(get("content")),
        _plain_text(get("contentReference")),
        _plain_text(get("summary")),
    )
    name, call_id, env = _plain_text(get("name")), _plain_text(get("callId")), get("environment_id")
    reward, finished, metadata = get("reward"), get("isFinished"), get("metadata")
    if not (
        _plain_id(rid)
        and (content is None or type(content) is str)
        and (reference is None or type(reference) is str)
        and (summary is None or type(summary) is str)
        and _plain_short(name)
        and _plain_short(call_id)
        and _plain_short(env)
        and (reward is None or (type(reward) in _NUMBER and -_MAX_FLOAT <= reward <= _MAX_FLOAT))
        and (finished is None or type(finished) is bool)
        and (metadata is None or type(metadata) is dict)
        and (name or etype != "tool_call")
        and (etype == "reasoning" or (reference is None and summary is None))
    ):
        return None
    return Message(
        pos,
        rid,
        idx,
        ts / 1000.0,
        Event(etype, content, reference, summary, name, call_id),
        None if reward is None else float(reward),
        finished is True,
        safe_object(metadata) if metadata else None,
    )


def _message(pos: int, f: dict[str, Any], where: str) -> Message:
    etype = f["type"]
    if etype == "tool_call" and not f["name"]:
        raise BadRequest(f"{where}.name: a tool_call needs the tool's name")
    if etype != "reasoning":
        for name in ("contentReference", "summary"):
            if f[name] is not None:
                raise BadRequest(f"{where}.{name}: only a reasoning event has {name}")
    event = Event(etype, f["content"], f["contentReference"], f["summary"], f["name"], f["callId"])
    return Message(
        pos,
        f["rolloutEventId"],
        f["index"],
        f["timestamp"],
        event,
        f["reward"],
        bool(f["isFinished"]),
        safe_object(f["metadata"]) if f["metadata"] else None,  # the SDK sends {} for "no metadata"
    )


def _start(pos: int, f: dict[str, Any]) -> Start:
    return Start(
        pos,
        f["eventId"],
        f["timestamp"],
        f["runName"],
        f["rolloutName"],
        f["environment"],
        f["variant"],
        f["split"],
        json_text(f["metadata"]),
        json_text(f["task_spec"]),
        json_text(f["run_info"]),
        safe_object(f["rollout_info"]),
    )

"""Google Gemini (google-genai): a ``types.Content``, its dict form, a list, or a ``GenerateContentResponse``.

One event per part. Dicts may use the API's camelCase keys or the SDK's snake_case ones.
Beyond the OpenReward SDK's serializer (which drops the model's own text and stores
``str(bytes)`` as the thought reference): model text is kept, thought signatures become
``gemini:thought_signature:<base64>`` references (a signature on a part with no text
gives a reasoning event of kind ``thought_signature``; on any other part it stays in the
raw payload), a ``function_response`` of any keys is recorded (``result`` text as is,
a lone ``output`` or ``error`` unwrapped, anything else as JSON), inline and file data
become attachments, and executable code and its result become a tool call and result of
kind ``executable_code`` / ``code_execution_result``.
"""

from __future__ import annotations

import base64
from typing import Any

from ...events import Attachment, Event, Usage
from .._common import (
    Fields,
    describe,
    fields,
    finish_response,
    json_text,
    message,
    message_fields,
    or_empty,
    reasoning,
    tool_call,
    tool_result,
    unknown_event,
    warn_unknown,
)
from .._media import from_base64
from .._raw import Blobs, Path, Raw, note_blob, snapshot

NAME = "gemini"
_EXPECTED = "a Gemini Content (types.Content or a dict with 'role' / 'parts'), a list, or a GenerateContentResponse"
_ROLE_TYPES = {"user": "user_message", "model": "assistant_message", "function": "user_message", "tool": "user_message"}
_SIGNATURE_KEYS = ("thought", "thought_signature", "thoughtSignature")
_camel_cache: dict[str, str] = {}


def _camel(key: str) -> str:
    name = _camel_cache.get(key)
    if name is None:
        head, *rest = key.split("_")
        name = _camel_cache[key] = head + "".join(word.title() for word in rest)
    return name


class _Spellings:
    """``.get`` on a dict written with either the API's camelCase or the SDK's snake_case keys."""

    __slots__ = ("_d",)

    def __init__(self, d: dict[str, Any]) -> None:
        self._d = d

    def get(self, key: str) -> Any:
        value = self._d.get(key)
        return self._d.get(_camel(key)) if value is None else value


def gfields(obj: Any) -> Any:
    """Field access (``.get``) for SDK objects and dicts in either key spelling."""
    return _Spellings(obj) if type(obj) is dict else fields(obj)


def _key(obj: Any, key: str) -> str:
    """The spelling of ``key`` that ``obj`` uses (for paths into the raw payload)."""
    return _camel(key) if isinstance(obj, dict) and key not in obj else key


def _enum_text(value: Any) -> str | None:
    return None if value is None else str(getattr(value, "value", value))


_URLSAFE = str.maketrans("-_", "+/")


def _signature_ref(signature: Any) -> str | None:
    """``gemini:thought_signature:<standard base64>``, whether the signature came as bytes or as (URL-safe) text."""
    if not signature:
        return None
    if isinstance(signature, (bytes, bytearray)):
        signature = base64.b64encode(signature).decode("ascii")
    return f"gemini:thought_signature:{str(signature).translate(_URLSAFE)}"


def _data_attachment(holder: Any, blobs: Blobs | None, path: Path) -> Attachment | None:
    """The attachment of a part's (or function-response part's) ``inline_data`` or ``file_data``."""
    h = gfields(holder)
    inline = h.get("inline_data")
    if inline is not None:
        i = gfields(inline)
        att = from_base64(i.get("data") or b"", i.get("mime_type"), i.get("display_name"))
        note_blob(blobs, (*path, _key(holder, "inline_data"), "data"), att, False)
        return att
    file = h.get("file_data")
    if file is not None:
        f = gfields(file)
        return Attachment(f.get("mime_type"), url=f.get("file_uri"), name=f.get("display_name"))
    return None


def _function_response(part: Any, p: Any, blobs: Blobs | None) -> Event:
    f = gfields(p.get("function_response"))
    response = f.get("response")
    is_error = None
    if isinstance(response, dict) and isinstance(response.get("result"), str):
        content = response["result"]
    elif isinstance(response, dict) and len(response) == 1 and ("output" in response or "error" in response):
        ((key, value),) = response.items()
        content = json_text(value)
        is_error = True if key == "error" else None
    else:
        content = "" if response is None else json_text(response)
    attachments = []
    base = (_key(part, "function_response"), "parts")
    for j, fpart in enumerate(f.get("parts") or ()):
        att = _data_attachment(fpart, blobs, (*base, j))
        if att is not None:
            attachments.append(att)
    return tool_result(content, f.get("id"), None, is_error, attachments or None)


def _part_name(part: Any) -> str:
    """The name of the field a part of unknown shape carries (for its ``kind``)."""
    names = part.keys() if isinstance(part, dict) else getattr(part, "model_fields_set", ())
    return next((str(k) for k in names if k not in _SIGNATURE_KEYS), "unknown")


def _rare_part(part: Any, p: Any, etype: str, blobs: Blobs | None) -> Event | None:
    """Parts other than text and function calls; None for an empty text part."""
    if isinstance(part, (str, bytes, int, float)) or part is None:
        raise TypeError(f"a Gemini part must be a types.Part or a dict, got {describe(part)}")
    if p.get("function_response") is not None:
        return _function_response(part, p, blobs)
    att = _data_attachment(part, blobs, ())
    if att is not None:
        return message(etype, None, "inline_data" if att.data is not None else "file_data", [att])
    code = p.get("executable_code")
    if code is not None:
        c = gfields(code)
        return tool_call(c.get("code") or "", "code_execution", c.get("id"), "executable_code")
    result = p.get("code_execution_result")
    if result is not None:
        r = gfields(result)
        failed = True if _enum_text(r.get("outcome")) not in (None, "OUTCOME_OK") else None
        return tool_result(r.get("output") or "", r.get("id"), "code_execution_result", failed)
    server_call = p.get("tool_call")
    if server_call is not None:
        c = gfields(server_call)
        name = _enum_text(c.get("tool_type")) or "tool"
        return tool_call(json_text(c.get("args") or {}), name, c.get("id"), "tool_call")
    server_result = p.get("tool_response")
    if server_result is not None:
        r = gfields(server_result)
        return tool_result(json_text(r.get("response") or {}), r.get("id"), "tool_response")
    signature = p.get("thought_signature")
    if signature:
        return reasoning(None, _signature_ref(signature), None, "thought_signature")
    if p.get("text") is not None:
        return None
    return unknown_event(NAME, "part", _part_name(part), etype)


def _parts(parts: Any, etype: str, role: str, keep_raw: bool) -> list[Event]:
    events = []
    for part in parts:
        p: Fields
        ev: Event | None
        if type(part) is dict:
            p = _Spellings(part)
            item = part.copy() if keep_raw else None  # a snapshot, as the dict may change later
        else:
            p, item = fields(part), part
        text = p.get("text")
        call = None if text else p.get("function_call")
        if text:
            if p.get("thought"):
                ev = Event(
                    "reasoning",
                    str(text),
                    _signature_ref(p.get("thought_signature")),
                    raw=Raw(NAME, item, role) if keep_raw else None,
                )
            else:
                ev = Event(etype, text, raw=Raw(NAME, item, role) if keep_raw else None)
        elif call is not None:
            c = gfields(call)
            name = c.get("name")
            if not name:
                raise ValueError(f"a Gemini function_call needs a 'name', got {describe(call)}")
            ev = Event(
                "tool_call",
                json_text(c.get("args") or {}),
                name=name,
                call_id=c.get("id"),
                raw=Raw(NAME, item, role) if keep_raw else None,
            )
        else:
            blobs: Blobs | None = [] if keep_raw else None
            ev = _rare_part(part, p, etype, blobs)
            if ev is None:
                continue
            if keep_raw:
                ev.raw = Raw(NAME, item, role, blobs)
        events.append(ev)
    return events


def _content_events(content: Any, c: Any, keep_raw: bool, keep_empty: bool) -> list[Event]:
    role = c.get("role")
    parts = c.get("parts")
    if role is None and parts is None:
        if isinstance(content, dict):
            raise ValueError(f"a Gemini Content needs a 'role' or 'parts', got {describe(content)}")
        raise TypeError(f"expected {_EXPECTED}, got {describe(content)}")
    role = role or "user"
    etype = _ROLE_TYPES.get(role)
    if etype is None:
        warn_unknown(NAME, "role", role)
        etype = "user_message"
    if type(parts) is not list and parts is not None and not isinstance(parts, tuple):
        raise TypeError(f"a Gemini Content's parts must be a list, got {describe(parts)}")
    events = _parts(parts or (), etype, role, keep_raw)
    if events or not keep_empty:
        return events
    return or_empty(events, keep_empty, etype, NAME if keep_raw else None, content)


def content_events(content: Any, keep_raw: bool = True, keep_empty: bool = False) -> list[Event]:
    """Events for one ``types.Content`` (or its dict form); one per part. A missing role means user.

    ``keep_empty``: a content with nothing in it still gives one empty event (to carry a reward).
    """
    return _content_events(content, gfields(content), keep_raw, keep_empty)


def _usage(usage: Any) -> Usage | None:
    if usage is None:
        return None
    u = gfields(usage)
    prompt = u.get("prompt_token_count")
    thoughts = u.get("thoughts_token_count")
    candidates = u.get("candidates_token_count")
    total_in = None if prompt is None else prompt + (u.get("tool_use_prompt_token_count") or 0)
    total_out = None if candidates is None and thoughts is None else (candidates or 0) + (thoughts or 0)
    return Usage(total_in, total_out, thoughts, u.get("cached_content_token_count"))


def _response_events(response: Any, r: Any, keep_raw: bool) -> list[Event]:
    candidates = r.get("candidates") or ()
    candidate = gfields(candidates[0] if candidates else None)
    content = candidate.get("content")
    events = content_events(content, keep_raw) if content is not None else []
    blocked = gfields(r.get("prompt_feedback")).get("block_reason")
    stop = _enum_text(candidate.get("finish_reason")) or _enum_text(blocked)
    usage = _usage(r.get("usage_metadata"))
    envelope, drop = snapshot(response), ("candidates", 0, "content")
    return finish_response(events, NAME, envelope, drop, r.get("model_version"), usage, stop, keep_raw)


def response_events(response: Any, keep_raw: bool = True) -> list[Event]:
    """Events for a whole ``GenerateContentResponse``: its first candidate, model version, usage and finish reason."""
    return _response_events(response, gfields(response), keep_raw)


def _is_content(value: Any) -> bool:
    g = gfields(value)
    return g.get("parts") is not None or g.get("role") is not None


def as_contents(contents: Any) -> list[Any]:
    """The ``contents`` of a request as a list of Contents, the way google-genai reads the argument:
    a string, a part or a list of them is one user turn; Contents stay as they are."""
    if contents is None:
        return []
    items = list(contents) if isinstance(contents, (list, tuple)) else [contents]
    out: list[Any] = []
    loose: list[Any] = []
    for item in items:
        if _is_content(item):
            if loose:
                out.append({"role": "user", "parts": loose})
                loose = []
            out.append(item)
        else:
            loose.append({"text": item} if isinstance(item, str) else item)
    if loose:
        out.append({"role": "user", "parts": loose})
    return out


def request_events(contents: Any, system_instruction: Any = None, keep_raw: bool = True) -> list[Event]:
    """Events for a request: its ``system_instruction`` (system messages), then its ``contents``
    (in any form google-genai takes)."""
    system = [part for content in as_contents(system_instruction) for part in gfields(content).get("parts") or ()]
    events = _parts(system, "system_message", "system", keep_raw)
    return events + [ev for content in as_contents(contents) for ev in content_events(content, keep_raw)]


def to_events(x: Any, keep_raw: bool = True, keep_empty: bool = False) -> list[Event]:
    """Events for a Content, a list of them, or a whole ``GenerateContentResponse``."""
    if type(x) is dict:
        c: Fields = _Spellings(x)
    elif isinstance(x, (list, tuple)):
        return or_empty([ev for content in x for ev in content_events(content, keep_raw)], keep_empty)
    else:
        c = message_fields(x, _EXPECTED)
    if c.get("candidates") is not None:
        return _response_events(x, c, keep_raw)
    return _content_events(x, c, keep_raw, keep_empty)

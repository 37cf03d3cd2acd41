"""OpenAI Responses API: a ``Response``, one input or output item, or a list of items -> events.

One event per item, with two exceptions: a built-in tool item that carries its own
result (``mcp_call``, ``code_interpreter_call``, ``file_search_call``,
``image_generation_call``) gives a tool call and a tool result. Built-in tool items keep
their type in ``kind``. Message text parts are joined as the OpenReward SDK joins them;
images, files and audio become attachments.
"""

from __future__ import annotations

from typing import Any

from ...events import Attachment, Event, Usage
from .._common import (
    ROLE_TYPES,
    Fields,
    describe,
    fields,
    finish_response,
    get,
    json_text,
    message,
    message_fields,
    or_empty,
    reasoning,
    tool_call,
    tool_result,
    unknown_event,
    warn_unknown,
    with_raw,
)
from .._media import audio_part, file_part, from_base64, from_file_id, from_url, url_part
from .._raw import Blobs, Path, Raw, note_blob, snapshot

NAME = "openai_responses"
_EXPECTED = "a Response, a Responses input/output item (a dict or SDK object with 'type' or 'role') or a list of items"

# Tool-call items: type -> (tool name, or None to read the item's 'name'; field with the input; field with the call id).
_CALLS: dict[str, tuple[str | None, str, str]] = {
    "function_call": (None, "arguments", "call_id"),
    "custom_tool_call": (None, "input", "call_id"),
    "mcp_call": (None, "arguments", "id"),
    "mcp_approval_request": (None, "arguments", "id"),
    "web_search_call": ("web_search", "action", "id"),
    "file_search_call": ("file_search", "queries", "id"),
    "code_interpreter_call": ("code_interpreter", "code", "id"),
    "image_generation_call": ("image_generation", "revised_prompt", "id"),
    "computer_call": ("computer", "action", "call_id"),
    "local_shell_call": ("local_shell", "action", "call_id"),
    "shell_call": ("shell", "action", "call_id"),
    "apply_patch_call": ("apply_patch", "operation", "call_id"),
    "tool_search_call": ("tool_search", "arguments", "call_id"),
    "program": ("program", "code", "call_id"),
}
# Tool-result items: type -> (field with the output, field with the call id).
_RESULTS: dict[str, tuple[str, str]] = {
    "function_call_output": ("output", "call_id"),
    "custom_tool_call_output": ("output", "call_id"),
    "computer_call_output": ("output", "call_id"),
    "local_shell_call_output": ("output", "id"),
    "shell_call_output": ("output", "call_id"),
    "apply_patch_call_output": ("output", "call_id"),
    "tool_search_output": ("tools", "call_id"),
    "mcp_list_tools": ("tools", "id"),
    "mcp_approval_response": ("approve", "approval_request_id"),
    "program_output": ("result", "call_id"),
}
# Call items that carry their own result: type -> the fields holding it.
_EMBEDDED: dict[str, tuple[str, ...]] = {
    "mcp_call": ("output", "error"),
    "code_interpreter_call": ("outputs",),
    "file_search_call": ("results",),
    "image_generation_call": ("result", "error"),
}
_MEDIA_PARTS = frozenset({"input_image", "input_file", "input_audio", "computer_screenshot"})


def _media(p: Fields, ptype: Any, blobs: Blobs | None, path: Path) -> Attachment | None:
    """The attachment an image, file, audio or screenshot part holds (None for other parts)."""
    if ptype in ("input_image", "computer_screenshot"):
        if p.get("image_url"):
            return url_part(p.get("image_url"), blobs, (*path, "image_url"))
        return from_file_id("openai", p.get("file_id")) if p.get("file_id") else None
    if ptype == "input_file":
        return file_part(p, blobs, path)
    if ptype == "input_audio":
        return audio_part(fields(p.get("input_audio")), blobs, (*path, "input_audio"))
    return None


def _message(f: Fields, role: Any, blobs: Blobs | None) -> Event:
    content = f.get("content")
    kind = None
    attachments: list[Attachment] | None = None
    if isinstance(content, str):
        text = content
    elif content is None:
        text = ""
    elif isinstance(content, (list, tuple)):
        texts = []
        for i, part in enumerate(content):
            p = fields(part)
            value = p.get("text")
            if value is None:
                value = p.get("refusal")
                if value is not None:
                    kind = "refusal"
            if value is not None:
                texts.append(str(value))
                continue
            ptype = p.get("type")
            att = _media(p, ptype, blobs, ("content", i))
            if att is None:
                warn_unknown(NAME, "content part", ptype)
            else:
                attachments = [att] if attachments is None else [*attachments, att]
        text = "".join(texts)
    else:
        raise TypeError(f"a Responses message's content must be a string or a list of parts, got {describe(content)}")
    etype = ROLE_TYPES.get(role)
    if etype is None:
        warn_unknown(NAME, "role", role)
        etype, kind = "user_message", str(role)
    return message(etype, text, kind, attachments)


def _output(value: Any, blobs: Blobs | None, path: Path) -> tuple[str, list[Attachment] | None]:
    """Content text and attachments of a tool output (text, JSON, or parts with images and files)."""
    if isinstance(value, str):
        return value, None
    if value is None:
        return "", None
    if isinstance(value, (list, tuple)):
        attachments: list[Attachment] = []
        shown: list[Any] = []
        for i, part in enumerate(value):
            p = fields(part)
            ptype = p.get("type")
            att = _media(p, ptype, blobs, (*path, i)) if ptype in _MEDIA_PARTS else None
            if att is None:
                shown.append(part)
            else:
                shown.append({"type": ptype, "attachment": len(attachments)})
                attachments.append(att)
        return json_text(shown, compact=False), attachments or None
    p = fields(value)
    if p.get("type") in _MEDIA_PARTS:
        att = _media(p, p.get("type"), blobs, path)
        if att is not None:
            return "", [att]
    return json_text(value, compact=False), None


def _is_error(f: Fields) -> bool | None:
    return True if f.get("status") == "failed" or f.get("error") else None


def _call(item: Any, f: Fields, itype: str, keep_raw: bool) -> list[Event]:
    tool, field, id_field = _CALLS[itype]
    name = f.get("name") if tool is None else tool
    if not name:
        raise ValueError(f"a Responses {itype} item needs a 'name', got {describe(item)}")
    value = f.get(field)
    if value is None and itype == "computer_call":
        value = f.get("actions")
    content = "" if value is None else json_text(value, compact=False)
    call_id = f.get(id_field) or f.get("id")
    embedded = _EMBEDDED.get(itype)
    call = tool_call(content, name, call_id, None if itype == "function_call" else itype)
    call.raw = Raw(NAME, item, None, None, None, embedded) if keep_raw else None
    if embedded is None or all(f.get(k) is None for k in embedded):
        return [call]
    blobs: Blobs | None = [] if keep_raw else None
    result = _embedded_result(f, itype, call_id, blobs)
    return [call, with_raw(result, Raw(NAME, item, None, blobs, embedded) if keep_raw else None)]


def _embedded_result(f: Fields, itype: str, call_id: Any, blobs: Blobs | None) -> Event:
    attachments: list[Attachment] = []
    error = f.get("error")
    if itype == "code_interpreter_call":
        logs = []
        for out in f.get("outputs") or ():
            o = fields(out)
            if o.get("type") == "image":
                attachments.append(from_url(o.get("url")))
            else:
                logs.append(str(o.get("logs") or ""))
        content = "\n".join(logs)
    elif itype == "image_generation_call" and f.get("result"):
        att = from_base64(f.get("result"), f"image/{f.get('output_format') or 'png'}")
        note_blob(blobs, ("result",), att, False)
        content, attachments = "", [att]
    elif error is not None:
        content = json_text(error, compact=False)
    else:
        content = json_text(f.get(_EMBEDDED[itype][0]), compact=False)
    return tool_result(content, call_id, itype, _is_error(f), attachments or None)


def _result(f: Fields, itype: str, blobs: Blobs | None) -> Event:
    field, id_field = _RESULTS[itype]
    if itype == "mcp_approval_response":
        content, attachments = json_text({"approve": f.get("approve"), "reason": f.get("reason")}, compact=False), None
    else:
        content, attachments = _output(f.get(field), blobs, (field,))
    kind = None if itype == "function_call_output" else itype
    return tool_result(content, f.get(id_field) or f.get("id"), kind, _is_error(f), attachments)


def _reasoning(f: Fields) -> Event:
    content = "\n".join(str(get(p, "text")) for p in f.get("content") or ()).strip()
    summary = "\n".join(str(get(p, "text")) for p in f.get("summary") or ()).strip()
    return Event("reasoning", content, f"reasoning:{f.get('id')}", summary)


def item_events(item: Any, keep_raw: bool = True) -> list[Event]:
    """Events for one Responses input or output item (a dict or an SDK object)."""
    f: Fields
    if type(item) is dict:
        f = item
        if keep_raw:
            item = dict(item)
    else:
        f = fields(item)
    itype = f.get("type")
    if itype in _CALLS:
        return _call(item, f, itype, keep_raw)
    blobs: Blobs | None = [] if keep_raw else None
    if itype == "reasoning":
        ev = _reasoning(f)
    elif itype is None or itype == "message":
        role = f.get("role")
        if role is None:
            if isinstance(item, dict):
                raise ValueError(f"a Responses item needs a 'type' or a 'role', got {describe(item)}")
            raise TypeError(f"expected {_EXPECTED}, got {describe(item)}")
        ev = _message(f, role, blobs)
    elif itype in _RESULTS:
        ev = _result(f, itype, blobs)
    elif itype == "compaction":
        ev = reasoning(None, f"compaction:{f.get('id')}", None, itype)
    elif itype == "item_reference":
        ev = message("assistant_message", None, itype)
    else:
        ev = unknown_event(NAME, "item", itype)
    ev.raw = Raw(NAME, item, None, blobs) if keep_raw else None
    return [ev]


def _usage(usage: Any) -> Usage | None:
    if usage is None:
        return None
    u = fields(usage)
    return Usage(
        u.get("input_tokens"),
        u.get("output_tokens"),
        get(u.get("output_tokens_details"), "reasoning_tokens"),
        get(u.get("input_tokens_details"), "cached_tokens"),
    )


def _response_events(response: Any, r: Fields, keep_raw: bool) -> list[Event]:
    events: list[Event] = []
    for item in r.get("output") or ():
        events += item_events(item, keep_raw)
    stop = get(r.get("incomplete_details"), "reason") or r.get("status")
    envelope, usage = snapshot(response), _usage(r.get("usage"))
    return finish_response(events, NAME, envelope, ("output",), r.get("model"), usage, stop, keep_raw)


def response_events(response: Any, keep_raw: bool = True) -> list[Event]:
    """Events for every output item of a whole ``Response``, with its model, usage and status."""
    return _response_events(response, fields(response), keep_raw)


def request_events(input: Any, instructions: Any = None, keep_raw: bool = True) -> list[Event]:
    """Events for a request: its ``instructions`` (a system message), then its ``input`` (a string or items)."""
    events = []
    if isinstance(instructions, str) and instructions:
        raw = Raw(NAME, {"instructions": instructions}) if keep_raw else None
        events.append(with_raw(message("system_message", instructions), raw))
    elif isinstance(instructions, (list, tuple)):
        events += to_events(instructions, keep_raw)
    if isinstance(input, str):
        return events + item_events({"role": "user", "content": input}, keep_raw)
    return events + (to_events(input, keep_raw) if input else [])


def to_events(x: Any, keep_raw: bool = True, keep_empty: bool = False) -> list[Event]:
    """Events for a ``Response``, one item, or a list of items (an ``input`` list)."""
    if isinstance(x, (list, tuple)):
        return or_empty([ev for item in x for ev in item_events(item, keep_raw)], keep_empty)
    r = message_fields(x, _EXPECTED)
    if r.get("type") is None and r.get("role") is None and isinstance(r.get("output"), list):
        return _response_events(x, r, keep_raw)
    return item_events(x, keep_raw)

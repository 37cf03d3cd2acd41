"""Anthropic Messages: a ``MessageParam`` dict, a ``Message``, or a list of them -> events.

One event per content block. Text, thinking, tool use and tool results map as in the
OpenReward SDK's serializer; beyond it, ``is_error`` is kept, images and documents become
attachments, and ``redacted_thinking``, ``server_tool_use`` / ``mcp_tool_use`` and the
server tools' result blocks keep their block type in ``kind``.

``usage.input_tokens`` counts every prompt token: Anthropic's uncached input, cache reads
and cache writes are summed, as OpenAI and Gemini report them.
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
    tool_result,
    unknown_event,
    warn_unknown,
    with_raw,
)
from .._media import from_base64, from_file_id, from_url
from .._raw import Blobs, Path, Raw, note_blob, snapshot

NAME = "anthropic"
_EXPECTED = "an Anthropic message (a MessageParam dict or Message with 'role' and 'content'), a list of them"
#: Tool use blocks besides ``tool_use``; their block type is the event's ``kind``.
_SERVER_CALLS = frozenset({"server_tool_use", "mcp_tool_use"})
_SERVER_RESULTS = frozenset(
    {
        "web_search_tool_result",
        "web_fetch_tool_result",
        "code_execution_tool_result",
        "bash_code_execution_tool_result",
        "text_editor_code_execution_tool_result",
        "tool_search_tool_result",
    }
)
_MEDIA_BLOCKS = frozenset({"image", "document", "search_result", "container_upload"})


def _source(source: Any, blobs: Blobs | None, path: Path) -> tuple[Attachment | None, str | None]:
    """(attachment, text) of an image or document ``source``."""
    s = fields(source)
    stype = s.get("type")
    if stype == "base64":
        att = from_base64(s.get("data"), s.get("media_type"))
        note_blob(blobs, (*path, "data"), att, False)
        return att, None
    if stype == "url":
        return from_url(s.get("url")), None
    if stype == "file":
        return from_file_id(NAME, s.get("file_id")), None
    if stype == "text":
        return None, s.get("data")
    if stype == "content":
        return None, _text_of(s.get("content"))
    warn_unknown(NAME, "source", stype)
    return None, None


def _text_of(content: Any) -> str:
    """Text of a string or a list of text blocks."""
    if isinstance(content, str):
        return content
    return "\n".join(get(b, "text") or "" for b in content or () if get(b, "type") == "text")


def _media(b: Fields, btype: str, blobs: Blobs | None, path: Path) -> tuple[Attachment | None, str | None]:
    """(attachment, text) of an image, document, search result or container upload block."""
    if btype in ("image", "document"):
        return _source(b.get("source"), blobs, (*path, "source"))
    if btype == "search_result":
        return None, _text_of(b.get("content"))
    return from_file_id(NAME, b.get("file_id")), None


def _tool_result(b: Fields, blobs: Blobs | None, kind: str | None) -> Event:
    content = b.get("content")
    attachments: list[Attachment] = []
    if isinstance(content, str):
        text = content
    elif content is None:
        text = ""
    else:
        text = ""
        for j, part in enumerate(content):
            p = fields(part)
            ptype = p.get("type")
            if ptype == "text":
                text += f"{p.get('text')}\n"
            elif ptype in ("image", "document", "search_result"):
                att, part_text = _media(p, ptype, blobs, ("content", j))
                if att is not None:
                    attachments.append(att)
                if part_text:
                    text += f"{part_text}\n"
            else:
                warn_unknown(NAME, "tool result part", ptype)
        text = text.strip()
    return tool_result(text, b.get("tool_use_id"), kind, b.get("is_error"), attachments or None)


def _rare_block(block: Any, b: Fields, btype: Any, etype: str, blobs: Blobs | None) -> Event:
    """Blocks other than text, tool use and thinking (and blocks without a type)."""
    if btype == "tool_result" or btype == "mcp_tool_result":
        return _tool_result(b, blobs, None if btype == "tool_result" else btype)
    if btype == "redacted_thinking":
        return reasoning(b.get("data"), None, None, btype)
    if btype in _SERVER_RESULTS:
        content = b.get("content")
        error = str(get(content, "type") or "").endswith("_error")
        return tool_result(json_text(content), b.get("tool_use_id"), btype, True if error else None)
    if btype in _MEDIA_BLOCKS:
        att, text = _media(b, btype, blobs, ())
        return message(etype, text, btype, [att] if att is not None else None)
    if btype is not None:
        return unknown_event(NAME, "content block", btype)
    if not isinstance(block, dict):
        raise TypeError(f"an Anthropic content block must be a dict or an SDK block, got {describe(block)}")
    text = b.get("text") or b.get("content")
    if text is None:
        raise ValueError(f"an Anthropic content block needs a 'type', got {describe(block)}")
    return message(etype, text)


def _blocks(content: Any, etype: str, role: Any, keep_raw: bool) -> list[Event]:
    events = []
    for block in content:
        b: Fields
        if type(block) is dict:
            b = block
            item = block.copy() if keep_raw else None  # a snapshot, as the dict may change later
        else:
            b, item = fields(block), block
        btype = b.get("type")
        if btype == "text":
            ev = Event(etype, b.get("text") or b.get("content"), raw=Raw(NAME, item, role) if keep_raw else None)
        elif btype == "thinking":
            signature = b.get("signature")
            ref = f"anthropic:thinking:{signature}" if signature else "anthropic:thinking"
            ev = Event("reasoning", b.get("thinking"), ref, raw=Raw(NAME, item, role) if keep_raw else None)
        elif btype == "tool_use" or btype in _SERVER_CALLS:
            name = b.get("name")
            if not name:
                raise ValueError(f"an Anthropic {btype} block needs a 'name', got {describe(block)}")
            ev = Event(
                "tool_call",
                json_text(b.get("input") or {}),
                name=name,
                call_id=b.get("id"),
                kind=None if btype == "tool_use" else btype,
                raw=Raw(NAME, item, role) if keep_raw else None,
            )
        else:
            blobs: Blobs | None = [] if keep_raw else None
            ev = _rare_block(block, b, btype, etype, blobs)
            if keep_raw:
                ev.raw = Raw(NAME, item, role, blobs)
        events.append(ev)
    return events


def _message_events(msg: Any, m: Fields, keep_raw: bool, keep_empty: bool) -> list[Event]:
    role = m.get("role")
    if role is None:
        if isinstance(msg, dict):
            raise ValueError(f"an Anthropic message needs a 'role', got {describe(msg)}")
        raise TypeError(f"expected {_EXPECTED}, got {describe(msg)}")
    etype = ROLE_TYPES.get(role)
    kind = None
    if etype is None:
        warn_unknown(NAME, "role", role)
        etype, kind = "user_message", str(role)
    content = m.get("content")
    if isinstance(content, (list, tuple)):
        events = _blocks(content, etype, role, keep_raw)
    elif isinstance(content, str):
        events = [with_raw(message(etype, content, kind), Raw(NAME, snapshot(msg)) if keep_raw else None)]
    else:
        raise TypeError(f"an Anthropic message's content must be a string or a list of blocks, got {describe(content)}")
    if events or not keep_empty:
        return events
    return or_empty(events, keep_empty, etype, NAME if keep_raw else None, msg)


def message_events(msg: Any, keep_raw: bool = True, keep_empty: bool = False) -> list[Event]:
    """Events for one message (``MessageParam`` dict or ``Message``); one per content block.

    ``keep_empty``: a message with nothing in it still gives one empty event (to carry a reward).
    """
    return _message_events(msg, fields(msg), keep_raw, keep_empty)


def _usage(usage: Any) -> Usage | None:
    if usage is None:
        return None
    u = fields(usage)
    uncached = u.get("input_tokens")
    read = u.get("cache_read_input_tokens")
    write = u.get("cache_creation_input_tokens")
    total = None if uncached is None else uncached + (read or 0) + (write or 0)
    return Usage(total, u.get("output_tokens"), get(u.get("output_tokens_details"), "thinking_tokens"), read, write)


def _response_events(response: Any, r: Fields, keep_raw: bool) -> list[Event]:
    events = _message_events(response, r, keep_raw, False)
    usage = _usage(r.get("usage"))
    envelope = snapshot(response)
    stop = r.get("stop_reason")
    return finish_response(events, NAME, envelope, ("content",), r.get("model"), usage, stop, keep_raw)


def response_events(response: Any, keep_raw: bool = True) -> list[Event]:
    """Events for a whole ``Message`` returned by the API, with its model, usage and stop reason."""
    return _response_events(response, fields(response), keep_raw)


def request_events(messages: Any, system: Any = None, keep_raw: bool = True) -> list[Event]:
    """Events for a request: its ``system`` prompt (a string or text blocks), then its ``messages``."""
    events = []
    if isinstance(system, str):
        events = [with_raw(message("system_message", system), Raw(NAME, {"system": system}) if keep_raw else None)]
    elif system:
        events = _blocks(system, "system_message", "system", keep_raw)
    return events + [ev for msg in messages or () for ev in message_events(msg, keep_raw)]


def to_events(x: Any, keep_raw: bool = True, keep_empty: bool = False) -> list[Event]:
    """Events for a message, a whole ``Message`` (with usage), or a list of messages."""
    if type(x) is dict:
        m: Fields = x
    elif isinstance(x, (list, tuple)):
        return or_empty(request_events(x, None, keep_raw), keep_empty)
    else:
        m = message_fields(x, _EXPECTED)
    if m.get("usage") is not None and m.get("type") == "message":
        return _response_events(x, m, keep_raw)
    return _message_events(x, m, keep_raw, keep_empty)

"""OpenAI Chat Completions (and OpenRouter through the OpenAI SDK): a message, a list, or a ``ChatCompletion``.

An assistant message gives, in this order: its reasoning (OpenRouter ``reasoning`` /
``reasoning_details``, ``reasoning_content`` as vLLM, SGLang and DeepSeek send it, or a
LiteLLM proxy's ``thinking_blocks``), its text or refusal, then one tool call
per entry of ``tool_calls`` (the OpenReward SDK's serializer puts the tool calls before
the text and drops reasoning and refusals). Text is stripped and empty text records
nothing, as in that serializer. Images, audio and files in content parts become
attachments. Of a ``ChatCompletion`` the first choice is recorded; the others stay in the
raw ``response`` envelope. A list of streamed chunks is merged first (:mod:`.stream`).
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
    message_fields,
    or_empty,
    unknown_event,
    warn_unknown,
    with_raw,
)
from .._media import audio_part, file_part, url_part
from .._raw import Blobs, Path, Raw, snapshot
from .stream import merge_chunks

NAME = "openai_chat"
_EXPECTED = "a chat message (a dict or SDK object with 'role'), a list of them, or a ChatCompletion"
_REASONING_KEYS = ("reasoning", "reasoning_content", "reasoning_details", "thinking_blocks")
_ROLES = ("assistant", "user", "system", "developer", "tool", "function")
_SPLIT_KEYS = ("tool_calls", "function_call", *_REASONING_KEYS)
#: roles taken as they are (any other may be one a stream merge repeated: :func:`_unrepeated`)
_KNOWN_ROLES = frozenset((*_ROLES, *ROLE_TYPES))


def _part_attachment(p: Fields, ptype: Any, blobs: Blobs | None, path: Path) -> Attachment | None:
    if ptype == "image_url":
        url = get(p.get("image_url"), "url")
        return url_part(url, blobs, (*path, "image_url", "url")) if url else None
    if ptype == "input_audio":
        return audio_part(fields(p.get("input_audio")), blobs, (*path, "input_audio"))
    if ptype == "file":
        return file_part(fields(p.get("file")), blobs, (*path, "file"))
    return None


def _content(content: Any, keep_raw: bool) -> tuple[str, list[Attachment] | None, str | None, Blobs | None]:
    """(stripped text, attachments, kind, the bytes its parts hold for the raw payload: a list with
    ``keep_raw``) of a message's ``content``: a string or a list of parts."""
    if isinstance(content, str):  # the commonest, first
        return content.strip(), None, None, None
    blobs: Blobs | None = [] if keep_raw else None
    if content is None:
        return "", None, None, blobs
    if not isinstance(content, (list, tuple)):
        raise TypeError(f"a chat message's content must be a string or a list of parts, got {describe(content)}")
    texts: list[str] = []
    attachments: list[Attachment] = []
    kind = None
    for i, part in enumerate(content):
        p = fields(part)
        ptype = p.get("type")
        if ptype == "text":
            texts.append(p.get("text") or "")
        elif ptype == "refusal":
            texts.append(p.get("refusal") or "")
            kind = "refusal"
        else:
            att = _part_attachment(p, ptype, blobs, ("content", i))
            if att is None:
                warn_unknown(NAME, "content part", ptype)
            else:
                attachments.append(att)
    return "\n".join(texts).strip(), attachments or None, kind, blobs


def _details(details: Any) -> tuple[str | None, str | None, str | None]:
    """(text, summary, reference) of OpenRouter ``reasoning_details``."""
    texts, summaries, ref = [], [], None
    for detail in details:
        d = fields(detail)
        dtype = d.get("type")
        if dtype == "reasoning.text":
            texts.append(d.get("text") or "")
        elif dtype == "reasoning.summary":
            summaries.append(d.get("summary") or "")
        if ref is None and (d.get("signature") or d.get("data")):
            ref = f"openrouter:{dtype}:{d.get('signature') or d.get('data')}"
    return "\n".join(texts) if texts else None, "\n".join(summaries) or None, ref


def _thinking_blocks(blocks: Any) -> tuple[str | None, str | None]:
    """(text, reference) of the Anthropic-style ``thinking_blocks`` a LiteLLM proxy adds to a message."""
    texts, ref = [], None
    for block in blocks:
        b = fields(block)
        if b.get("thinking"):
            texts.append(b.get("thinking"))
        secret = b.get("signature") or b.get("data")
        if ref is None and secret:
            ref = f"anthropic:{b.get('type') or 'thinking'}:{secret}"
    return "\n".join(texts) if texts else None, ref


def _add_tool_calls(events: list[Event], calls: Any, keep_raw: bool) -> None:
    """Append one tool call event per entry of ``calls`` (the plain function call handled inline)."""
    for call in calls:
        t: Fields
        if type(call) is dict:
            t, fn = call, call.get("function")
        else:
            t = fields(call)
            fn = t.get("function")
        if fn is None:
            events.append(_other_tool_call(call, t, keep_raw))
            continue
        f = fn if type(fn) is dict else fields(fn)
        name = f.get("name")
        if not name:
            raise ValueError(f"a chat tool call needs a function name, got {describe(call)}")
        args = f.get("arguments")
        if type(args) is not str:
            args = json_text(args or {})
        raw = Raw(NAME, call, "assistant") if keep_raw else None
        events.append(Event("tool_call", args, name=name, call_id=t.get("id"), raw=raw))


def _other_tool_call(call: Any, t: Fields, keep_raw: bool) -> Event:
    """A tool call without a ``function``: a ``custom`` tool's call, or one of an unknown type."""
    custom = t.get("custom")
    if custom is None:
        ev = unknown_event(NAME, "tool call", t.get("type"), "tool_call")
    else:
        c = fields(custom)
        name, args = c.get("name"), c.get("input")
        if not name:
            raise ValueError(f"a chat tool call needs a function name, got {describe(call)}")
        ev = Event(
            "tool_call",
            args if type(args) is str else json_text(args or {}),
            name=name,
            call_id=t.get("id"),
            kind="custom",
        )
    return with_raw(ev, Raw(NAME, call, "assistant") if keep_raw else None)


def _images(images: Any, attachments: list[Attachment] | None, blobs: Blobs | None) -> list[Attachment] | None:
    """``attachments`` plus those of an OpenRouter message's generated ``images``."""
    for i, image in enumerate(images):
        att = _part_attachment(fields(image), "image_url", blobs, ("images", i))
        if att is not None:
            attachments = [att] if attachments is None else [*attachments, att]
    return attachments


def _assistant(msg: Any, m: Fields, keep_raw: bool) -> list[Event]:
    """Events of an assistant message: reasoning, text (or refusal, audio transcript), tool calls."""
    text = m.get("reasoning") or m.get("reasoning_content")
    details = m.get("reasoning_details")
    blocks = m.get("thinking_blocks")
    if text or details or blocks:
        summary = ref = None
        if details:
            detail_text, summary, ref = _details(details)
            text = text or detail_text
        if blocks:
            block_text, block_ref = _thinking_blocks(blocks)
            text, ref = text or block_text, ref or block_ref
        raw: Raw | None = Raw(NAME, msg, "assistant", None, _REASONING_KEYS) if keep_raw else None
        events = [Event("reasoning", text or None, ref, summary, raw=raw)]
    else:
        events = []
    text, attachments, kind, blobs = _content(m.get("content"), keep_raw)
    refusal = m.get("refusal")
    if refusal:
        text, kind = (f"{text}\n{refusal}" if text else refusal), "refusal"
    audio = m.get("audio")
    if audio is not None and not text:
        text, kind = get(audio, "transcript") or "", "audio"
    images = m.get("images")
    if images:
        if blobs is None and keep_raw:
            blobs = []
        attachments = _images(images, attachments, blobs)
    body = None
    if text or attachments:
        raw = Raw(NAME, msg, None, blobs, None, _SPLIT_KEYS) if keep_raw else None
        body = Event("assistant_message", text, kind=kind, attachments=attachments, raw=raw)
        events.append(body)
    calls = m.get("tool_calls")
    if calls:
        _add_tool_calls(events, calls, keep_raw)
    legacy = m.get("function_call")
    if legacy is not None:
        _add_tool_calls(events, ({"type": "function", "function": legacy},), keep_raw)
        events[-1].kind = "function_call"
    if body is None and events and keep_raw:
        first: Raw = events[0].raw  # the rest of the message goes with its first event: ``msg`` less ``_SPLIT_KEYS``
        first.message, first.message_drop = msg, _SPLIT_KEYS
    return events


def _other(msg: Any, m: Fields, role: Any, keep_raw: bool) -> tuple[list[Event], str]:
    """Events of a user, system, developer or tool message, and the event type of that role."""
    text, attachments, kind, blobs = _content(m.get("content"), keep_raw)
    if role == "tool" or role == "function":
        etype = "tool_result"
        call_id = m.get("tool_call_id")
        kind = kind or (None if role == "tool" else role)
    else:
        known = ROLE_TYPES.get(role)
        if known is None:
            warn_unknown(NAME, "role", role)
            known, kind = "user_message", str(role)
        etype, call_id = known, None
    if not (text or attachments):
        return [], etype
    raw = Raw(NAME, msg, None, blobs or None) if keep_raw else None
    return [Event(etype, text, call_id=call_id, kind=kind, attachments=attachments, raw=raw)], etype


def _unrepeated(role: Any) -> Any:
    """A role that a stream merge joined from every chunk (``assistantassistant...``) as the role it repeats."""
    if isinstance(role, str):
        for known in _ROLES:
            times, rest = divmod(len(role), len(known))
            if times > 1 and not rest and role == known * times:
                return known
    return role


def _is_chunk(item: Any) -> bool:
    """Whether ``item`` is a streamed ``ChatCompletionChunk`` (or its dict)."""
    f = fields(item)
    if f.get("object") == "chat.completion.chunk":
        return True
    choices = f.get("choices")
    return isinstance(choices, list) and bool(choices) and get(choices[0], "delta") is not None


def _message_events(msg: Any, m: Fields, role: Any, keep_raw: bool, keep_empty: bool) -> list[Event]:
    """Events of a message whose fields are ``m`` and role ``role`` (``m.get("role")``)."""
    if role is None:
        if isinstance(msg, dict):
            raise ValueError(f"a chat message needs a 'role', got {describe(msg)}")
        raise TypeError(f"expected {_EXPECTED}, got {describe(msg)}")
    if keep_raw:
        msg = snapshot(msg)
    if role not in _KNOWN_ROLES:
        role = _unrepeated(role)
    if role == "assistant":
        events, etype = _assistant(msg, m, keep_raw), "assistant_message"
    else:
        events, etype = _other(msg, m, role, keep_raw)
    if events or not keep_empty:
        return events
    return or_empty(events, keep_empty, etype, NAME if keep_raw else None, msg, m.get("tool_call_id"))


def message_events(msg: Any, keep_raw: bool = True, keep_empty: bool = False) -> list[Event]:
    """Events for one chat message (a dict or a ``ChatCompletionMessage``).

    ``keep_empty``: a message with nothing in it still gives one empty event (to carry a reward).
    """
    m = fields(msg)
    return _message_events(msg, m, m.get("role"), keep_raw, keep_empty)


def _usage(usage: Any) -> Usage | None:
    if usage is None:
        return None
    u = fields(usage)
    prompt = fields(u.get("prompt_tokens_details"))
    return Usage(
        u.get("prompt_tokens"),
        u.get("completion_tokens"),
        get(u.get("completion_tokens_details"), "reasoning_tokens"),
        prompt.get("cached_tokens"),
        prompt.get("cache_write_tokens"),
    )


def _response_events(completion: Any, c: Fields, keep_raw: bool) -> list[Event]:
    choices = c.get("choices") or ()
    choice = fields(choices[0] if choices else None)
    msg = choice.get("message")
    events = message_events(msg, keep_raw) if msg is not None else []
    envelope = snapshot(completion)
    usage = _usage(c.get("usage"))
    stop = choice.get("finish_reason")
    return finish_response(events, NAME, envelope, ("choices", 0, "message"), c.get("model"), usage, stop, keep_raw)


def response_events(completion: Any, keep_raw: bool = True) -> list[Event]:
    """Events for a whole ``ChatCompletion``: its first choice's message, model, usage and finish reason."""
    return _response_events(completion, fields(completion), keep_raw)


def request_events(messages: Any, keep_raw: bool = True) -> list[Event]:
    """Events for a request's ``messages``."""
    return [ev for msg in messages or () for ev in message_events(msg, keep_raw)]


def to_events(x: Any, keep_raw: bool = True, keep_empty: bool = False) -> list[Event]:
    """Events for a chat message, a list of messages, a ``ChatCompletion``, or the chunks of a streamed one."""
    if type(x) is dict:  # the common case first: a message dict
        role = x.get("role")
        if role == "assistant":  # the hot path, without _message_events' frame and checks
            msg = x.copy() if keep_raw else x  # a snapshot, as the dict may change after it is logged
            events = _assistant(msg, x, keep_raw)
            if events or not keep_empty:
                return events
            return or_empty(events, keep_empty, "assistant_message", NAME if keep_raw else None, msg)
        if role is not None:
            return _message_events(x, x, role, keep_raw, keep_empty)
        m: Fields = x
    elif isinstance(x, (list, tuple)):
        if x and _is_chunk(x[0]):
            return response_events(merge_chunks(x), keep_raw)
        return or_empty(request_events(x, keep_raw), keep_empty)
    else:
        m = message_fields(x, _EXPECTED)
    role = m.get("role")
    if role is None and m.get("choices") is not None:
        return _response_events(x, m, keep_raw)
    return _message_events(x, m, role, keep_raw, keep_empty)

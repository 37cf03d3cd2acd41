"""Rebuild a conversation from a rollout's events, as OpenAI chat or Anthropic Messages API messages.

The normalized events suffice: consecutive model-side events (text, reasoning, tool
calls) form one assistant message, tool results answer calls by ``call_id``, and image
attachments of user messages become image parts.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from typing import Any

from ..records import EventRecord

FORMATS: tuple[str, ...] = ("openai", "anthropic")
_THINKING_REFERENCE = "anthropic:thinking:"


def check_format(name: str) -> str:
    """``name`` if it is one of :data:`FORMATS`, else ValueError listing them."""
    if name not in FORMATS:
        raise ValueError(f"unknown chat format {name!r}; formats: {', '.join(FORMATS)}")
    return name


def _images(event: EventRecord) -> list[tuple[str, str | None, str | None]]:
    """(mime, url, base64 data) of each image attached to an event."""
    out = []
    for i, ref in enumerate(event.attachments):
        mime = ref.get("mime") or ""
        if not mime.startswith("image/"):
            continue
        data = event.attachment_bytes(i)
        out.append((mime, ref.get("url"), None if data is None else base64.b64encode(data).decode("ascii")))
    return out


def _tool_input(text: str | None) -> dict[str, Any]:
    """Tool arguments as the JSON object Anthropic's ``tool_use.input`` wants."""
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {"arguments": text}
    return value if isinstance(value, dict) else {"arguments": value}


def openai_messages(events: Iterable[EventRecord]) -> list[dict[str, Any]]:
    """Chat Completions messages; reasoning has no place there and is left out."""
    messages: list[dict[str, Any]] = []
    for ev in events:
        if ev.type in ("system_message", "user_message"):
            role = "system" if ev.type == "system_message" else "user"
            images = _images(ev) if role == "user" else []
            content: Any = ev.content or ""
            if images:
                content = [{"type": "text", "text": ev.content or ""}] + [
                    {"type": "image_url", "image_url": {"url": url or f"data:{mime};base64,{data}"}}
                    for mime, url, data in images
                ]
            messages.append({"role": role, "content": content})
        elif ev.type == "assistant_message":
            messages.append({"role": "assistant", "content": ev.content or ""})
        elif ev.type == "tool_call":
            if not messages or messages[-1]["role"] != "assistant":
                messages.append({"role": "assistant", "content": None})
            call = {
                "id": ev.call_id,
                "type": "function",
                "function": {"name": ev.name, "arguments": ev.content or "{}"},
            }
            messages[-1].setdefault("tool_calls", []).append(call)
        elif ev.type == "tool_result":
            messages.append({"role": "tool", "tool_call_id": ev.call_id, "content": ev.content or ""})
    return messages


def _anthropic_block(ev: EventRecord) -> tuple[str, list[dict[str, Any]]] | None:
    """(role, content blocks) one event adds, or None when it adds nothing."""
    if ev.type == "user_message":
        blocks: list[dict[str, Any]] = [{"type": "text", "text": ev.content}] if ev.content else []
        for mime, url, data in _images(ev):
            source = {"type": "url", "url": url} if url else {"type": "base64", "media_type": mime, "data": data}
            blocks.append({"type": "image", "source": source})
        return ("user", blocks) if blocks else None
    if ev.type == "tool_result":
        block: dict[str, Any] = {"type": "tool_result", "tool_use_id": ev.call_id, "content": ev.content or ""}
        if ev.is_error:
            block["is_error"] = True
        return "user", [block]
    if ev.type == "assistant_message":
        return ("assistant", [{"type": "text", "text": ev.content}]) if ev.content else None
    if ev.type == "tool_call":
        return "assistant", [{"type": "tool_use", "id": ev.call_id, "name": ev.name, "input": _tool_input(ev.content)}]
    if ev.type == "reasoning":
        if ev.kind == "redacted_thinking":
            return ("assistant", [{"type": "redacted_thinking", "data": ev.content}]) if ev.content else None
        text = ev.content or ev.summary
        if not text:
            return None
        return "assistant", [{"type": "thinking", "thinking": text, "signature": _signature(ev.content_reference)}]
    return None


def _signature(reference: str | None) -> str:
    """The thinking signature an Anthropic reasoning event keeps as ``anthropic:thinking:<signature>``."""
    if reference and reference.startswith(_THINKING_REFERENCE):
        return reference[len(_THINKING_REFERENCE) :]
    return ""


def anthropic_messages(events: Iterable[EventRecord]) -> tuple[str | None, list[dict[str, Any]]]:
    """(system prompt, Messages API messages): system prompts are joined apart, as that API takes them."""
    system: list[str] = []
    messages: list[dict[str, Any]] = []
    for ev in events:
        if ev.type == "system_message":
            if ev.content:
                system.append(ev.content)
            continue
        added = _anthropic_block(ev)
        if added is None:
            continue
        role, blocks = added
        if messages and messages[-1]["role"] == role:
            messages[-1]["content"].extend(blocks)
        else:
            messages.append({"role": role, "content": blocks})
    return ("\n\n".join(system) or None), messages

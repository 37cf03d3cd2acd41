"""Events as the small JSON dicts the timeline's browser code draws: clipped, pretty-printed, markdown pre-rendered."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from ..records import EventRecord
from .render import markdown_html, pretty_json, safe_image_src

#: characters of an event's text sent with a page; the rest comes on "show all"
CLIP_CHARS = 2_000
#: characters sent when the user expands one event
EXPAND_CHARS = 256_000
_META_CHARS = 4_000


def clip(text: str | None, limit: int) -> tuple[str, int]:
    """(the first ``limit`` characters of ``text``, its full length)."""
    if not text:
        return "", 0
    return (text if len(text) <= limit else text[:limit]), len(text)


def display_text(ev: EventRecord, limit: int) -> tuple[str, int]:
    """The event's main text for display (JSON re-indented for tools), clipped; with the full length."""
    text = ev.content or ""
    if ev.type in ("tool_call", "tool_result"):
        text = pretty_json(text)
    return clip(text, limit)


def _metadata_text(metadata: dict | None) -> str | None:
    if not metadata:
        return None
    text = json.dumps(metadata, indent=2, ensure_ascii=False, default=str)
    return text if len(text) <= _META_CHARS else text[:_META_CHARS] + "\n…"


def event_payload(ev: EventRecord, limit: int = CLIP_CHARS) -> dict[str, Any]:
    """One event for the browser. Untrusted strings stay plain text, except ``md``: markdown-it HTML (raw HTML off)."""
    text, full = display_text(ev, limit)
    out: dict[str, Any] = {"i": ev.idx, "t": ev.type, "ts": ev.ts, "text": text, "n": full}
    if ev.type == "assistant_message" and text:
        out["md"] = markdown_html(text)
    if ev.type == "reasoning" and ev.summary:
        out["smd"] = markdown_html(clip(ev.summary, limit)[0])
    optional = {
        "k": ev.kind,
        "s": ev.summary,
        "nm": ev.name,
        "cid": ev.call_id,
        "r": ev.reward,
        "e": ev.is_error,
        "m": ev.model,
        "lat": ev.latency_ms,
        "sr": ev.stop_reason,
        "meta": _metadata_text(ev.metadata),
    }
    out.update({k: v for k, v in optional.items() if v is not None})
    if ev.is_finished:
        out["f"] = True
    if ev.content_reference:
        out["ref"] = len(ev.content_reference)
    if ev.usage is not None:
        out["u"] = {k: v for k, v in asdict(ev.usage).items() if v is not None}
    if ev.attachments:
        out["att"] = [_attachment(a) for a in ev.attachments]
    return out


def _attachment(ref: dict[str, Any]) -> dict[str, Any]:
    keep = ("mime", "sha256", "size", "name")
    out = {k: ref[k] for k in keep if ref.get(k) is not None}
    url = safe_image_src(ref.get("url"))
    if url is not None:
        out["url"] = url
    return out

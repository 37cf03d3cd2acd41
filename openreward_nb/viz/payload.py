"""Events as the small JSON dicts the timeline's browser code draws: the body as :mod:`.body`
decides it, markdown rendered in the kernel, attachments with the kernel's verdict."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from ..records import EventRecord
from .attachments import verdict
from .body import event_body, json_layout
from .presentation import reward_tone
from .render import markdown_html

#: characters of an event's text sent with a page; the rest comes on "show all"
CLIP_CHARS = 2_000
#: characters sent when the user expands one event
EXPAND_CHARS = 256_000
_META_CHARS = 4_000


def _metadata_text(metadata: dict[str, Any] | None) -> str | None:
    if not metadata:
        return None
    text = json_layout(metadata)
    return text if len(text) <= _META_CHARS else text[:_META_CHARS] + "\n…"


def event_payload(ev: EventRecord, limit: int = CLIP_CHARS, heads: Mapping[str, bytes] | None = None) -> dict[str, Any]:
    """One event for the browser. Untrusted strings stay plain text (the browser sets them with
    ``textContent``), except ``md`` and ``smd``: markdown-it HTML with raw HTML off.

    ``heads``: the first bytes of the event's stored attachments by SHA-256, for their verdicts.
    """
    body = event_body(ev, limit)
    out: dict[str, Any] = {"i": ev.idx, "t": ev.type, "ts": ev.ts, "b": body.format, "text": body.text, "n": body.full}
    if body.format == "markdown" and body.text:
        out["md"] = markdown_html(body.text)
    if body.title is not None:
        out["ti"] = body.title
    if body.note:
        out["smd"] = markdown_html(body.note[:limit])
    optional = {
        "k": ev.kind,
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
    if ev.reward is not None:
        out["rt"] = reward_tone(ev.reward)
    if ev.is_finished:
        out["f"] = True
    if ev.content_reference:
        out["ref"] = len(ev.content_reference)
    if ev.usage is not None:
        out["u"] = {k: v for k, v in asdict(ev.usage).items() if v is not None}
    if ev.attachments:
        heads = heads or {}
        out["att"] = [
            verdict(ref, heads.get(str(ref.get("sha256"))), f"attachment-{ev.idx}-{k}")
            for k, ref in enumerate(ev.attachments)
        ]
    return out


def attachment_shas(events: list[EventRecord]) -> list[str]:
    """The SHA-256 of every stored attachment of ``events`` (whose first bytes a page needs)."""
    return [str(ref["sha256"]) for ev in events for ref in ev.attachments if ref.get("sha256")]

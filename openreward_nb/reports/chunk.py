"""One rollout as its chunk of a report: what its timeline asks for, answered ahead of time.

The chunk holds every event as the widget's page payload (:func:`..viz.payload.event_payload`,
so the timeline draws it as in a notebook), the longer text "show all" reveals, the header, the
type counts and the reward chart. It is compressed on its own, so opening one rollout in the
report decompresses only it. Attachments keep the widget's verdict, made fit for a file that
makes no request: stored and ``data:`` images become the report's thumbnails, remote images
links, files are left out; each case is counted for the report's notices.
"""

from __future__ import annotations

import base64
import gzip
import json
from collections import Counter
from collections.abc import Iterator
from itertools import islice
from typing import Any

from ..records import EventRecord, RolloutRecord
from ..viz import queries
from ..viz.attachments import HEAD_BYTES, data_url_bytes
from ..viz.body import event_body
from ..viz.payload import CLIP_CHARS, attachment_shas, event_payload
from ..viz.source import TimelineSource, bucket_points
from .images import UNREADABLE, ImageShelf

#: characters of an event's text "show all" reveals in a report (the store keeps the rest)
FULL_CHARS = 64_000
#: events read from the store at a time
_READ = 500

#: what the report's notices count, beyond images: attachments that are not images
FILE_LEFT_OUT = "file"
REMOTE_IMAGE = "remote image"


def pack(value: Any) -> str:
    """``value`` as gzip-compressed JSON in base64: how a report embeds its data."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return base64.b64encode(gzip.compress(text.encode(), compresslevel=6, mtime=0)).decode("ascii")


def _batches(events: Iterator[EventRecord], size: int) -> Iterator[list[EventRecord]]:
    while batch := list(islice(events, size)):
        yield batch


class ChunkMaker:
    """Builds rollouts' chunks, keeping their images on one shelf and counting what is left out."""

    def __init__(self, shelf: ImageShelf, max_events: int) -> None:
        self.shelf = shelf
        self.max_events = max_events
        #: attachments that are not in the report as images: kind -> how many
        self.other: Counter[str] = Counter()

    def mark(self) -> tuple[Any, Counter[str]]:
        """Where the maker stands now, for :meth:`rollback`."""
        return self.shelf.mark(), self.other.copy()

    def rollback(self, mark: tuple[Any, Counter[str]]) -> None:
        """Forget the images and counts of the chunks made since ``mark`` (they did not go in)."""
        shelf, self.other = mark
        self.shelf.rollback(shelf)

    def chunk(self, rec: RolloutRecord) -> dict[str, Any]:
        """``rec``'s chunk: ``header``, ``counts``, ``chart``, ``total``, ``events``, ``full``, ``notes``, ``cut``."""
        source = TimelineSource(rec)
        store = rec.store
        events: list[dict[str, Any]] = []
        full: dict[int, str] = {}
        notes: dict[int, str] = {}
        for batch in _batches(rec.events(0, self.max_events, page_size=_READ), _READ):
            shas = attachment_shas(batch)
            heads = queries.blob_heads(store, shas, HEAD_BYTES) if shas else None
            for ev in batch:
                payload = event_payload(ev, CLIP_CHARS, heads)
                payload["turn"] = source.turn_of(ev.idx)
                if payload["n"] > len(payload["text"]) or "smd" in payload:
                    body = event_body(ev, FULL_CHARS)
                    if payload["n"] > len(payload["text"]):
                        full[ev.idx] = body.text
                    if body.note:
                        notes[ev.idx] = body.note  # searched, as the store's search reads the summary
                if "att" in payload:
                    payload["att"] = [self._attachment(ev, k, a) for k, a in enumerate(payload["att"])]
                events.append(payload)
        points = [(e["i"], e["r"]) for e in events if "r" in e]
        return {
            "header": source.header(),
            "counts": dict(Counter(e["t"] for e in events)),
            "chart": {
                "points": bucket_points(points),
                "n": len(points),
                "finished": next((e["i"] for e in events if e.get("f")), None),
            },
            "total": events[-1]["i"] + 1 if events else 0,
            "events": events,
            "full": full,
            "notes": notes,
            "cut": {"shown": len(events), "total": rec.n_events} if rec.n_events > len(events) else None,
        }

    def _attachment(self, ev: EventRecord, k: int, verdict: dict[str, Any]) -> dict[str, Any]:
        """The widget's verdict on attachment ``k`` of ``ev``, as the report can honour it without a request."""
        label = verdict["label"]
        kept: dict[str, Any] = {key: verdict[key] for key in ("label", "size") if key in verdict}
        if verdict["v"] == "file":
            self.other[FILE_LEFT_OUT] += 1
            return {**kept, "v": "none", "label": f"{label} (a file: not in this report)"}
        if verdict["v"] != "image":
            return verdict
        url = verdict.get("url")
        if url is not None and not url.lower().startswith("data:"):
            self.other[REMOTE_IMAGE] += 1
            return {**kept, "v": "link", "url": url}  # opened outside on a click, never loaded here
        data = self._image_bytes(ev, k)
        if data is None:
            self.shelf.left_out[UNREADABLE] += 1
        where = self.shelf.add(data) if data is not None else UNREADABLE
        if isinstance(where, str):
            return {**kept, "v": "none", "label": f"{label} (image left out: {where})"}
        return {**kept, "v": "image", "img": where, "mime": self.shelf.kept[where].mime}

    def _image_bytes(self, ev: EventRecord, k: int) -> bytes | None:
        ref = ev.attachments[k]
        if ref.get("sha256") is not None:
            return ev.attachment_bytes(k)
        return data_url_bytes(str(ref.get("url") or ""))

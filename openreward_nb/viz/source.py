"""What a timeline view asks of the store: the header, the reward series, pages of events, one event in full, blobs.

Kept apart from the widget so that the static HTML, the text views and the tests use the same answers.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence
from itertools import islice
from typing import Any

from ..annotations import sql as annotations_sql
from ..records import EventRecord, RolloutRecord
from . import queries
from .attachments import HEAD_BYTES, attachment_bytes, verdict
from .body import event_body
from .payload import CLIP_CHARS, EXPAND_CHARS, attachment_shas, event_payload

#: events in the first screen (sent with the widget state, so it draws without a round trip)
FIRST_PAGE = 40
#: largest page one request may ask for
MAX_PAGE = 300
#: most points the reward chart gets; longer series are summed into buckets
MAX_CHART_POINTS = 1_000


def header_fields(rec: RolloutRecord) -> dict[str, Any]:
    """The numbers and names a view's header shows for a rollout."""
    return {
        "id": rec.id,
        "run": rec.run_name,
        "rollout": rec.rollout_name,
        "environment": rec.environment,
        "split": rec.split,
        "model": rec.model or (rec.metadata or {}).get("model"),
        "status": rec.status,
        "error": (rec.error or "")[-2_000:] or None,
        "total_reward": rec.total_reward,
        "final_reward": rec.final_reward,
        "events": rec.n_events,
        "turns": rec.n_turns,
        "tool_calls": rec.n_tool_calls,
        "errors": rec.n_errors,
        "input_tokens": rec.input_tokens,
        "output_tokens": rec.output_tokens,
        "duration_s": rec.duration_s,
        "created_at": rec.created_at,
    }


def _short(value: float) -> float:
    return float(f"{value:.6g}")


def bucket_points(points: Sequence[tuple[int, float]], limit: int = MAX_CHART_POINTS) -> list[list[float]]:
    """[[idx, step reward, cumulative reward], ...]; beyond ``limit`` points, neighbours are summed."""
    out: list[list[float]] = []
    cum = 0.0
    size = max(1, -(-len(points) // limit))
    for at in range(0, len(points), size):
        group = points[at : at + size]
        step = sum(r for _, r in group)
        cum += step
        out.append([group[0][0], _short(step), _short(cum)])
    return out


class TimelineSource:
    """One rollout's data as the timeline serves it, read through the store."""

    def __init__(self, record: RolloutRecord) -> None:
        self.record = record
        self.store = record.store
        self.seen = record.n_events
        self._turns, self._last_type = queries.turn_starts(self.store, record.id, 0, self.seen)
        self._points = queries.reward_points(self.store, record.id, 0, self.seen)
        self._finished = queries.finished_index(self.store, record.id)

    # --- first screen ------------------------------------------------------------------
    def header(self) -> dict[str, Any]:
        """The header's fields, with the labels and latest note the rollout was given (annotations)."""
        fields = header_fields(self.record)
        fields["labels"], fields["note"] = annotations_sql.rollout_marks(self.store, self.record.id)
        return fields

    def chart(self) -> dict[str, Any]:
        """The reward chart's data: bucketed points and the index of the finishing event."""
        return {"points": bucket_points(self._points), "n": len(self._points), "finished": self._finished}

    def type_counts(self) -> dict[str, int]:
        return queries.type_counts(self.store, self.record.id)

    def turn_of(self, idx: int) -> int:
        """The model turn an event belongs to (0 before the first)."""
        return bisect_right(self._turns, idx)

    def turn_start(self, turn: int) -> int:
        """The index where model turn ``turn`` begins (the last turn's start when past the end)."""
        if not self._turns or turn <= 0:
            return 0
        return self._turns[min(turn, len(self._turns)) - 1]

    # --- pages -------------------------------------------------------------------------
    def page(
        self, start: int, limit: int, types: Sequence[str] | None = None, backward: bool = False
    ) -> list[dict[str, Any]]:
        """Payloads of up to ``limit`` events from ``start`` on (or just before ``start`` when ``backward``)."""
        limit = max(1, min(int(limit), MAX_PAGE))
        types = list(types) if types else None
        if not backward:
            return self._payloads(self.record.events(max(0, start), types=types, page_size=limit), limit)
        found: list[Any] = []
        span = limit
        while start > 0 and len(found) < limit:
            lo = max(0, start - span)
            found = list(self.record.events(lo, start, types=types, page_size=MAX_PAGE)) + found
            start, span = lo, span * 4
        return self._payloads(iter(found[-limit:]), limit)

    def window(
        self,
        start: int,
        limit: int,
        types: Sequence[str] | None = None,
        backward: bool = False,
        turn: int | None = None,
    ) -> dict[str, Any]:
        """A page plus the index range it covers: ``{"events", "start", "end"}`` (``end`` exclusive).

        ``turn`` starts the page at that model turn instead of at ``start``.
        """
        if turn is not None:
            start = self.turn_start(int(turn))
        limit = max(1, min(int(limit), MAX_PAGE))
        events = self.page(start, limit, types, backward)
        full = len(events) == limit
        if backward:
            return {"events": events, "start": events[0]["i"] if full else 0, "end": start}
        last = events[-1]["i"] + 1 if events else start
        return {"events": events, "start": start, "end": last if full else max(last, self.seen)}

    def _payloads(self, events: Iterator[EventRecord], limit: int) -> list[dict[str, Any]]:
        taken = list(islice(events, limit))
        shas = attachment_shas(taken)
        heads = queries.blob_heads(self.store, shas, HEAD_BYTES) if shas else None
        labels = (
            annotations_sql.event_labels(self.store, self.record.id, taken[0].idx, taken[-1].idx + 1) if taken else {}
        )
        out = []
        for ev in taken:
            payload = event_payload(ev, CLIP_CHARS, heads)
            payload["turn"] = self.turn_of(ev.idx)
            if ev.idx in labels:
                payload["lb"] = labels[ev.idx]
            out.append(payload)
        return out

    def full_text(self, idx: int) -> dict[str, Any]:
        """Up to :data:`EXPAND_CHARS` of one event's main text, for "show all"."""
        body = event_body(self.record.event(idx), EXPAND_CHARS)
        return {"i": idx, "text": body.text, "n": body.full}

    def attachment(self, idx: int, k: int) -> tuple[dict[str, Any], bytes | None]:
        """The verdict on attachment ``k`` of event ``idx`` and the bytes to send with it: a raster
        image's or a file's (then sent as ``application/octet-stream``), decided from the bytes again."""
        ev = self.record.event(idx)
        ref = ev.attachments[k]
        sha = ref.get("sha256")
        stored = self.store.blob(str(sha)) if sha else None
        data = stored[1] if stored else None
        found = attachment_bytes(ref, data)
        head = data[:HEAD_BYTES] if data is not None else None
        answer = verdict(ref, head, f"attachment-{idx}-{k}")
        if found is None or answer["v"] not in ("image", "file"):
            return answer, None
        answer["mime"] = found[0]
        return answer, found[1]

    def search(self, text: str) -> list[int]:
        return queries.search(self.store, self.record.id, text) if text.strip() else []

    # --- live ----------------------------------------------------------------------------
    def poll(self) -> tuple[int, int] | None:
        """If the rollout changed since last asked: refresh and return (first new index, new count)."""
        state = self.store.rollout_status(self.record.id)
        if state is None:
            return None
        status, n = state
        if status == self.record.status and n == self.seen:
            return None
        before = self.seen
        self.record = self.record.refresh()
        now = self.seen = self.record.n_events
        rid = self.record.id
        turns, self._last_type = queries.turn_starts(self.store, rid, before, now, self._last_type)
        self._turns += turns
        self._points += queries.reward_points(self.store, rid, before, now)
        if self._finished is None:
            self._finished = queries.finished_index(self.store, rid)
        return before, now

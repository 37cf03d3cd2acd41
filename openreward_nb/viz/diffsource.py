"""What the diff view asks for, answered from one alignment: headers, counts, the reward chart,
pages of blocks (a fold of identical steps, or one row), the steps inside a fold, one event's text.

Everything before the first divergence is identical, so it is one fold (or at most two short
steps): the first page starts at the top, and the view scrolls to the divergence.

Events are read from the store only for the rows a page shows; each is the timeline's payload
(:func:`.payload.event_payload`), a changed step's with its marks. The widget, the static HTML
and the tests share these answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from ..alignment.align import Alignment, Block, Row
from ..records import EventRecord, RolloutRecord
from . import queries
from .attachments import HEAD_BYTES
from .body import event_body
from .diffmarks import pair_marks
from .payload import CLIP_CHARS, EXPAND_CHARS, attachment_shas, event_payload
from .source import bucket_points, header_fields

Side = Literal["a", "b"]
#: blocks in the first screen (sent with the widget's state)
FIRST_BLOCKS = 30
#: largest page of blocks one request may ask for
MAX_BLOCKS = 100
#: steps of a fold shown per request
FOLD_PAGE = 100
#: blocks shown before the one a jump (a click on the chart) goes to
CONTEXT = 2


def read_events(record: RolloutRecord, indices: Iterable[int]) -> dict[int, EventRecord]:
    """The events of ``record`` at ``indices`` (and no other: contents can be large), one query per run
    of consecutive indices."""
    wanted = sorted(set(indices))
    found: dict[int, EventRecord] = {}
    k = 0
    while k < len(wanted):
        end = k
        while end + 1 < len(wanted) and wanted[end + 1] == wanted[end] + 1:
            end += 1
        lo, hi = wanted[k], wanted[end] + 1
        found.update((ev.idx, ev) for ev in record.events(lo, hi, page_size=hi - lo))
        k = end + 1
    return found


class DiffSource:
    """One alignment's data as the diff view serves it."""

    def __init__(self, alignment: Alignment) -> None:
        self.alignment = alignment
        self.a, self.b = alignment.a, alignment.b

    # --- first screen ------------------------------------------------------------------
    def header(self) -> dict[str, Any]:
        return {"a": header_fields(self.a), "b": header_fields(self.b)}

    def summary(self) -> dict[str, Any]:
        """Counts of each op, and where the first divergence is (None when the rollouts do not diverge)."""
        al = self.alignment
        first = al.first
        where = None
        if first is not None:
            row = al.rows[first]
            where = {"row": first, "block": al.first_block, "op": row.op, "a": row.a, "b": row.b}
        return {"counts": dict(al.counts), "rows": len(al), "blocks": len(al.blocks), "first": where}

    def chart(self) -> dict[str, Any]:
        """Both rollouts' step and cumulative rewards along the aligned rows, and the first divergence's row."""
        al = self.alignment
        return {
            "a": bucket_points(al.rewards("a")),
            "b": bucket_points(al.rewards("b")),
            "rows": len(al),
            "first": al.first,
        }

    # --- pages -------------------------------------------------------------------------
    def window(self, start: int, limit: int) -> dict[str, Any]:
        """Blocks ``start`` on (at most ``limit``): ``{"blocks", "start", "end"}`` (``end`` exclusive)."""
        blocks = self.alignment.blocks
        start = max(0, min(int(start), len(blocks)))
        end = min(len(blocks), start + max(1, min(int(limit), MAX_BLOCKS)))
        chosen = list(enumerate(blocks[start:end], start))
        rows = [self.alignment.rows[blk.start] for _, blk in chosen if not blk.fold]
        events_a, events_b = self._events(rows)
        items = [self._block(bi, blk, events_a, events_b) for bi, blk in chosen]
        return {"blocks": items, "start": start, "end": end}

    def window_at_row(self, row: int, limit: int) -> dict[str, Any]:
        """A window opening a little before the block that holds ``row``, with that block as ``focus``."""
        focus = self.alignment.block_of(row)
        return {**self.window(max(0, focus - CONTEXT), limit), "focus": focus}

    def fold(self, block: int, start: int, limit: int) -> dict[str, Any]:
        """The identical steps of fold ``block`` from its ``start``-th on: A's events, each with B's index."""
        blk = self.alignment.blocks[int(block)]
        if not blk.fold:
            raise ValueError(f"block {block} is not a fold")
        lo = blk.start + max(0, int(start))
        hi = min(blk.stop, lo + max(1, min(int(limit), FOLD_PAGE)))
        rows = self.alignment.rows[lo:hi]
        events_a, _ = self._events(rows, sides=("a",))
        events = []
        for row in rows:
            payload = events_a[row.a] if row.a is not None else None
            if payload is not None:
                events.append({**payload, "bx": row.b})
        return {
            "block": int(block),
            "events": events,
            "start": lo - blk.start,
            "end": hi - blk.start,
            "n": blk.stop - blk.start,
        }

    def full_text(self, side: Side, idx: int) -> dict[str, Any]:
        """Up to :data:`.payload.EXPAND_CHARS` of one event's main text, for "show all"."""
        record = self.a if side == "a" else self.b
        body = event_body(record.event(int(idx)), EXPAND_CHARS)
        return {"side": side, "i": int(idx), "text": body.text, "n": body.full}

    # --- building blocks ---------------------------------------------------------------
    def _block(self, bi: int, blk: Block, events_a: dict[int, Any], events_b: dict[int, Any]) -> dict[str, Any]:
        rows = self.alignment.rows
        if blk.fold:
            first, last = rows[blk.start], rows[blk.stop - 1]
            return {"k": "fold", "bi": bi, "n": blk.stop - blk.start, "a": [first.a, last.a], "b": [first.b, last.b]}
        row = rows[blk.start]
        item: dict[str, Any] = {"k": row.op, "bi": bi, "r": blk.start, "s": row.similarity}
        if blk.start == self.alignment.first:
            item["first"] = True
        if row.op == "equal":
            item["a"] = {**events_a[row.a], "bx": row.b} if row.a is not None else None
            return item
        item["a"] = events_a.get(row.a) if row.a is not None else None
        item["b"] = events_b.get(row.b) if row.b is not None else None
        return item

    def _events(
        self, rows: list[Row], sides: tuple[Side, ...] = ("a", "b")
    ) -> tuple[dict[int, dict[str, Any]], dict[int, dict[str, Any]]]:
        """The payloads of the events ``rows`` show (A's only for equal rows), changed ones with their marks."""
        want_a = {r.a for r in rows if r.a is not None} if "a" in sides else set()
        want_b = {r.b for r in rows if r.b is not None and r.op != "equal"} if "b" in sides else set()
        read_a, read_b = read_events(self.a, want_a), read_events(self.b, want_b)
        heads = self._heads([*read_a.values(), *read_b.values()])
        out_a = {i: event_payload(ev, CLIP_CHARS, heads) for i, ev in read_a.items()}
        out_b = {i: event_payload(ev, CLIP_CHARS, heads) for i, ev in read_b.items()}
        for row in rows:
            if row.op == "changed" and row.a in read_a and row.b in read_b:
                ma, mb = pair_marks(read_a[row.a], read_b[row.b], CLIP_CHARS)
                for payload, marked in ((out_a[row.a], ma), (out_b[row.b], mb)):
                    for shown_instead in ("text", "md", "smd"):  # the marked body replaces them
                        payload.pop(shown_instead, None)
                    payload["mk"] = {"f": marked.format, "s": marked.segments, "n": marked.full}
        return out_a, out_b

    def _heads(self, events: list[EventRecord]) -> dict[str, bytes] | None:
        """The first bytes of the events' stored attachments (what tells an image from a file)."""
        shas = attachment_shas(events)
        if not shas:
            return None
        store_a, store_b = self.a.store, self.b.store
        heads = queries.blob_heads(store_a, shas, HEAD_BYTES)
        if store_b is not store_a:
            heads.update(queries.blob_heads(store_b, shas, HEAD_BYTES))
        return heads

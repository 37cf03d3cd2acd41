"""Cutting pending work into request bodies, and keeping each rollout's cursor moves in order.

A :class:`Chunk` is one rollout's part of a request: its start, its rollout_info update,
or a run of its events in index order. :func:`pack` puts ready chunks into bodies;
:class:`BatchStream` builds bodies on demand from stored rows, encoding events only when
a body is about to be sent, so encoding overlaps the server's work on earlier bodies. The
:class:`Ledger` turns answered runs into cursor moves only along each rollout's own
order, so a later run never moves a cursor past an earlier one not answered yet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .wire import BODY_START, payload

START, INFO, EVENTS = "start", "info", "events"
#: one encoded event: its bytes, or a view of them in the request body they were sent in
Part = bytes | memoryview


@dataclass(eq=False)
class Chunk:
    """One rollout's part of a request. For EVENTS: the indices sent and the cursor before and after."""

    rollout_id: str
    kind: str
    parts: list[Part]
    idxs: list[int] = field(default_factory=list)
    before: tuple[int, int] = (0, 0)  # the cursor (next_idx, n_sent) this run starts from
    sent_base: int = 0  # events counted as sent before this run (0 when a rollout is sent again from its start)
    info: str | None = None

    @property
    def size(self) -> int:
        return sum(map(len, self.parts)) + len(self.parts)

    @property
    def after(self) -> tuple[int, int]:
        """The cursor once this run is answered."""
        return (self.idxs[-1] + 1, self.sent_base + len(self.idxs))

    def halves(self) -> tuple[Chunk, Chunk]:
        """Two runs of events that together are this one."""
        k = len(self.parts) // 2
        first = Chunk(self.rollout_id, EVENTS, self.parts[:k], self.idxs[:k], self.before, self.sent_base)
        second = Chunk(self.rollout_id, EVENTS, self.parts[k:], self.idxs[k:], first.after, first.after[1])
        return first, second


@dataclass(eq=False)
class Batch:
    """Chunks sent together in one ``POST /v1/rollouts``."""

    chunks: list[Chunk]
    _body: bytes | None = field(default=None, init=False, repr=False)

    @property
    def n_events(self) -> int:
        return sum(len(c.idxs) for c in self.chunks)

    def body(self) -> bytes:
        """The request body, built once; the chunks' encoded events then become views into it, so a batch
        in flight holds its events once, not twice."""
        if self._body is None:
            chunks = self.chunks
            # the commonest: one rollout's run (and a list is joined faster than a generator)
            body = self._body = payload(chunks[0].parts if len(chunks) == 1 else [p for c in chunks for p in c.parts])
            view, at = memoryview(body), BODY_START
            for chunk in chunks:
                parts: list[Part] = []
                for part in chunk.parts:
                    end = at + len(part)
                    parts.append(view[at:end])
                    at = end + 1
                chunk.parts = parts
        return self._body

    def split(self) -> list[Batch]:
        """Smaller batches holding the same chunks (one per chunk, or a run cut in two); [] if it is one event."""
        if len(self.chunks) > 1:
            return [Batch([c]) for c in self.chunks]
        chunk = self.chunks[0]
        if chunk.kind == EVENTS and len(chunk.parts) > 1:
            return [Batch([half]) for half in chunk.halves()]
        return []


def pack(chunks: Iterable[Chunk], max_events: int, max_bytes: int) -> list[Batch]:
    """Ready chunks in order, packed greedily into batches of at most ``max_events`` items and ``max_bytes``."""
    batches: list[Batch] = []
    current: list[Chunk] = []
    n = size = 0
    for chunk in chunks:
        count, csize = len(chunk.parts), chunk.size
        if current and (n + count > max_events or size + csize > max_bytes):
            batches.append(Batch(current))
            current, n, size = [], 0, 0
        current.append(chunk)
        n += count
        size += csize
    if current:
        batches.append(Batch(current))
    return batches


class Ledger:
    """Each rollout's event runs in order; answered runs become cursor moves once all before them are answered."""

    def __init__(self) -> None:
        self._order: dict[str, list[Chunk]] = {}
        self._done: set[Chunk] = set()

    def add(self, chunk: Chunk) -> None:
        """A new run of a rollout's events, after every run added for it before."""
        self._order.setdefault(chunk.rollout_id, []).append(chunk)

    def replace(self, chunk: Chunk, parts: Iterable[Chunk]) -> None:
        """``chunk`` was cut into ``parts`` (in order)."""
        order = self._order.get(chunk.rollout_id)
        if order is not None and chunk in order:
            i = order.index(chunk)
            order[i : i + 1] = list(parts)

    def drop(self, rollout_id: str) -> None:
        """The rollout was refused: its cursor moves no further now."""
        self._order.pop(rollout_id, None)

    def answered(self, chunks: Iterable[Chunk]) -> list[tuple[str, tuple[int, int], tuple[int, int]]]:
        """Mark chunks answered; the (rollout, cursor before, cursor after) moves that became possible."""
        touched = []
        for chunk in chunks:
            if chunk.kind == EVENTS and chunk.rollout_id in self._order:
                self._done.add(chunk)
                touched.append(chunk.rollout_id)
        moves = []
        for rid in dict.fromkeys(touched):
            order = self._order[rid]
            k = 0
            while k < len(order) and order[k] in self._done:
                k += 1
            if k:
                moves.append((rid, order[0].before, order[k - 1].after))
                self._done.difference_update(order[:k])
                del order[:k]
        return moves


@dataclass
class Work:
    """What one rollout has to send in a round: maybe an info update, then ``count`` stored rows in index order,
    read as they are encoded (a round's rows are never all in memory)."""

    rollout_id: str
    info: Chunk | None
    count: int
    rows: Iterator[tuple[Any, ...]]
    encode: Callable[[tuple[Any, ...]], bytes]  # a stored row -> one encoded message event (row[0] is its index)
    before: tuple[int, int]
    sent_base: int


class BatchStream:
    """Batches built on demand from rollouts' work, each run of events registered with the ledger as it is cut."""

    def __init__(self, work: Iterable[Work], max_events: int, max_bytes: int, ledger: Ledger) -> None:
        self._items = self._parts(work)
        self._carry: tuple[Work, int | None, Part] | None = None
        self.max_events = max_events
        self.max_bytes = max_bytes
        self.ledger = ledger
        self._runs: dict[
            str, tuple[tuple[int, int], int]
        ] = {}  # rollout -> (cursor, sent count) its next run starts from

    @staticmethod
    def _parts(work: Iterable[Work]) -> Iterator[tuple[Work, int | None, Part]]:
        """(work, event index or None for the info update, encoded event), encoding lazily."""
        for w in work:
            if w.info is not None:
                yield w, None, w.info.parts[0]
            for row in w.rows:
                yield w, row[0], w.encode(row)

    def __iter__(self) -> BatchStream:
        return self

    def __next__(self) -> Batch:
        chunks: list[Chunk] = []
        count = size = 0
        while True:
            item = self._carry or next(self._items, None)
            self._carry = None
            if item is None:
                break
            w, idx, part = item
            if count and (count >= self.max_events or size + len(part) + 1 > self.max_bytes):
                self._carry = item
                break
            count += 1
            size += len(part) + 1
            if idx is None:
                chunks.append(w.info)  # type: ignore[arg-type]
            else:
                self._add_event(chunks, w, idx, part)
        if not chunks:
            raise StopIteration
        for chunk in chunks:
            if chunk.kind == EVENTS:  # the rollout's next run starts where this one ends
                self._runs[chunk.rollout_id] = (chunk.after, chunk.after[1])
        return Batch(chunks)

    def _add_event(self, chunks: list[Chunk], w: Work, idx: int, part: Part) -> None:
        last = chunks[-1] if chunks else None
        if last is not None and last.kind == EVENTS and last.rollout_id == w.rollout_id:
            last.parts.append(part)
            last.idxs.append(idx)
            return
        before, sent_base = self._runs.get(w.rollout_id, (w.before, w.sent_base))
        chunk = Chunk(w.rollout_id, EVENTS, [part], [idx], before, sent_base)
        chunks.append(chunk)
        self.ledger.add(chunk)

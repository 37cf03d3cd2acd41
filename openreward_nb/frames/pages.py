"""Paged reads for frames: rollouts by keyset, events in pages planned from the rollouts' event counts."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ..store.base import Store
from .filters import Where

#: rollouts read per query
ROLLOUTS_PER_PAGE = 5_000
#: events read per query (a page holds whole rollouts, or a slice of one larger rollout)
EVENTS_PER_PAGE = 50_000
#: rollouts whose events one query reads at most
ROLLOUTS_PER_EVENT_PAGE = 500


def rollout_pages(
    store: Store, select: str, where: Where, page_size: int = ROLLOUTS_PER_PAGE
) -> Iterator[list[tuple[Any, ...]]]:
    """Rows of ``SELECT {select}, r.seq FROM rollouts r`` matching ``where``, in creation order, a page at a time.

    Pages by ``seq`` (keyset), so each query is bounded; the ``seq`` is the last value of each row.
    """
    sql = store.translate(
        f"SELECT {select}, r.seq FROM rollouts r WHERE {where.sql} AND r.seq > ? ORDER BY r.seq LIMIT ?"
    )
    after = 0
    while True:
        rows = store.query(sql, (*where.params, after, page_size))
        yield rows
        if len(rows) < page_size:
            return
        after = rows[-1][-1]


def event_slices(sizes: Iterable[tuple[int, int]], page_size: int | None = None) -> Iterator[tuple[str, list[Any]]]:
    """From (rollout seq, event count) in order: SQL conditions on ``r.seq`` / ``e.idx`` each selecting
    about ``page_size`` events (default :data:`EVENTS_PER_PAGE`)."""
    size = page_size or EVENTS_PER_PAGE
    batch: list[int] = []
    total = 0
    for seq, n in sizes:
        if batch and (total + n > size or len(batch) == ROLLOUTS_PER_EVENT_PAGE):
            yield f"r.seq IN ({', '.join('?' * len(batch))})", batch
            batch, total = [], 0
        if n <= size:
            batch.append(seq)
            total += n
            continue
        for start in range(0, n, size):
            if start + size < n:
                yield "r.seq = ? AND e.idx >= ? AND e.idx < ?", [seq, start, start + size]
            else:  # the last slice is open-ended: it also takes events written since the count was read
                yield "r.seq = ? AND e.idx >= ?", [seq, start]
    if batch:
        yield f"r.seq IN ({', '.join('?' * len(batch))})", batch


@dataclass
class EventReads:
    """The queries reading a frame's events, in order, and how many events the store counts for them."""

    queries: list[tuple[str, list[Any]]]
    n_events: int


def plan_event_reads(
    store: Store, select: str, where: Where, types: Sequence[str] = (), page_size: int | None = None
) -> EventReads:
    """Queries of ``SELECT {select}`` over events joined to their rollout (``e``, ``r``), for rollouts matching ``where``.

    Their rows come in rollout creation order, then event index; each query reads about
    ``page_size`` events (default :data:`EVENTS_PER_PAGE`), planned from the rollouts'
    stored event counts.
    """
    type_sql = f" AND e.type IN ({', '.join('?' * len(types))})" if types else ""
    size = page_size or EVENTS_PER_PAGE
    # a count that is not a number (old or foreign data in SQLite) is taken as a page: the
    # rollout's events are then read by a query of their own, however many there are
    sizes = [
        (seq, n if type(n) is int else size) for page in rollout_pages(store, "r.n_events", where) for n, seq in page
    ]
    queries = [
        (
            store.translate(
                f"SELECT {select} FROM rollouts r {store.events_join_sql} "
                f"WHERE {condition}{type_sql} ORDER BY r.seq, e.idx"
            ),
            [*params, *types],
        )
        for condition, params in event_slices(sizes, size)
    ]
    return EventReads(queries, sum(n for _, n in sizes))

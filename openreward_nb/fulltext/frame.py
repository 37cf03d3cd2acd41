"""``search``: every rollout's events searched at once, as a DataFrame (one row per matching event,
or per rollout with its match count)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import pandas as pd

from ..errors import InvalidArgumentError
from ..events import EVENT_TYPES
from ..frames.build import build_frame
from ..frames.columns import Column
from ..frames.filters import Runs
from ..store.location import StoreSpec
from .engine import Searcher
from .hits import Hit
from .progress import SearchProgress
from .request import Filters, open_search
from .text import FIELDS

EVENT_COLUMNS: tuple[Column, ...] = (
    Column("run", "str", "r.run_name"),
    Column("rollout_id", "str", "e.rollout_id"),
    Column("rollout_name", "str", "r.rollout_name"),
    Column("idx", "int", "e.idx"),
    Column("type", "category", "e.type", EVENT_TYPES),
    Column("name", "str", "e.name"),
    Column("reward", "Float", "e.reward"),
    Column("total_reward", "Float", "r.total_reward"),
    Column("field", "category", "the field the match is in", FIELDS),
    Column("snippet", "str", "the text around the match"),
)
ROLLOUT_COLUMNS: tuple[Column, ...] = (
    Column("run", "str", "r.run_name"),
    Column("rollout_id", "str", "e.rollout_id"),
    Column("rollout_name", "str", "r.rollout_name"),
    Column("total_reward", "Float", "r.total_reward"),
    Column("matches", "int", "matching events in the rollout"),
    Column("first_idx", "int", "index of its first matching event"),
    Column("first_type", "category", "type of its first matching event", EVENT_TYPES),
    Column("snippet", "str", "the text around its first match"),
)
#: rollouts whose events one query counts
_COUNT_CHUNK = 500
BY = ("event", "rollout")


def search(
    query: str,
    *,
    runs: Runs = None,
    types: str | Iterable[str] | None = None,
    tool: str | None = None,
    split: str | Iterable[str] | None = None,
    status: str | Iterable[str] | None = None,
    min_reward: float | None = None,
    max_reward: float | None = None,
    metadata: Mapping[str, Any] | None = None,
    regex: bool = False,
    by: str = "event",
    limit: int = 1000,
    store: StoreSpec = None,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Events of every rollout whose text holds ``query``: one row per matching event, in the order
    they were recorded, at most ``limit``.

    What is searched: each event's content (messages, reasoning, tool arguments, tool results), its
    reasoning summary and its tool name. A plain query matches a substring in any case, punctuation
    and all (``flag{``, ``rm -rf /``) and in any script; ``regex=True`` takes a Python regular
    expression as written (``(?i)`` for any case). Columns: ``run``, ``rollout_id``,
    ``rollout_name``, ``idx``, ``type``, ``name``, ``reward`` (the event's), ``total_reward`` (its
    rollout's), ``field`` (where the match is) and ``snippet`` (the text around the match).

    ``by="rollout"``: one row per rollout (the first ``limit`` to match), with ``matches`` (its
    matching events), ``first_idx``, ``first_type`` and the ``snippet`` of its first match.

    Filters, applied in the database: ``runs`` (a name or names), ``types`` (event types), ``tool``
    (a tool's calls and their results), ``split``, ``status``, ``min_reward`` / ``max_reward`` (on
    the rollout's total reward) and ``metadata`` (a dict of rollout metadata that must be equal).

    Uses the store's search index (built on the first search of a store that has none, with a
    progress bar); queries of one or two characters, regular expressions without a literal part and
    stores it cannot be built in are answered by reading every event, with a progress bar
    (``progress=False``: none).
    """
    if by not in BY:
        raise InvalidArgumentError(f"by must be 'event' or 'rollout', got {by!r:.40}")
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise InvalidArgumentError(f"limit must be a whole number of at least 1, got {limit!r:.40}")
    bar = SearchProgress(progress)
    filters = Filters(runs, types, tool, split, status, min_reward, max_reward, metadata)
    searcher = open_search(query, regex=regex, filters=filters, store=store, on_progress=bar)
    try:
        searcher.ready()
        with searcher.store.snapshot():
            if by == "event":
                return build_frame(EVENT_COLUMNS, [[_event_row(h) for h in first_hits(searcher, limit)]])
            return build_frame(ROLLOUT_COLUMNS, [rollout_rows(searcher, limit)])
    finally:
        bar.close()


def first_hits(searcher: Searcher, limit: int, after: int = 0) -> Iterator[Hit]:
    """The first ``limit`` hits of a search after ``seq`` ``after``."""
    taken = 0
    for batch in searcher.batches(after):
        yield from batch[: limit - taken]
        taken += min(len(batch), limit - taken)
        if taken >= limit:
            return


def _event_row(h: Hit) -> tuple[Any, ...]:
    return (h.run, h.rollout_id, h.rollout_name, h.idx, h.type, h.name, h.reward, h.total_reward, h.field, h.snippet)


def rollout_rows(searcher: Searcher, limit: int) -> list[tuple[Any, ...]]:
    """One row per rollout, the first ``limit`` rollouts to match, each with its count of matching events.

    Hits come in recording order; once ``limit`` rollouts are found, the ones kept may still have
    matches further on, so their events are read again, rollout by rollout, to count them all.
    """
    first: dict[str, Hit] = {}
    counts: Counter[str] = Counter()
    complete = True
    for batch in searcher.batches():
        for hit in batch:
            if hit.rollout_id not in first:
                if len(first) == limit:
                    complete = False
                    break
                first[hit.rollout_id] = hit
            counts[hit.rollout_id] += 1
        if not complete:
            break
    if not complete:
        ids = list(first)
        counts = Counter(
            h.rollout_id
            for at in range(0, len(ids), _COUNT_CHUNK)
            for h in searcher.rollout_hits(ids[at : at + _COUNT_CHUNK])
        )
    return [
        (h.run, h.rollout_id, h.rollout_name, h.total_reward, counts[rid], h.idx, h.type, h.snippet)
        for rid, h in first.items()
    ]

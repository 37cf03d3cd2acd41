"""A search as a caller asks for it: the query, its filters and the store, checked and made a :class:`Searcher`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..frames.filters import Runs
from ..store.location import StoreSpec, open_store
from .engine import OnProgress, Searcher
from .filters import search_where
from .query import parse_query


@dataclass(frozen=True)
class Filters:
    """What a search is limited to (see :func:`openreward_nb.search`)."""

    runs: Runs = None
    types: str | Iterable[str] | None = None
    tool: str | None = None
    split: str | Iterable[str] | None = None
    status: str | Iterable[str] | None = None
    min_reward: float | None = None
    max_reward: float | None = None
    metadata: Mapping[str, Any] | None = None


def open_search(
    query: object,
    *,
    regex: bool = False,
    filters: Filters = Filters(),
    store: StoreSpec = None,
    on_progress: OnProgress | None = None,
) -> Searcher:
    """The search of ``query`` with ``filters`` in ``store`` (the project's by default, read-only);
    bad input raises InvalidArgumentError or NotFoundError before anything is read."""
    parsed = parse_query(query, regex=bool(regex))
    source = open_store(store, read_only=True)
    where = search_where(
        source,
        runs=filters.runs,
        types=filters.types,
        tool=filters.tool,
        split=filters.split,
        status=filters.status,
        min_reward=filters.min_reward,
        max_reward=filters.max_reward,
        metadata=filters.metadata,
    )
    return Searcher(source, parsed, where.sql, tuple(where.params), on_progress)

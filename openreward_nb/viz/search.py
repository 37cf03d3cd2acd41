"""``search_view``: search every rollout from a notebook, its results as static HTML and text, then live.

The static rendering holds the first :data:`STATIC_HITS` matches (read once, when the view is
shown); the live view searches again on its own thread and pages through every match.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict
from functools import cached_property
from typing import Any

from ..frames.filters import Runs
from ..fulltext.hits import Hit
from ..fulltext.request import Filters, open_search
from ..store.location import StoreSpec, open_store
from .searchtext import search_html, search_text
from .views import View

#: matches in the static rendering and the text view
STATIC_HITS = 50


class SearchView(View):
    """One search: its first matches as HTML and text; the live view runs it again and pages on."""

    def __init__(self, query: str, *, regex: bool, filters: Filters, store: StoreSpec) -> None:
        self.query = query
        self.regex = regex
        self.filters = filters
        self.store = open_store(store, read_only=True)
        # bad input fails here, at the call, before anything is shown
        self._searcher = open_search(query, regex=regex, filters=filters, store=self.store) if query else None

    @cached_property
    def _first(self) -> tuple[list[Hit], bool, str | None]:
        """The first matches, whether there are more, and why every event was read (if it was)."""
        from ..fulltext.frame import first_hits
        from ..fulltext.progress import SearchProgress

        if self._searcher is None:
            return [], False, None
        bar = SearchProgress()
        self._searcher.on_progress = bar
        try:
            self._searcher.ready()
            with self._searcher.store.snapshot():
                hits = list(first_hits(self._searcher, STATIC_HITS + 1))
        finally:
            bar.close()
        return hits[:STATIC_HITS], len(hits) > STATIC_HITS, self._searcher.scanned_because

    def _filters_text(self) -> str:
        given = {k: v for k, v in asdict(self.filters).items() if v is not None}
        parts = [f"{k}={v!r}" for k, v in given.items()]
        return ("regex · " if self.regex else "") + (" · ".join(parts) if parts else "every run")

    def widget(self) -> Any:
        from .searchwidget import SearchBrowser

        given = {k: v for k, v in asdict(self.filters).items() if v is not None and k != "metadata"}
        metadata = dict(self.filters.metadata) if self.filters.metadata is not None else None
        return SearchBrowser(self.store, query=self.query, regex=self.regex, filters=given, metadata=metadata)

    def static_html(self) -> str:
        hits, more, note = self._first
        return search_html(self.query, self._filters_text(), hits, more, note)

    def text(self) -> str:
        hits, more, note = self._first
        return search_text(self.query, hits, more, note)


def search_view(
    query: str = "",
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
    store: StoreSpec = None,
) -> SearchView:
    """Search every rollout in a view: a box with the filters as controls, the matches grouped by rollout
    with each highlighted in its snippet, counts per run, and, for the match clicked, its rollout's
    timeline opened at that event. Matches stream in page by page while the notebook stays free.

    Takes what :func:`openreward_nb.search` takes (``metadata`` limits every search of the view: it
    has no control of its own). Outside a live kernel: the first matches as HTML and text.
    """
    filters = Filters(runs, types, tool, split, status, min_reward, max_reward, metadata)
    return SearchView(query, regex=regex, filters=filters, store=store)

"""The live search view: a search box with the filters as controls, results streaming in grouped by
rollout, and the timeline of the result clicked, opened at its event.

A search runs on a thread of its own (the kernel stays free: other cells run, the box takes a new
query, which cancels the one running); its hits reach the browser in messages of
:data:`HITS_PER_MESSAGE`, up to :data:`PAGE` per page ("more" asks for the next page).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import closing
from typing import Any

import anywidget
import ipywidgets as widgets
import traitlets

from ..errors import OpenRewardNBError
from ..events import EVENT_TYPES
from ..frames.filters import STATUSES
from ..records import RolloutsAPI
from ..store.base import Store
from .assets import module, stylesheet
from .presentation import looks_data

#: hits per page of results (the "more" button asks for the next)
PAGE = 500
#: hits per message to the browser
HITS_PER_MESSAGE = 100
#: seconds between two progress messages
PROGRESS_EVERY_S = 0.2
#: the filters the view offers, as a search takes them
FILTER_KEYS = ("runs", "types", "tool", "split", "status", "min_reward", "max_reward")


def _clean_filters(raw: Any) -> dict[str, Any]:
    """The browser's filter values as :class:`~openreward_nb.fulltext.request.Filters` arguments (empty ones dropped)."""
    out: dict[str, Any] = {}
    if not isinstance(raw, dict):
        return out
    for key in FILTER_KEYS:
        value = raw.get(key)
        if value is None or value == "" or value == []:
            continue
        if key in ("min_reward", "max_reward"):
            try:
                value = float(value)
            except (TypeError, ValueError):
                value = str(value)  # not a number: the search names it in its error
        out[key] = value
    return out


class SearchWidget(anywidget.AnyWidget):
    """The box, the filters and the results; clicking a result sets :attr:`opened`."""

    _esm = module("search.js")
    _css = stylesheet("search.css")

    looks = traitlets.Dict().tag(sync=True)
    #: what the filter controls offer: {"runs": [...], "types": [...], "statuses": [...], "splits": [...]}
    options = traitlets.Dict().tag(sync=True)
    query = traitlets.Unicode("").tag(sync=True)
    regex = traitlets.Bool(False).tag(sync=True)
    filters = traitlets.Dict().tag(sync=True)
    #: the result clicked: {"rid", "i", "m", "n"} (rollout id, event index, the text matched, the click's number)
    opened = traitlets.Dict().tag(sync=True)

    def __init__(
        self,
        store: Store,
        *,
        query: str = "",
        regex: bool = False,
        filters: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self.store = store
        #: rollout metadata every search of this view is limited to (no control offers it)
        self.metadata = metadata
        self._job = 0
        self._lock = threading.Lock()
        self._resume: tuple[int, str, bool, dict[str, Any], int] | None = None
        super().__init__(
            looks=looks_data(),
            options=self._options(),
            query=query,
            regex=regex,
            filters={k: v for k, v in (filters or {}).items() if k in FILTER_KEYS},
        )
        self._clicks = 0
        self.on_msg(self._on_msg)  # the browser starts the search for ``query`` once it shows the view

    def _options(self) -> dict[str, Any]:
        splits = self.store.query(
            "SELECT DISTINCT split FROM rollouts WHERE split IS NOT NULL ORDER BY split LIMIT 200"
        )
        return {
            "runs": self.store.run_names(),
            "types": list(EVENT_TYPES),
            "statuses": list(STATUSES),
            "splits": [s for (s,) in splits],
        }

    # --- requests from the browser -----------------------------------------------------------
    def _on_msg(self, _widget: Any, content: dict[str, Any], _buffers: Any) -> None:
        kind = content.get("kind")
        if kind == "search":
            self.start(str(content.get("q") or ""), bool(content.get("regex")), content.get("filters"))
        elif kind == "more":
            self.more()
        elif kind == "cancel":
            self.cancel()
        elif kind == "open":
            self.choose(str(content.get("rid")), int(content.get("i") or 0), str(content.get("m") or ""))

    def more(self) -> int | None:
        """The next page of the last search's results (None when it has no more)."""
        if self._resume is None:
            return None
        job, query, regex, filters, after = self._resume
        return self._launch(query, regex, filters, after, append=True) if job == self._job else None

    def cancel(self) -> None:
        """Stop the search running (it ends at its next page of reads)."""
        with self._lock:
            self._job += 1

    def choose(self, rollout_id: str, idx: int, matched: str) -> None:
        """A result was clicked: set :attr:`opened` (a click on the same result again opens it again)."""
        self._clicks += 1
        self.opened = {"rid": rollout_id, "i": idx, "m": matched, "n": self._clicks}

    def start(self, query: str, regex: bool, filters: Any) -> int:
        """Search anew (the search running, if any, stops); returns the search's number."""
        clean = _clean_filters(filters)
        with self.hold_sync():
            self.query, self.regex, self.filters = query, regex, clean
        return self._launch(query, regex, clean, 0, append=False)

    def _launch(self, query: str, regex: bool, filters: dict[str, Any], after: int, *, append: bool) -> int:
        with self._lock:
            self._job += 1
            job = self._job
        self._resume = None
        thread = threading.Thread(
            target=self._run, args=(job, query, regex, filters, after, append), name="openreward_nb-search", daemon=True
        )
        thread.start()
        return job

    # --- the search, on its own thread ---------------------------------------------------------
    def _current(self, job: int) -> bool:
        return job == self._job

    def _run(self, job: int, query: str, regex: bool, filters: dict[str, Any], after: int, append: bool) -> None:
        from ..fulltext.request import Filters, open_search

        last_progress = [0.0]

        def progress(step: str, done: int, total: int) -> None:
            now = time.monotonic()
            if self._current(job) and (now - last_progress[0] >= PROGRESS_EVERY_S or done >= total):
                last_progress[0] = now
                self.send({"kind": "progress", "job": job, "step": step, "done": done, "total": total})

        try:
            self.send({"kind": "start", "job": job, "append": append})
            chosen = Filters(**filters, metadata=self.metadata)
            searcher = open_search(query, regex=regex, filters=chosen, store=self.store, on_progress=progress)
            note = searcher.scanned_because
            sent, last = 0, after
            with closing(searcher.batches(after)) as batches:
                for batch in batches:
                    if not self._current(job):
                        return
                    for at in range(0, len(batch), HITS_PER_MESSAGE):
                        chunk = batch[at : at + HITS_PER_MESSAGE][: PAGE - sent]
                        if not chunk:
                            break
                        self.send({"kind": "hits", "job": job, "hits": [h.payload() for h in chunk]})
                        sent += len(chunk)
                        last = chunk[-1].seq
                    if sent >= PAGE:
                        self._resume = (job, query, regex, filters, last)
                        self.send({"kind": "done", "job": job, "more": True, "note": note})
                        return
            self.send({"kind": "done", "job": job, "more": False, "note": note})
        except OpenRewardNBError as exc:
            self.send({"kind": "error", "job": job, "message": str(exc)})
        except Exception as exc:  # a bug or a store failure: said in the view, never raised into the kernel
            self.send({"kind": "error", "job": job, "message": f"{type(exc).__name__}: {exc}"})

    def close(self) -> None:
        with self._lock:
            self._job += 1  # a search still running stops at its next page
        super().close()


class SearchBrowser(widgets.VBox):
    """The search widget above the timeline of the result last clicked (opened at its event)."""

    def __init__(
        self,
        store: Store,
        *,
        query: str = "",
        regex: bool = False,
        filters: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self.store = store
        self.search = SearchWidget(store, query=query, regex=regex, filters=filters, metadata=metadata)
        self.slot = widgets.VBox()
        self.search.observe(self._opened, names="opened")
        super().__init__([self.search, self.slot])
        self.add_class("orw-search-browser")
        self.add_class("orw-live")

    def _opened(self, change: dict[str, Any]) -> None:
        chosen = change["new"] or {}
        if chosen.get("rid"):
            self.show_event(chosen["rid"], int(chosen.get("i", 0)), str(chosen.get("m", "")))

    def show_event(self, rollout_id: str, idx: int, matched: str = "") -> None:
        """Show rollout ``rollout_id``'s timeline at event ``idx``, ``matched`` highlighted there."""
        from .timeline import TimelineWidget

        record = RolloutsAPI(self.store).get(rollout_id)
        for child in self.slot.children:
            child.close()
        self.slot.children = (TimelineWidget(record, focus=(idx, matched)),)

    def close(self) -> None:
        for child in self.slot.children:
            child.close()
        self.search.close()
        super().close()


def search_box(on_search: Callable[[str], None], placeholder: str = "search every rollout…") -> widgets.HBox:
    """A text box and a button that call ``on_search(query)`` (on Enter or a click), for the
    dashboard and the run view."""
    text = widgets.Text(placeholder=placeholder, continuous_update=False, layout=widgets.Layout(width="260px"))
    button = widgets.Button(description="search", icon="search", layout=widgets.Layout(width="auto"))

    def fire(_: Any = None) -> None:
        if text.value.strip():
            on_search(text.value)

    text.observe(fire, names="value")
    button.on_click(fire)
    box = widgets.HBox([text, button])
    box.add_class("orw-search-box")
    return box

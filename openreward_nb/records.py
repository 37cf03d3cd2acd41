"""The read side: runs, rollouts and events as the store holds them, paged so nothing big sits in memory."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import DetachedRecordError, NotFoundError
from .events import Usage
from .references import find_rollout
from .store.base import Store
from .store.schema import TOKEN_COLUMNS

if TYPE_CHECKING:
    from .reports import Report

_JSON_ROLLOUT_FIELDS = ("metadata", "task_spec", "run_info", "rollout_info")


def _loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _no_flush() -> None:
    return None


@dataclass
class EventRecord:
    """One stored event."""

    rollout_id: str
    idx: int
    ts: float
    type: str
    kind: str | None
    content: str | None
    content_reference: str | None
    summary: str | None
    name: str | None
    call_id: str | None
    reward: float | None
    is_finished: bool
    is_error: bool | None
    metadata: dict | None
    model: str | None
    usage: Usage | None
    latency_ms: float | None
    stop_reason: str | None
    attachments: list[dict] = field(default_factory=list)
    _store: Store | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_row(cls, row: dict[str, Any], store: Store | None = None) -> EventRecord:
        tokens = [row[c] for c in TOKEN_COLUMNS]
        return cls(
            rollout_id=row["rollout_id"],
            idx=row["idx"],
            ts=row["ts"],
            type=row["type"],
            kind=row["kind"],
            content=row["content"],
            content_reference=row["content_reference"],
            summary=row["summary"],
            name=row["name"],
            call_id=row["call_id"],
            reward=row["reward"],
            is_finished=bool(row["is_finished"]),
            is_error=None if row["is_error"] is None else bool(row["is_error"]),
            metadata=_loads(row["metadata"]),
            model=row["model"],
            usage=None if all(t is None for t in tokens) else Usage(*tokens),
            latency_ms=row["latency_ms"],
            stop_reason=row["stop_reason"],
            attachments=_loads(row["attachments"]) or [],
            _store=store,
        )

    def raw(self) -> Any:
        """The raw provider payload this event came from (parsed JSON), if it was kept."""
        if self._store is None:
            return None
        return _loads(self._store.event_raw(self.rollout_id, self.idx))

    def attachment_bytes(self, i: int = 0) -> bytes | None:
        """The bytes of attachment ``i`` (None for a URL attachment)."""
        ref = self.attachments[i]
        if "sha256" not in ref or self._store is None:
            return None
        found = self._store.blob(ref["sha256"])
        return found[1] if found else None


@dataclass
class RolloutRecord:
    """One stored rollout with its aggregates; ``.events()`` pages through its events."""

    seq: int
    id: str
    run_name: str
    rollout_name: str | None
    environment: str | None
    variant: str | None
    split: str | None
    metadata: dict | None
    task_spec: dict | None
    run_info: dict | None
    rollout_info: dict | None
    status: str
    error: str | None
    created_at: float
    ended_at: float | None
    last_event_at: float | None
    n_events: int
    n_tool_calls: int
    n_turns: int
    n_errors: int
    total_reward: float | None
    final_reward: float | None
    max_reward: float | None
    is_finished: bool
    model: str | None
    input_tokens: int
    output_tokens: int
    reasoning_tokens: int
    cached_tokens: int
    cache_write_tokens: int
    _store: Store | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_row(cls, row: dict[str, Any], store: Store | None = None) -> RolloutRecord:
        values = dict(row)
        for key in _JSON_ROLLOUT_FIELDS:
            values[key] = _loads(values[key])
        values["is_finished"] = bool(values["is_finished"])
        return cls(**values, _store=store)

    @property
    def duration_s(self) -> float | None:
        """Seconds from creation to end (to the last event while still running)."""
        end = self.ended_at if self.ended_at is not None else self.last_event_at
        return None if end is None else max(0.0, end - self.created_at)

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    def events(
        self,
        start: int = 0,
        stop: int | None = None,
        *,
        types: Sequence[str] | None = None,
        page_size: int = 1000,
    ) -> Iterator[EventRecord]:
        """Events ``start <= idx < stop`` in order, fetched ``page_size`` at a time."""
        store = _attached(self._store)
        position = start
        while True:
            rows = store.events_page(self.id, start=position, stop=stop, limit=page_size, types=types)
            for row in rows:
                yield EventRecord.from_row(row, store)
            if len(rows) < page_size:
                return
            position = rows[-1]["idx"] + 1

    def event(self, idx: int) -> EventRecord:
        """The event at index ``idx``."""
        for ev in self.events(idx, idx + 1):
            return ev
        raise NotFoundError(f"rollout {self.id} has no event {idx} (it has {self.n_events})")

    def store(self) -> Store:
        """The store this record reads from (for the views' own queries)."""
        return _attached(self._store)

    def refresh(self) -> RolloutRecord:
        """A fresh copy of this record from the store."""
        row = _attached(self._store).get_rollout(self.id)
        if row is None:
            raise NotFoundError(f"rollout {self.id} is no longer in the store")
        return RolloutRecord.from_row(row, self._store)

    def to_html(self, path: str | os.PathLike[str], **options: Any) -> Report:
        """Write this rollout's timeline as one HTML file that opens in any browser, offline; returns
        a :class:`~openreward_nb.reports.Report`. Options: ``title``, ``max_events``, ``image_mb``."""
        from .reports import rollout_report

        return rollout_report(self, path, **options)

    def show(self, live: bool | None = None) -> None:
        """Display the timeline widget (``live``: follow new events; default while the rollout is running)."""
        from .viz.views import RolloutView

        RolloutView(self, live).show()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        from .viz.views import RolloutView

        return RolloutView(self)._repr_mimebundle_(include, exclude)

    def _ipython_display_(self) -> None:
        from .viz.views import RolloutView

        RolloutView(self).show()


@dataclass
class RunRecord:
    """A run: a name grouping rollouts, with counts and mean reward."""

    name: str
    created_at: float
    n_rollouts: int
    n_running: int
    n_finished: int
    n_failed: int
    n_events: int
    mean_reward: float | None
    last_event_at: float | None
    _store: Store | None = field(default=None, repr=False, compare=False)

    def rollouts(self, *, status: str | None = None, page_size: int = 500) -> Iterator[RolloutRecord]:
        """This run's rollouts in creation order, fetched ``page_size`` at a time."""
        return iter_rollouts(_attached(self._store), run=self.name, status=status, page_size=page_size)

    def store(self) -> Store:
        """The store this run is read from (for the views' own queries)."""
        return _attached(self._store)

    def refresh(self) -> RunRecord:
        """A fresh copy of this record from the store."""
        rows = _attached(self._store).list_runs(self.name)
        if not rows:
            raise NotFoundError(f"run {self.name!r} is no longer in the store")
        return RunRecord(**rows[0], _store=self._store)

    def to_pandas(self, level: str = "rollouts", **filters: Any) -> Any:
        """This run as a DataFrame: ``level`` is "runs", "rollouts" (default), "events" or "tool_calls".

        Takes the filters of ``openreward_nb.rollouts_df`` (``split=``, ``status=``, ...); needs pandas.
        """
        from .frames import frame_at

        return frame_at(level, self.name, store=_attached(self._store), **filters)

    def to_html(self, path: str | os.PathLike[str], **options: Any) -> Report:
        """Write this run as one HTML file that opens in any browser, offline (see :func:`openreward_nb.report`,
        whose options and filters it takes); returns a :class:`~openreward_nb.reports.Report`."""
        from .reports import report

        return report(self.name, path, store=_attached(self._store), **options)

    def show(self) -> None:
        """Display the run browser: rollouts table, reward histogram and curve, timeline of the selected rollout."""
        from .viz.views import RunView

        RunView(self).show()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        from .viz.views import RunView

        return RunView(self)._repr_mimebundle_(include, exclude)

    def _ipython_display_(self) -> None:
        from .viz.views import RunView

        RunView(self).show()


def _attached(store: Store | None) -> Store:
    if store is None:
        raise DetachedRecordError("this record is detached from its store")
    return store


def iter_rollouts(
    store: Store, *, run: str | None = None, status: str | None = None, page_size: int = 500
) -> Iterator[RolloutRecord]:
    """Page through rollouts (of one run, of one status) in creation order."""
    where, params = "", []
    if run is not None:
        where += "run_name = ? AND "
        params.append(run)
    if status is not None:
        where += "status = ? AND "
        params.append(status)
    after = 0
    while True:
        rows = store.rollouts_page(after_seq=after, limit=page_size, where=where, params=params)
        for row in rows:
            yield RolloutRecord.from_row(row, store)
        if len(rows) < page_size:
            return
        after = rows[-1]["seq"]


def _names_hint(names: Sequence[str]) -> str:
    if not names:
        return "the store has no runs yet"
    shown = ", ".join(repr(n) for n in names[:20])
    more = f" and {len(names) - 20} more" if len(names) > 20 else ""
    return f"runs in the store: {shown}{more}"


class RunsAPI:
    """``client.runs``: the runs in a store."""

    def __init__(self, store: Store, before_read: Callable[[], None] = _no_flush) -> None:
        self._store = store
        self._before_read = before_read

    def list(self) -> list[RunRecord]:
        """Every run, oldest first, with its counts."""
        self._before_read()
        return [RunRecord(**row, _store=self._store) for row in self._store.list_runs()]

    def names(self) -> list[str]:
        """Run names, oldest first."""
        self._before_read()
        return self._store.run_names()

    def get(self, name: str) -> RunRecord:
        """The run called ``name``; NotFoundError lists the runs that exist."""
        self._before_read()
        rows = self._store.list_runs(name)
        if not rows:
            raise NotFoundError(f"no run named {name!r}; {_names_hint(self._store.run_names())}")
        return RunRecord(**rows[0], _store=self._store)

    def __iter__(self) -> Iterator[RunRecord]:
        return iter(self.list())


class RolloutsAPI:
    """``client.rollouts``: rollouts by id, or all of them paged."""

    def __init__(self, store: Store, before_read: Callable[[], None] = _no_flush) -> None:
        self._store = store
        self._before_read = before_read

    def get(self, rollout: str) -> RolloutRecord:
        """A rollout by id, unique id prefix, or ``RUN/ROLLOUT_NAME`` (the latest of that name)."""
        self._before_read()
        return RolloutRecord.from_row(find_rollout(self._store, rollout), self._store)

    def iter(
        self, *, run: str | None = None, status: str | None = None, page_size: int = 500
    ) -> Iterator[RolloutRecord]:
        """All rollouts (of one run, of one status), in creation order."""
        self._before_read()
        return iter_rollouts(self._store, run=run, status=status, page_size=page_size)

"""The read side: runs, rollouts and events as the store holds them, paged so nothing big sits in memory."""

from __future__ import annotations

import builtins
import json
import math
import os
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import DetachedRecordError, NotFoundError, UnreadableValueWarning
from .events import Usage
from .limits import MAX_TIMESTAMP_S
from .references import find_rollout
from .safe_text import terminal_line
from .store.base import Store
from .store.schema import TOKEN_COLUMNS

if TYPE_CHECKING:
    from .annotations import Annotation
    from .reports import Report

_JSON_ROLLOUT_FIELDS = ("metadata", "task_spec", "run_info", "rollout_info")
_TIME_ROLLOUT_FIELDS = ("created_at", "ended_at", "last_event_at")
_warned: set[str] = set()
_warned_lock = threading.Lock()


def _unreadable(where: str, field_name: str, why: str) -> None:
    """Warn, once per rollout (or run), that one of its stored values cannot be read and shows as missing."""
    with _warned_lock:
        if where in _warned:
            return
        _warned.add(where)
    warnings.warn(
        f"openreward_nb: {terminal_line(where, 300)} has a value that cannot be read ({field_name}: {why}); "
        "it shows as missing",
        UnreadableValueWarning,
        stacklevel=4,
    )


def _json(text: Any, where: str, field_name: str) -> Any:
    """A stored JSON value parsed; None (and a warning) when it is not valid JSON."""
    if text is None:
        return None
    try:
        return json.loads(text, parse_constant=str)  # a bare NaN / Infinity reads as the API stores one
    except (ValueError, TypeError) as exc:
        _unreadable(where, field_name, f"not valid JSON: {exc}")
        return None


def _time(value: Any, where: str, field_name: str) -> float | None:
    """A stored time (seconds since 1970); None (and a warning) when no datetime can hold it."""
    if value is None:
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = math.nan
    if not -MAX_TIMESTAMP_S <= seconds <= MAX_TIMESTAMP_S:
        _unreadable(where, field_name, f"{terminal_line(value, 40)} is no time a datetime can hold")
        return None
    return seconds


def _no_flush() -> None:
    return None


@dataclass
class EventRecord:
    """One stored event."""

    rollout_id: str
    idx: int
    ts: float | None
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
    metadata: dict[str, Any] | None
    model: str | None
    usage: Usage | None
    latency_ms: float | None
    stop_reason: str | None
    attachments: list[dict[str, Any]] = field(default_factory=list)
    _store: Store | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_row(cls, row: dict[str, Any], store: Store | None = None) -> EventRecord:
        """A record from a store row; a value that cannot be read shows as None (with a warning naming the rollout)."""
        tokens = [row[c] for c in TOKEN_COLUMNS]
        where = f"rollout {row['rollout_id']}"
        attachments = _json(row["attachments"], where, f"event {row['idx']} attachments")
        return cls(
            rollout_id=row["rollout_id"],
            idx=row["idx"],
            ts=_time(row["ts"], where, f"event {row['idx']} ts"),
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
            metadata=_json(row["metadata"], where, f"event {row['idx']} metadata"),
            model=row["model"],
            usage=None if all(t is None for t in tokens) else Usage(*tokens),
            latency_ms=row["latency_ms"],
            stop_reason=row["stop_reason"],
            attachments=attachments if isinstance(attachments, list) else [],
            _store=store,
        )

    @property
    def store(self) -> Store:
        """The store this record was read from (DetachedRecordError without one)."""
        return _attached(self._store)

    def raw(self) -> Any:
        """The raw provider payload this event came from (parsed JSON), if it was kept."""
        if self._store is None:
            return None
        where, field_name = f"rollout {self.rollout_id}", f"event {self.idx} raw"
        try:
            text = self._store.event_raw(self.rollout_id, self.idx)
        except ValueError as exc:
            _unreadable(where, field_name, str(exc))
            return None
        return _json(text, where, field_name)

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
    metadata: dict[str, Any] | None
    task_spec: dict[str, Any] | None
    run_info: dict[str, Any] | None
    rollout_info: dict[str, Any] | None
    status: str
    error: str | None
    created_at: float | None
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
        """A record from a store row; a value that cannot be read shows as None (with a warning naming the rollout)."""
        values = dict(row)
        where = f"rollout {values['id']}"
        for key in _JSON_ROLLOUT_FIELDS:
            parsed = _json(values[key], where, key)
            values[key] = parsed if parsed is None or isinstance(parsed, dict) else {"value": parsed}
        for key in _TIME_ROLLOUT_FIELDS:
            values[key] = _time(values[key], where, key)
        values["is_finished"] = bool(values["is_finished"])
        return cls(**values, _store=store)

    @property
    def store(self) -> Store:
        """The store this record was read from (DetachedRecordError without one)."""
        return _attached(self._store)

    @property
    def duration_s(self) -> float | None:
        """Seconds from creation to end (to the last event while still running)."""
        end = self.ended_at if self.ended_at is not None else self.last_event_at
        return None if end is None or self.created_at is None else max(0.0, end - self.created_at)

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

    def refresh(self) -> RolloutRecord:
        """A fresh copy of this record from the store."""
        row = _attached(self._store).get_rollout(self.id)
        if row is None:
            raise NotFoundError(f"rollout {self.id} is no longer in the store")
        return RolloutRecord.from_row(row, self._store)

    # --- annotations (openreward_nb.annotations) ---------------------------------------
    def annotate(
        self,
        label: str | None = None,
        *,
        note: str | None = None,
        score: float | None = None,
        event: int | None = None,
        author: str | None = None,
    ) -> Annotation:
        """Label this rollout (``event``: the index of one of its events, to label that step).

        A label, a note and a score (a finite number), any of them; several per rollout
        and per event. ``author`` defaults to ``$OPENREWARD_NB_AUTHOR``, else the OS user.
        Written at once, in one transaction; an unknown event, an empty label or a score
        that is not a finite number raises and writes nothing. Returns the
        :class:`~openreward_nb.annotations.Annotation` (``.edit(...)``, ``.remove()``).
        """
        from .annotations.api import annotate

        return annotate(self.store, self.id, label, note=note, score=score, event=event, author=author)

    def annotations(self) -> list[Annotation]:
        """This rollout's annotations (on it as a whole, ``event`` None, and on its events), oldest first."""
        from .annotations.sql import of_rollout

        return of_rollout(self.store, self.id)

    def remove_label(self, label: str, *, event: int | None = None, author: str | None = None) -> int:
        """Remove ``author``'s (default: your) ``label`` from this rollout or its event ``event``; returns how many went."""
        from .annotations.api import remove_label

        return remove_label(self.store, self.id, label, event=event, author=author)

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
    created_at: float | None
    n_rollouts: int
    n_running: int
    n_finished: int
    n_failed: int
    n_events: int
    mean_reward: float | None
    last_event_at: float | None
    _store: Store | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_row(cls, row: dict[str, Any], store: Store | None = None) -> RunRecord:
        """A record from :meth:`Store.list_runs`; a time that cannot be read shows as None (with a warning)."""
        values = dict(row)
        for key in ("created_at", "last_event_at"):
            values[key] = _time(values[key], f"run {values['name']!r}", key)
        return cls(**values, _store=store)

    @property
    def store(self) -> Store:
        """The store this record was read from (DetachedRecordError without one)."""
        return _attached(self._store)

    def rollouts(self, *, status: str | None = None, page_size: int = 500) -> Iterator[RolloutRecord]:
        """This run's rollouts in creation order, fetched ``page_size`` at a time."""
        return iter_rollouts(_attached(self._store), run=self.name, status=status, page_size=page_size)

    def refresh(self) -> RunRecord:
        """A fresh copy of this record from the store."""
        rows = _attached(self._store).list_runs(self.name)
        if not rows:
            raise NotFoundError(f"run {self.name!r} is no longer in the store")
        return RunRecord.from_row(rows[0], self._store)

    def label_set(self) -> list[str]:
        """The labels this run's view offers on number keys (a default set until one is stored)."""
        from .annotations.api import label_set

        return label_set(_attached(self._store), self.name)

    def set_label_set(self, labels: Sequence[str] | None) -> list[str]:
        """Store the labels this run's view offers on number keys 1-9 (None: back to the default set)."""
        from .annotations.api import set_label_set

        return set_label_set(_attached(self._store), self.name, labels)

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
    where, params = "", list[Any]()
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
        return [RunRecord.from_row(row, self._store) for row in self._store.list_runs()]

    def names(self) -> builtins.list[str]:
        """Run names, oldest first."""
        self._before_read()
        return self._store.run_names()

    def get(self, name: str) -> RunRecord:
        """The run called ``name``; NotFoundError lists the runs that exist."""
        self._before_read()
        rows = self._store.list_runs(name)
        if not rows:
            raise NotFoundError(f"no run named {name!r}; {_names_hint(self._store.run_names())}")
        return RunRecord.from_row(rows[0], self._store)

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

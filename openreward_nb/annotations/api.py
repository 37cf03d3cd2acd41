"""Annotating from Python: ``rollout.annotate(...)``, edits and removals, ``client.annotations``, label sets.

Each call checks every value first, then writes in one transaction: a bad value or an
unknown rollout or event raises, naming it, and nothing is written.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable
from typing import Any

from ..errors import NotFoundError
from ..store.base import Store
from . import sql
from .model import (
    DEFAULT_LABELS,
    KEEP,
    Annotation,
    author_or_default,
    check_content,
    check_event,
    check_label,
    check_label_set,
    check_note,
    check_optional_label,
    check_score,
)


def writable(store: Store) -> Store:
    """``store``, or the same store opened for writing when it was opened read-only (a SQLite file read by a view)."""
    from ..store.sqlite import SQLiteStore

    if isinstance(store, SQLiteStore) and store.read_only:
        from ..store.location import open_store

        return open_store(store.url)
    return store


def annotate(
    store: Store,
    rollout_id: str,
    label: str | None = None,
    *,
    note: str | None = None,
    score: float | None = None,
    event: int | None = None,
    author: str | None = None,
) -> Annotation:
    """Add an annotation to rollout ``rollout_id`` (or its event ``event``); see :meth:`RolloutRecord.annotate`."""
    checked_label, checked_note, checked_score = check_optional_label(label), check_note(note), check_score(score)
    check_content(checked_label, checked_note, checked_score)
    index = check_event(event)
    who = author_or_default(author)
    return sql.insert(writable(store), rollout_id, index, checked_label, checked_note, checked_score, who)


def edit(store: Store, annotation_id: str, *, label: Any = KEEP, note: Any = KEEP, score: Any = KEEP) -> Annotation:
    """Change an annotation's label, note or score (None clears one, :data:`KEEP` leaves it)."""
    current = sql.get(store, annotation_id)
    new_label = current.label if label is KEEP else check_optional_label(label)
    new_note = current.note if note is KEEP else check_note(note)
    new_score = current.score if score is KEEP else check_score(score)
    check_content(new_label, new_note, new_score)
    return sql.update(writable(store), annotation_id, new_label, new_note, new_score)


def remove(store: Store, annotation_id: str) -> None:
    """Delete one annotation; NotFoundError when there is none."""
    if not sql.delete(writable(store), str(annotation_id)):
        raise NotFoundError(f"no annotation {annotation_id!r} in {store.url}")


def remove_label(
    store: Store, rollout_id: str, label: str, *, event: int | None = None, author: str | None = None
) -> int:
    """Delete ``author``'s (default: yours) annotations with ``label`` on a rollout or one of its events; how many."""
    return sql.delete_label(
        writable(store), rollout_id, check_label(label), check_event(event), author_or_default(author)
    )


def label_set(store: Store, run: str) -> list[str]:
    """The labels ``run``'s views offer on number keys: its stored label set, else :data:`DEFAULT_LABELS`."""
    stored = sql.label_set(store, run)
    return list(DEFAULT_LABELS) if stored is None else stored


def set_label_set(store: Store, run: str, labels: Iterable[str] | None, *, author: str | None = None) -> list[str]:
    """Store ``run``'s label set (None: back to the default); returns the labels as stored."""
    checked = None if labels is None else check_label_set(labels)
    sql.save_label_set(writable(store), run, checked, author_or_default(author))
    return list(DEFAULT_LABELS) if checked is None else checked


def _no_flush() -> None:
    return None


class AnnotationsAPI:
    """``client.annotations``: every annotation in the store, edits, removals and label sets.

    Annotations are added with ``rollout.annotate(...)`` on a live rollout or a stored record.
    """

    def __init__(self, store: Store, before_read: Callable[[], None] = _no_flush) -> None:
        self._store = store
        self._before_read = before_read

    def get(self, annotation_id: str) -> Annotation:
        """One annotation by its id."""
        return sql.get(self._store, annotation_id)

    def list(
        self, *, run: str | None = None, rollout: str | None = None, label: str | None = None, author: str | None = None
    ) -> builtins.list[Annotation]:
        """Annotations (of one run, one rollout id, with one label, by one author), oldest first."""
        self._before_read()
        return sql.matching(self._store, run=run, rollout_id=rollout, label=label, author=author)

    def edit(self, annotation_id: str, *, label: Any = KEEP, note: Any = KEEP, score: Any = KEEP) -> Annotation:
        """Change an annotation's label, note or score (None clears one; at least one must remain)."""
        return edit(self._store, annotation_id, label=label, note=note, score=score)

    def remove(self, annotation_id: str) -> None:
        """Delete one annotation."""
        remove(self._store, annotation_id)

    def label_set(self, run: str) -> builtins.list[str]:
        """The labels run ``run``'s views offer on number keys (the default set until one is stored)."""
        self._before_read()
        return label_set(self._store, run)

    def set_label_set(self, run: str, labels: Iterable[str] | None) -> builtins.list[str]:
        """Store run ``run``'s label set (None: back to the default)."""
        self._before_read()
        return set_label_set(self._store, run, labels)

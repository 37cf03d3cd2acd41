"""What annotations ask of a store: every statement on the annotations and label_sets tables, in one place.

Writes run at once in one transaction each (:meth:`Store.write_now`), never through the
event writer's queue: a label is an edit a person makes, and the view that made it reads
it straight back. A write checks what it refers to inside its transaction, so a bad
reference writes nothing.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ..errors import NotFoundError, OpenRewardNBError, StoreWriteError
from ..store.base import Store
from .model import Annotation

T = TypeVar("T")

COLUMNS: tuple[str, ...] = ("id", "rollout_id", "idx", "label", "note", "score", "author", "created_at", "updated_at")
_SELECT = ", ".join(COLUMNS)
_INSERT = f"INSERT INTO annotations ({_SELECT}) VALUES ({', '.join('?' * len(COLUMNS))})"


def from_row(row: Sequence[Any], store: Store | None) -> Annotation:
    """An :class:`Annotation` from a row of :data:`COLUMNS`."""
    values = dict(zip(COLUMNS, row, strict=True))
    return Annotation(
        id=values["id"],
        rollout_id=values["rollout_id"],
        event=None if values["idx"] is None else int(values["idx"]),
        label=values["label"],
        note=values["note"],
        score=None if values["score"] is None else float(values["score"]),
        author=values["author"],
        created_at=float(values["created_at"]),
        updated_at=float(values["updated_at"]),
        _store=store,
    )


def _write(store: Store, work: Callable[[Any], T]) -> T:
    """``work(cursor)`` in one write transaction; a store failure is a StoreWriteError naming the store."""
    try:
        return store.write_now(work)
    except OpenRewardNBError:
        raise
    except Exception as exc:
        raise StoreWriteError(f"the annotation was not saved: {store.describe_error(exc)}") from exc


def _one(cur: Any, store: Store, sql: str, params: Sequence[Any]) -> Any:
    cur.execute(store.translate(sql), tuple(params))
    return cur.fetchone()


def _check_target(cur: Any, store: Store, rollout_id: str, event: int | None) -> None:
    """NotFoundError unless the rollout (and its event ``event``) is in the store."""
    found = _one(cur, store, "SELECT n_events FROM rollouts WHERE id = ?", (rollout_id,))
    if found is None:
        raise NotFoundError(f"no rollout {rollout_id!r} in {store.url}; nothing was annotated")
    if event is None:
        return
    if _one(cur, store, "SELECT 1 FROM events WHERE rollout_id = ? AND idx = ?", (rollout_id, event)) is None:
        n = int(found[0] or 0)
        held = f"its events are numbered 0 to {n - 1:,}" if n > 1 else "its one event is 0" if n else "it has none yet"
        raise NotFoundError(f"rollout {rollout_id} has no event {event} ({held}); nothing was annotated")


def insert(
    store: Store,
    rollout_id: str,
    event: int | None,
    label: str | None,
    note: str | None,
    score: float | None,
    author: str,
) -> Annotation:
    """Write a new annotation (values already checked); NotFoundError when its rollout or event is unknown."""
    now = time.time()
    row = (str(uuid.uuid4()), rollout_id, event, label, note, score, author, now, now)

    def work(cur: Any) -> None:
        _check_target(cur, store, rollout_id, event)
        cur.execute(store.translate(_INSERT), row)

    _write(store, work)
    return from_row(row, store)


def get(store: Store, annotation_id: str) -> Annotation:
    """One annotation by id; NotFoundError when there is none."""
    rows = store.query(store.translate(f"SELECT {_SELECT} FROM annotations WHERE id = ?"), (annotation_id,))
    if not rows:
        raise NotFoundError(f"no annotation {annotation_id!r} in {store.url}")
    return from_row(rows[0], store)


def update(store: Store, annotation_id: str, label: str | None, note: str | None, score: float | None) -> Annotation:
    """Set an annotation's label, note and score (its author and creation time stay)."""
    now = time.time()

    def work(cur: Any) -> Any:
        cur.execute(
            store.translate("UPDATE annotations SET label = ?, note = ?, score = ?, updated_at = ? WHERE id = ?"),
            (label, note, score, now, annotation_id),
        )
        return _one(cur, store, f"SELECT {_SELECT} FROM annotations WHERE id = ?", (annotation_id,))

    row = _write(store, work)
    if row is None:
        raise NotFoundError(f"no annotation {annotation_id!r} in {store.url}")
    return from_row(row, store)


def delete(store: Store, annotation_id: str) -> bool:
    """Delete one annotation; False when there was none."""

    def work(cur: Any) -> bool:
        cur.execute(store.translate("DELETE FROM annotations WHERE id = ?"), (annotation_id,))
        return bool(cur.rowcount)

    return _write(store, work)


def delete_label(store: Store, rollout_id: str, label: str, event: int | None, author: str) -> int:
    """Delete ``author``'s annotations carrying ``label`` on a rollout (or one of its events); how many went."""
    where, params = _on(rollout_id, event)

    def work(cur: Any) -> int:
        cur.execute(
            store.translate(f"DELETE FROM annotations WHERE {where} AND label = ? AND author = ?"),
            (*params, label, author),
        )
        return max(0, int(cur.rowcount))

    return _write(store, work)


def toggle(store: Store, rollout_id: str, label: str, author: str) -> bool:
    """``author``'s ``label`` on a rollout as a whole, on if it was off, off if it was on; True when now on."""
    now = time.time()

    def work(cur: Any) -> bool:
        _check_target(cur, store, rollout_id, None)
        cur.execute(
            store.translate(
                "DELETE FROM annotations WHERE rollout_id = ? AND idx IS NULL AND label = ? AND author = ?"
            ),
            (rollout_id, label, author),
        )
        if cur.rowcount > 0:
            return False
        cur.execute(
            store.translate(_INSERT), (str(uuid.uuid4()), rollout_id, None, label, None, None, author, now, now)
        )
        return True

    return _write(store, work)


def set_note(store: Store, rollout_id: str, note: str | None, author: str) -> None:
    """``author``'s note on a rollout as a whole (one per author: the note is replaced; None removes it)."""
    now = time.time()
    mine = "rollout_id = ? AND idx IS NULL AND label IS NULL AND score IS NULL AND author = ?"

    def work(cur: Any) -> None:
        _check_target(cur, store, rollout_id, None)
        if note is None:
            cur.execute(store.translate(f"DELETE FROM annotations WHERE {mine}"), (rollout_id, author))
            return
        cur.execute(
            store.translate(f"UPDATE annotations SET note = ?, updated_at = ? WHERE {mine}"),
            (note, now, rollout_id, author),
        )
        if cur.rowcount <= 0:
            cur.execute(
                store.translate(_INSERT), (str(uuid.uuid4()), rollout_id, None, None, note, None, author, now, now)
            )

    _write(store, work)


def _on(rollout_id: str, event: int | None) -> tuple[str, list[Any]]:
    if event is None:
        return "rollout_id = ? AND idx IS NULL", [rollout_id]
    return "rollout_id = ? AND idx = ?", [rollout_id, event]


def of_rollout(store: Store, rollout_id: str) -> list[Annotation]:
    """A rollout's annotations (on it as a whole and on its events), oldest first."""
    rows = store.query(
        store.translate(f"SELECT {_SELECT} FROM annotations WHERE rollout_id = ? ORDER BY created_at, id"),
        (rollout_id,),
    )
    return [from_row(row, store) for row in rows]


def matching(
    store: Store, *, run: str | None, rollout_id: str | None, label: str | None, author: str | None
) -> list[Annotation]:
    """Annotations of a run, a rollout, with a label, by an author (each optional), oldest first."""
    conditions, params = [], list[Any]()
    for column, value in (("r.run_name", run), ("a.rollout_id", rollout_id), ("a.label", label), ("a.author", author)):
        if value is not None:
            conditions.append(f"{column} = ?")
            params.append(value)
    where = " AND ".join(conditions) or "1 = 1"
    columns = ", ".join(f"a.{c}" for c in COLUMNS)
    sql = (
        f"SELECT {columns} FROM annotations a JOIN rollouts r ON r.id = a.rollout_id "
        f"WHERE {where} ORDER BY a.created_at, a.id"
    )
    return [from_row(row, store) for row in store.query(store.translate(sql), params)]


# --- what the views show ---------------------------------------------------------------------------
def run_marks(store: Store, run: str) -> dict[str, tuple[list[str], str | None]]:
    """For each rollout of ``run`` annotated as a whole: its labels (sorted) and its latest note."""
    sql = (
        "SELECT a.rollout_id, a.label, a.note FROM annotations a JOIN rollouts r ON r.id = a.rollout_id "
        "WHERE r.run_name = ? AND a.idx IS NULL ORDER BY a.updated_at, a.id"
    )
    return _marks(store.query(store.translate(sql), (run,)))


def rollout_marks(store: Store, rollout_id: str) -> tuple[list[str], str | None]:
    """One rollout's labels (sorted) and latest note, as a whole."""
    sql = "SELECT rollout_id, label, note FROM annotations WHERE rollout_id = ? AND idx IS NULL ORDER BY updated_at, id"
    return _marks(store.query(store.translate(sql), (rollout_id,))).get(rollout_id, ([], None))


def _marks(rows: Sequence[Sequence[Any]]) -> dict[str, tuple[list[str], str | None]]:
    labels: dict[str, set[str]] = {}
    notes: dict[str, str | None] = {}
    for rollout_id, label, note in rows:
        labels.setdefault(rollout_id, set())
        if label is not None:
            labels[rollout_id].add(label)
        if note is not None:
            notes[rollout_id] = note
    return {rid: (sorted(found), notes.get(rid)) for rid, found in labels.items()}


def event_labels(store: Store, rollout_id: str, start: int, stop: int) -> dict[int, list[str]]:
    """The labels of events ``start <= idx < stop`` of a rollout (sorted, each once), by index."""
    sql = (
        "SELECT idx, label FROM annotations WHERE rollout_id = ? AND idx >= ? AND idx < ? "
        "AND label IS NOT NULL ORDER BY idx, label"
    )
    found: dict[int, list[str]] = {}
    for idx, label in store.query(store.translate(sql), (rollout_id, start, stop)):
        labels = found.setdefault(int(idx), [])
        if label not in labels:
            labels.append(label)
    return found


def labelled_counts(store: Store) -> dict[str, int]:
    """For each run: how many of its rollouts carry a label as a whole."""
    sql = (
        "SELECT r.run_name, COUNT(DISTINCT a.rollout_id) FROM annotations a JOIN rollouts r ON r.id = a.rollout_id "
        "WHERE a.idx IS NULL AND a.label IS NOT NULL GROUP BY r.run_name"
    )
    return {run: int(n) for run, n in store.query(store.translate(sql))}


# --- a run's label set -------------------------------------------------------------------------------
def label_set(store: Store, run: str) -> list[str] | None:
    """The label set stored for ``run``, or None when it has none."""
    rows = store.query(store.translate("SELECT labels FROM label_sets WHERE run_name = ?"), (run,))
    if not rows:
        return None
    try:
        labels = json.loads(rows[0][0])
    except (TypeError, ValueError):
        return None
    return [str(label) for label in labels] if isinstance(labels, list) else None


def save_label_set(store: Store, run: str, labels: list[str] | None, author: str) -> None:
    """Store ``run``'s label set (None forgets it); NotFoundError when there is no such run."""
    now = time.time()

    def work(cur: Any) -> None:
        if _one(cur, store, "SELECT 1 FROM runs WHERE name = ?", (run,)) is None:
            raise NotFoundError(f"no run named {run!r} in {store.url}; its label set was not saved")
        if labels is None:
            cur.execute(store.translate("DELETE FROM label_sets WHERE run_name = ?"), (run,))
            return
        cur.execute(
            store.translate(
                "INSERT INTO label_sets (run_name, labels, author, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (run_name) DO UPDATE SET labels = excluded.labels, author = excluded.author, "
                "updated_at = excluded.updated_at"
            ),
            (run, json.dumps(labels, ensure_ascii=False), author, now),
        )

    _write(store, work)

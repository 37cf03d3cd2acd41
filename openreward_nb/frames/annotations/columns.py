"""The columns of ``annotations_df``, and the ``labels`` columns rollouts and events gain from annotations.

A rollout's labels are those given to it as a whole; an event's are those given to that
step. Each is read by a subquery per row in the store's own JSON aggregate
(:meth:`Store.text_array_sql`); a read keeps a constant instead while nothing of its grain
is labelled in the store, so reads cost nothing more until someone labels.
"""

from __future__ import annotations

from collections.abc import Sequence

from ...store.base import Store
from ..columns import Column

ANNOTATION_COLUMNS: tuple[Column, ...] = (
    Column("run", "str", "r.run_name"),
    Column("rollout_id", "str", "a.rollout_id"),
    Column("rollout_name", "str", "r.rollout_name"),
    # the labelled event's index; missing for an annotation of the rollout as a whole
    Column("idx", "Int", "a.idx"),
    Column("label", "str", "a.label"),
    Column("note", "str", "a.note"),
    Column("score", "Float", "a.score"),
    Column("author", "str", "a.author"),
    Column("created_at", "datetime", "a.created_at"),
    Column("updated_at", "datetime", "a.updated_at"),
    Column("annotation_id", "str", "a.id"),
)

#: how a ``labels`` column is declared (and read where nothing is labelled): no labels; a read
#: puts the store's own query in its place (:func:`reading_labels`)
NO_LABELS = "CAST(NULL AS TEXT)"
LABELS = "labels"

# the labels given to a rollout ``r`` as a whole, or to an event ``e``: one query each per row
_LABELS_OF = {
    "r": "SELECT DISTINCT l.label AS v FROM annotations l "
    "WHERE l.rollout_id = r.id AND l.idx IS NULL AND l.label IS NOT NULL",
    "e": "SELECT DISTINCT l.label AS v FROM annotations l "
    "WHERE l.rollout_id = e.rollout_id AND l.idx = e.idx AND l.label IS NOT NULL",
}


_STEP_LABELLED = "SELECT s.rollout_id FROM annotations s WHERE s.idx IS NOT NULL AND s.label IS NOT NULL"


def labels_column() -> Column:
    """The ``labels`` column as declared in a frame's columns (each row's labels, a sorted list)."""
    return Column(LABELS, "labels", NO_LABELS)


def reading_labels(columns: Sequence[Column], store: Store, of: str) -> tuple[Column, ...]:
    """``columns`` with the ``labels`` column (if any) read from ``store``'s annotations of each
    rollout (``of="r"``) or event (``of="e"``). It keeps the declared constant while nothing
    of that grain is labelled in the store: the read then costs nothing more."""
    if not any(c.name == LABELS for c in columns):
        return tuple(columns)
    grain = "idx IS NOT NULL" if of == "e" else "idx IS NULL"
    if not store.query(f"SELECT 1 FROM annotations WHERE {grain} AND label IS NOT NULL LIMIT 1"):
        return tuple(columns)
    sql = store.text_array_sql(_LABELS_OF[of])
    if of == "e":  # the query per event only for the rollouts with a labelled step (one hashed lookup the rest)
        sql = f"CASE WHEN e.rollout_id IN ({_STEP_LABELLED}) THEN {sql} END"
    return tuple(Column(c.name, c.kind, sql) if c.name == LABELS else c for c in columns)

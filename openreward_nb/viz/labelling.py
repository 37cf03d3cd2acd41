"""Labelling in the run view: each rollout's labels and note as table cells, and the kernel side of the keys.

The table's browser code (``table.js``) sends what a key asked for (toggle a label, write
a note, change the run's label set); this writes it to the store at once, as the person
running the kernel (``$OPENREWARD_NB_AUTHOR``, else the OS user), and answers with what
the store now holds for that row. Someone labelling the same run elsewhere keeps their
labels; each sees the other's after a refresh.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..annotations import api, sql
from ..annotations.model import check_label, check_note, default_author
from ..errors import OpenRewardNBError
from ..records import RunRecord
from .rows import Column
from .table import TableWidget

#: the run table's annotation columns: label chips (beside the rollout's name), and the latest note
LABELS_COLUMN: Column = ("labels", "labels", "labels")
NOTE_COLUMN: Column = ("note", "note", "text")
#: row keys the browser needs beyond the columns: the note a note key opens (the labeller's own)
LABEL_KEYS = ("my_note",)
#: the dashboard's runs table: how many of a run's rollouts carry a label
LABELLED_COLUMN: Column = ("labelled", "labelled", "int")


def with_label_columns(columns: Sequence[Column]) -> list[Column]:
    """A rollout table's columns with the labels second (in sight while labelling) and the note last."""
    return [*columns[:1], LABELS_COLUMN, *columns[1:], NOTE_COLUMN]


def _my_notes(store: Any, run: str | None, rollout_id: str | None, author: str) -> dict[str, str]:
    """The labeller's own latest note per rollout (of a run, or of one rollout)."""
    found = sql.matching(store, run=run, rollout_id=rollout_id, label=None, author=author)
    return {a.rollout_id: a.note for a in found if a.event is None and a.label is None and a.score is None and a.note}


def mark_run_rows(store: Any, run: str, rows: Sequence[dict[str, Any]]) -> None:
    """Give each row of ``run``'s rollouts its ``labels`` (sorted) and latest ``note`` (the run view's
    table, and the report's)."""
    marks = sql.run_marks(store, run)
    for row in rows:
        row["labels"], row["note"] = marks.get(row["id"], ([], None))


def mark_rows(run: RunRecord, rows: Sequence[dict[str, Any]], author: str | None = None) -> None:
    """Give each rollout row its ``labels`` (sorted), latest ``note`` and the labeller's own note (``my_note``)."""
    mark_run_rows(run.store, run.name, rows)
    mine = _my_notes(run.store, run.name, None, author or default_author())
    for row in rows:
        row["my_note"] = mine.get(row["id"])


def mark_runs(store: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Give each run row the number of its rollouts that carry a label (``labelled``)."""
    counts = sql.labelled_counts(store)
    for row in rows:
        row["labelled"] = counts.get(row["id"], 0)


class Labelling:
    """The keys of a run table: writes what they ask for and answers the browser with the row as stored.

    ``on_change(rollout_id)`` is called after a rollout's labels or note changed (the run
    view redraws the timeline showing it).
    """

    def __init__(self, table: TableWidget, run: RunRecord, on_change: Callable[[str], None] | None = None) -> None:
        self.table = table
        self.run = run
        self.author = default_author()
        self._on_change = on_change
        table.author = self.author
        table.labelling = True
        self.reload(run)
        table.on_msg(self._on_msg)

    def reload(self, run: RunRecord) -> None:
        """Follow ``run`` as read again: its label set may have changed elsewhere."""
        self.run = run
        self.table.label_set = api.label_set(run.store, run.name)

    def _on_msg(self, _widget: Any, content: dict[str, Any], _buffers: Any) -> None:
        try:
            self._answer(content)
        except OpenRewardNBError as exc:
            self.table.send({"kind": "error", "message": str(exc)})
        except Exception as exc:  # a view never raises into the kernel: say what failed
            self.table.send({"kind": "error", "message": f"{type(exc).__name__}: {exc}"})

    def _answer(self, content: dict[str, Any]) -> None:
        kind = content.get("kind")
        store = api.writable(self.run.store)
        if kind == "label_set":
            self.table.label_set = api.set_label_set(store, self.run.name, content.get("labels") or [])
            return
        rollout_id = str(content.get("id") or "")
        if kind == "toggle":
            sql.toggle(store, rollout_id, check_label(content.get("label")), self.author)
        elif kind == "note":
            sql.set_note(store, rollout_id, check_note(content.get("text")), self.author)
        else:
            raise ValueError(f"unknown request {kind!r}")
        self.send_marks(rollout_id)
        if self._on_change is not None:
            self._on_change(rollout_id)

    def send_marks(self, rollout_id: str) -> None:
        """Tell the browser (and the table's rows here) what the store holds for one rollout now."""
        labels, note = sql.rollout_marks(self.run.store, rollout_id)
        my_note = _my_notes(self.run.store, None, rollout_id, self.author).get(rollout_id)
        for row in self.table.rows:
            if row.get("id") == rollout_id:
                row.update(labels=labels, note=note, my_note=my_note)
        self.table.send({"kind": "marks", "id": rollout_id, "labels": labels, "note": note, "my_note": my_note})

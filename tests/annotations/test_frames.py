"""Annotations in the frames: annotations_df, the ``labels`` columns of rollouts and events, label filters
in SQL, the Arrow stream and the ADBC drivers, on both backends."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import openreward_nb as orn
from openreward_nb.frames import postgres_arrow, sqlite_arrow
from openreward_nb.frames.annotations import ANNOTATION_COLUMNS

from .conftest import Run


def _plain(values: pd.Series) -> list:
    """The values as Python objects, None for missing."""
    return [None if pd.isna(v) else v for v in values.astype(object)]


@pytest.fixture
def labelled(run: Run) -> Run:
    """ep0: good (twice, by two people) and a step labelled; ep1: a note alone; ep2: hacked and a step
    labelled; ep3: a step labelled, the rollout not."""
    get = run.client.rollouts.get
    get(run.ids[0]).annotate("good trajectory", score=1.0)
    get(run.ids[0]).annotate("good trajectory", author="alice")
    get(run.ids[0]).annotate("wrong tool", event=1, note="ls was enough")
    get(run.ids[0]).annotate("slow", event=1)
    get(run.ids[1]).annotate(note="looked fine")
    get(run.ids[2]).annotate("reward hacking")
    get(run.ids[2]).annotate("env bug", event=3)
    get(run.ids[3]).annotate("slow", event=2)
    return run


def test_rollouts_df_has_each_rollouts_labels(labelled: Run) -> None:
    df = orn.rollouts_df("ctf", store=labelled.client.store)
    assert df["labels"].tolist() == [("good trajectory",), (), ("reward hacking",), ()]
    assert list(df.columns).index("labels") == list(df.columns).index("error") + 1  # before the spread JSON
    assert df["labels"].dtype == object


def test_label_filters_select_rollouts(labelled: Run) -> None:
    store = labelled.client.store

    def names(**filters) -> list[str]:
        return orn.rollouts_df("ctf", store=store, **filters)["rollout_name"].tolist()

    assert names(label="good trajectory") == ["ep0"]
    assert names(label=["reward hacking", "good trajectory"]) == ["ep0", "ep2"]
    assert names(label="wrong tool") == []  # a step's label is the step's, not the rollout's
    assert names(unlabelled=True) == ["ep1", "ep3"]  # a note alone labels nothing
    assert names(unlabelled=False) == ["ep0", "ep2"]
    assert names(label="good trajectory", unlabelled=True) == []
    events = orn.events_df("ctf", store=store, unlabelled=True)
    assert set(events["rollout_id"]) == {labelled.ids[1], labelled.ids[3]}
    assert orn.runs_df(store=store, label="reward hacking")["n_rollouts"].tolist() == [1]
    with pytest.raises(TypeError, match="unlabelled takes True"):
        orn.rollouts_df("ctf", store=store, unlabelled="yes")


def test_events_df_has_each_events_labels(labelled: Run) -> None:
    ev = orn.events_df("ctf", store=labelled.client.store)
    labels = {(rid, idx): lb for rid, idx, lb in zip(ev["rollout_id"], ev["idx"], ev["labels"], strict=True) if lb}
    assert labels == {
        (labelled.ids[0], 1): ("slow", "wrong tool"),
        (labelled.ids[2], 3): ("env bug",),
        (labelled.ids[3], 2): ("slow",),  # a rollout whose steps alone are labelled
    }
    assert sum(1 for lb in ev["labels"] if lb == ()) == len(ev) - 3
    assert ev.explode("labels")["labels"].dropna().tolist() == ["slow", "wrong tool", "env bug", "slow"]


def test_each_grain_is_read_when_it_alone_is_labelled(run: Run) -> None:
    store = run.client.store
    run.client.rollouts.get(run.ids[0]).annotate("good trajectory")  # the rollout, not a step
    assert orn.rollouts_df("ctf", store=store)["labels"].tolist() == [("good trajectory",), (), (), ()]
    ev = orn.events_df("ctf", store=store)
    assert ev["labels"].map(len).sum() == 0 and len(ev) == 16
    run.client.rollouts.get(run.ids[0]).remove_label("good trajectory")
    run.client.rollouts.get(run.ids[1]).annotate("wrong tool", event=1)  # a step alone
    assert orn.events_df("ctf", store=store)["labels"].tolist()[4:8] == [(), ("wrong tool",), (), ()]
    assert orn.rollouts_df("ctf", store=store)["labels"].map(len).sum() == 0


def test_annotations_df_one_row_per_annotation(labelled: Run) -> None:
    store = labelled.client.store
    df = orn.annotations_df(store=store)
    assert list(df.columns) == [c.name for c in ANNOTATION_COLUMNS]
    assert list(zip(df["rollout_name"], _plain(df["idx"]), _plain(df["label"]), strict=True)) == [
        ("ep0", None, "good trajectory"),
        ("ep0", None, "good trajectory"),
        ("ep0", 1, "wrong tool"),
        ("ep0", 1, "slow"),
        ("ep1", None, None),
        ("ep2", None, "reward hacking"),
        ("ep2", 3, "env bug"),
        ("ep3", 2, "slow"),
    ]
    assert str(df["idx"].dtype) == "Int64" and str(df["score"].dtype) == "Float64"
    assert str(df["created_at"].dtype) == "datetime64[us, UTC]"
    assert df["author"].tolist().count("alice") == 1
    assert orn.annotations_df(store=store, label="good trajectory", author="alice")["author"].tolist() == ["alice"]
    assert orn.annotations_df(store=store, split="nowhere").empty
    joined = df.dropna(subset=["idx"]).merge(orn.events_df(store=store), on=["rollout_id", "idx"])
    assert joined["type"].tolist() == ["tool_call", "tool_call", "assistant_message", "tool_result"]
    empty = orn.annotations_df(store=store, label=[])
    assert empty.empty and list(empty.columns) == list(df.columns)
    assert (empty.dtypes == df.dtypes).all()


def test_export_jsonl_keeps_rollouts_carrying_the_labels(labelled: Run, tmp_path) -> None:
    store = labelled.client.store
    path = tmp_path / "good.jsonl"
    assert orn.export_jsonl("ctf", path, labels=["good trajectory"], store=store) == 1
    (line,) = [json.loads(text) for text in path.read_text().splitlines()]
    assert line["messages"][-1] == {"role": "assistant", "content": "answer 0"}
    assert orn.export_jsonl("ctf", path, labels="nothing", store=store) == 0
    assert orn.export_jsonl("ctf", path, unlabelled=True, store=store) == 2
    with pytest.raises(ValueError, match="labels= or label=, not both"):
        orn.export_jsonl("ctf", path, labels=["a"], label="b", store=store)


def test_the_arrow_stream_carries_the_labels_as_lists(labelled: Run) -> None:
    with orn.events_arrow("ctf", store=labelled.client.store) as reader:
        table = reader.read_all()
    assert str(table.schema.field("labels").type) == "list<item: large_string>"
    frame = orn.events_df("ctf", store=labelled.client.store)
    assert [tuple(labels) for labels in table.column("labels").to_pylist()] == frame["labels"].tolist()


def test_the_adbc_drivers_read_the_same_labels(labelled: Run, backend: str, monkeypatch: pytest.MonkeyPatch) -> None:
    store = labelled.client.store
    if backend == "sqlite":
        assert sqlite_arrow.available()
        monkeypatch.setattr(sqlite_arrow, "MIN_EVENTS", 10**12)
        plain = orn.events_df(store=store)
        monkeypatch.setattr(sqlite_arrow, "MIN_EVENTS", 0)
        taken = []
        real = sqlite_arrow.read_pages
        monkeypatch.setattr(sqlite_arrow, "read_pages", lambda *a: (taken.append(b) or b for b in real(*a)))
    else:
        assert postgres_arrow.available()
        monkeypatch.setattr(postgres_arrow, "available", lambda: False)
        plain = orn.events_df(store=store)
        monkeypatch.undo()
        taken = []
        real = postgres_arrow.read_pages
        monkeypatch.setattr(postgres_arrow, "read_pages", lambda *a: (taken.append(b) or b for b in real(*a)))
    fast = orn.events_df(store=store)
    assert taken, "the driver path was not taken"
    pd.testing.assert_frame_equal(fast, plain)
    assert fast["labels"].map(len).sum() == 4

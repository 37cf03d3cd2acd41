"""Annotating from Python, on both backends: several labels per rollout and per event, edits, removals,
authors, label sets, a live rollout still queued, and a store opened read-only."""

from __future__ import annotations

import getpass
import time

import pytest

from openreward_nb import OpenReward, UserMessage
from openreward_nb.annotations import DEFAULT_LABELS, KEEP, Annotation
from openreward_nb.store import open_store

from .conftest import Run, count_annotations


def test_labels_notes_and_scores_round_trip(run: Run) -> None:
    record = run.client.rollouts.get(run.ids[0])
    before = time.time()
    good = record.annotate("good trajectory", note="clean solve", score=0.9)
    hack = record.annotate("reward hacking")
    step = record.annotate("wrong tool", event=1, note="should have used cat")
    step_too = record.annotate("slow", event=1)
    scored = record.annotate(score=-1)  # a score alone
    assert good.rollout_id == record.id and good.event is None and good.author == "tester"
    assert before <= good.created_at == good.updated_at <= time.time()
    stored = run.client.rollouts.get(run.ids[0]).annotations()  # read back through a new record
    assert [(a.label, a.event, a.note, a.score) for a in stored] == [
        ("good trajectory", None, "clean solve", 0.9),
        ("reward hacking", None, None, None),
        ("wrong tool", 1, "should have used cat", None),
        ("slow", 1, None, None),
        (None, None, None, -1.0),
    ]
    assert [a.id for a in stored] == [a.id for a in (good, hack, step, step_too, scored)]
    assert run.client.annotations.get(step.id) == step
    assert run.client.rollouts.get(run.ids[1]).annotations() == []


def test_edit_keeps_what_is_not_given_and_remove_deletes(run: Run) -> None:
    record = run.client.rollouts.get(run.ids[0])
    first = record.annotate("env bug", note="the sandbox timed out")
    edited = first.edit(note=None, score=0.5)
    assert (edited.label, edited.note, edited.score, edited.author) == ("env bug", None, 0.5, "tester")
    assert edited.created_at == first.created_at and edited.updated_at >= first.updated_at
    relabelled = run.client.annotations.edit(first.id, label="flaky env", score=KEEP)
    assert (relabelled.label, relabelled.score) == ("flaky env", 0.5)
    assert run.client.annotations.get(first.id) == relabelled
    relabelled.remove()
    assert record.annotations() == []
    with pytest.raises(LookupError, match=f"no annotation '{first.id}'"):
        run.client.annotations.remove(first.id)


def test_remove_label_takes_only_the_authors_own(run: Run) -> None:
    record = run.client.rollouts.get(run.ids[2])
    record.annotate("good trajectory", author="alice")
    record.annotate("good trajectory")  # tester's
    record.annotate("good trajectory", event=0)
    assert record.remove_label("good trajectory") == 1
    assert [(a.author, a.event) for a in record.annotations()] == [("alice", None), ("tester", 0)]
    assert record.remove_label("good trajectory", event=0) == 1
    assert record.remove_label("good trajectory", author="alice") == 1
    assert record.annotations() == []


def test_author_is_the_variable_else_the_os_user(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    record = run.client.rollouts.get(run.ids[0])
    monkeypatch.setenv("OPENREWARD_NB_AUTHOR", "  maria  ")
    assert record.annotate("good trajectory").author == "maria"
    monkeypatch.delenv("OPENREWARD_NB_AUTHOR")
    assert record.annotate("good trajectory").author == getpass.getuser()
    assert record.annotate("good trajectory", author="reviewer-2").author == "reviewer-2"


def test_listing_by_run_rollout_label_and_author(run: Run) -> None:
    client = run.client
    client.rollouts.get(run.ids[0]).annotate("good trajectory")
    client.rollouts.get(run.ids[1]).annotate("good trajectory", author="alice")
    client.rollouts.get(run.ids[1]).annotate("env bug", event=2)
    other = client.rollout.create("other-run")
    other.log(UserMessage("hi"))
    other.annotate("good trajectory")
    labels = [(a.rollout_id, a.label) for a in client.annotations.list(run="ctf")]
    assert labels == [(run.ids[0], "good trajectory"), (run.ids[1], "good trajectory"), (run.ids[1], "env bug")]
    assert len(client.annotations.list(label="good trajectory")) == 3
    assert [a.rollout_id for a in client.annotations.list(author="alice")] == [run.ids[1]]
    assert [a.label for a in client.annotations.list(rollout=run.ids[1])] == ["good trajectory", "env bug"]


def test_a_live_rollout_is_annotated_while_its_creation_is_still_queued(client: OpenReward) -> None:
    rollout = client.rollout.create("live", rollout_name="r0")  # queued, not written yet
    rollout.log(UserMessage("one"))
    rollout.log(UserMessage("two"))
    note = rollout.annotate("wrong tool", event=1, note="queued a moment ago")
    assert isinstance(note, Annotation) and note.event == 1
    assert [a.id for a in rollout.annotations()] == [note.id]
    rollout.finish()
    assert client.rollouts.get(rollout.id).annotations()[0].note == "queued a moment ago"


def test_a_store_opened_for_reading_is_annotated_through_a_writer(store_url: str) -> None:
    writer = OpenReward(store=store_url)
    with writer.rollout.create("read-only-view") as r:
        r.log(UserMessage("hi"))
    writer.close()
    reader = OpenReward(store=store_url)  # reads open the store read-only (a SQLite file: mode=ro)
    record = reader.rollouts.get(r.id)
    record.annotate("good trajectory", event=0)
    assert [a.label for a in reader.rollouts.get(r.id).annotations()] == ["good trajectory"]


def test_label_sets_default_store_and_reset(run: Run) -> None:
    ctf = run.client.runs.get("ctf")
    assert ctf.label_set() == list(DEFAULT_LABELS)
    assert ctf.set_label_set([" solved ", "gave up", "solved", "cheated"]) == ["solved", "gave up", "cheated"]
    assert run.client.runs.get("ctf").label_set() == ["solved", "gave up", "cheated"]
    assert run.client.annotations.label_set("ctf") == ["solved", "gave up", "cheated"]
    assert run.client.annotations.set_label_set("ctf", []) == []
    assert ctf.label_set() == []
    assert ctf.set_label_set(None) == list(DEFAULT_LABELS)
    assert ctf.label_set() == list(DEFAULT_LABELS)
    assert count_annotations(run.client) == 0  # a label set labels nothing


def test_labels_written_by_one_client_are_read_by_another(run: Run, store_url: str) -> None:
    run.client.rollouts.get(run.ids[3]).annotate("reward hacking", note="edited the test")
    other = open_store(store_url, read_only=True)
    rows = other.query("SELECT label, note, author FROM annotations")
    assert rows == [("reward hacking", "edited the test", "tester")]

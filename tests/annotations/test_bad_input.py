"""Bad input: a clear error naming what was wrong, and nothing written, on both backends."""

from __future__ import annotations

import math

import numpy as np
import pytest

from openreward_nb import InvalidArgumentError, NotFoundError
from openreward_nb.annotations import api
from openreward_nb.limits import MAX_LABEL_CHARS, MAX_LABEL_SET

from .conftest import Run, count_annotations


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"label": ""}, "label must not be empty"),
        ({"label": "   ", "note": "a note does not make an empty label fine"}, "label must not be empty"),
        ({}, "needs a label, a note or a score"),
        ({"note": "   "}, "needs a label, a note or a score"),
        ({"score": math.nan}, "score must be a finite number, got nan"),
        ({"score": math.inf}, "score must be a finite number, got inf"),
        ({"score": np.float64("-inf")}, "score must be a finite number"),
        ({"label": "x", "score": True}, "score must be a finite number, got bool"),
        ({"label": "x", "score": "0.5"}, "score must be a finite number, got str"),
        ({"label": 3}, "label must be text, got int"),
        ({"label": "two\nlines"}, "holds a control character"),
        ({"label": "x" * (MAX_LABEL_CHARS + 1)}, "a store takes at most 256"),
        ({"label": "x", "event": 1.5}, "event must be an event's index"),
        ({"label": "x", "event": True}, "event must be an event's index"),
        ({"label": "x", "author": ""}, "author must be a name"),
    ],
)
def test_bad_values_are_refused_before_anything_is_written(run: Run, kwargs: dict, message: str) -> None:
    record = run.client.rollouts.get(run.ids[0])
    with pytest.raises(InvalidArgumentError, match=message):
        record.annotate(**kwargs)
    assert count_annotations(run.client) == 0


def test_an_unknown_event_index_names_the_events_there_are(run: Run) -> None:
    record = run.client.rollouts.get(run.ids[0])
    for index in (4, -1, 2**40):
        with pytest.raises(NotFoundError, match=rf"has no event {index} \(its events are numbered 0 to 3\)"):
            record.annotate("wrong tool", event=index, note="never written")
    assert record.annotate("wrong tool", event=np.int64(3)).event == 3  # numpy ints are indexes
    assert count_annotations(run.client) == 1


def test_an_unknown_rollout_writes_nothing(run: Run) -> None:
    with pytest.raises(NotFoundError, match=r"no rollout 'not-a-rollout'.*nothing was annotated"):
        api.annotate(run.client.store, "not-a-rollout", "good trajectory")
    assert count_annotations(run.client) == 0


def test_an_edit_that_would_leave_nothing_is_refused(run: Run) -> None:
    annotation = run.client.rollouts.get(run.ids[0]).annotate("good trajectory")
    with pytest.raises(InvalidArgumentError, match="needs a label, a note or a score"):
        annotation.edit(label=None)
    with pytest.raises(InvalidArgumentError, match="score must be a finite number"):
        annotation.edit(score=math.nan)
    assert run.client.annotations.get(annotation.id) == annotation
    with pytest.raises(NotFoundError, match="no annotation 'nope'"):
        run.client.annotations.edit("nope", note="x")


def test_bad_label_sets_are_refused(run: Run) -> None:
    ctf = run.client.runs.get("ctf")
    with pytest.raises(InvalidArgumentError, match="a label set is a list of labels, got str"):
        ctf.set_label_set("good, bad")
    with pytest.raises(InvalidArgumentError, match="label must not be empty"):
        ctf.set_label_set(["good", ""])
    with pytest.raises(InvalidArgumentError, match=f"at most {MAX_LABEL_SET} labels"):
        ctf.set_label_set([f"l{k}" for k in range(MAX_LABEL_SET + 1)])
    with pytest.raises(NotFoundError, match="no run named 'gone'"):
        run.client.annotations.set_label_set("gone", ["good"])
    assert ctf.label_set() == run.client.runs.get("ctf").label_set()
    assert run.client.store.query("SELECT COUNT(*) FROM label_sets")[0][0] == 0

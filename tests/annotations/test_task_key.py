"""The task key preference pairs are made within: the rules of the tasks frames (issue 18), one record at a time."""

from __future__ import annotations

import pytest

from openreward_nb import InvalidArgumentError
from openreward_nb.frames.task_key import default_task_key, task_key
from openreward_nb.records import RolloutRecord


def record(task_spec=None, rollout_info=None, **fields) -> RolloutRecord:
    values = dict.fromkeys(RolloutRecord.__dataclass_fields__, None)
    values.pop("_store")
    return RolloutRecord(**{**values, "task_spec": task_spec, "rollout_info": rollout_info, **fields})


@pytest.mark.parametrize(
    ("spec", "info", "key"),
    [
        ({"id": "t-1", "task_id": "x", "name": "y"}, {"task_index": 3}, "t-1"),
        ({"id": "", "task_id": "x"}, None, "x"),  # an empty id names nothing
        ({"name": "flag hunt"}, None, "flag hunt"),
        ({"id": 7}, None, "7"),  # not text: canonical JSON
        ({"id": {"b": 1, "a": [1, 2]}}, None, '{"a":[1,2],"b":1}'),
        ({"level": 2, "seed": "s"}, {"task_index": 3}, '{"level":2,"seed":"s"}'),  # the whole spec
        ({}, {"task_index": 3}, "3"),
        (None, {"task_index": 3.0}, "3"),  # whole numbers without a decimal point
        (None, {"task_index": 2.5}, "2.5"),
        (None, {"current_step": 1}, None),
        (None, None, None),
    ],
)
def test_the_default_key(spec, info, key) -> None:
    assert default_task_key(record(spec, info)) == key


def test_by_names_a_rollouts_df_column_or_is_a_function() -> None:
    r = record({"id": "t", "meta": {"level": 2}}, None, metadata={"prompt": 4}, environment="ctf", run_name="a")
    assert task_key("metadata.prompt")(r) == "4"
    assert task_key("task_spec.meta.level")(r) == "2"  # nested keys, as rollouts_df spreads them
    assert task_key("task_spec.missing")(r) is None
    assert task_key("environment")(r) == "ctf" and task_key("run")(r) == "a"
    assert task_key(lambda rec: rec.environment.upper())(r) == "CTF"
    with pytest.raises(InvalidArgumentError, match="cannot key tasks by 'colour'"):
        task_key("colour")

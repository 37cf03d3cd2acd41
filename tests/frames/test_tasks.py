"""tasks_df: pass@k against hand-computed values, tasks keyed each way, the statistics per (run, task).

Runs on SQLite and, when configured, PostgreSQL (the ``store_url`` fixture of tests/frames/conftest.py).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

import openreward_nb as orn
from openreward_nb import (
    AssistantMessage,
    InvalidArgumentError,
    NotFoundError,
    OpenReward,
    RolloutInfo,
    ToolCall,
    ToolResult,
    UserMessage,
)
from openreward_nb.frames.tasks import pass_at_k
from openreward_nb.frames.tasks.key import canonical_json
from openreward_nb.frames.tasks.passk import check_ks


@pytest.mark.parametrize(
    ("n", "c", "k", "expected"),
    [
        (10, 0, 1, 0.0),  # c = 0: no draw succeeds
        (10, 0, 5, 0.0),
        (10, 10, 1, 1.0),  # c = n: every draw succeeds
        (10, 10, 10, 1.0),
        (5, 3, 3, 1.0),  # n - c < k: every draw of 3 holds a success
        (4, 1, 1, 0.25),  # pass@1 is c / n
        (5, 2, 2, 0.7),  # 1 - C(3, 2) / C(5, 2) = 1 - 3 / 10
        (10, 3, 5, 1 - 21 / 252),  # 1 - C(7, 5) / C(10, 5)
        (20, 4, 10, 1 - 8008 / 184756),  # 1 - C(16, 10) / C(20, 10)
        (10**6, 1, 10, 1e-5),  # c = 1: exactly k / n, where C(n, k) alone is about 2.8e53
    ],
)
def test_pass_at_k_matches_hand_computed_values(n: int, c: int, k: int, expected: float) -> None:
    (got,) = pass_at_k([n], [c], k)
    assert got == pytest.approx(expected, rel=1e-9, abs=1e-15)
    assert math.copysign(1.0, got) == 1.0  # never -0.0


@pytest.mark.parametrize(("n", "c", "k"), [(3, 1, 5), (0, 0, 1), (9, 9, 10)])
def test_pass_at_k_is_missing_where_n_is_below_k(n: int, c: int, k: int) -> None:
    assert math.isnan(pass_at_k([n], [c], k)[0])


@pytest.mark.parametrize("bad", [0, -1, [], [1, 0], 1.5, True, "5"])
def test_k_must_be_whole_numbers_of_at_least_one(bad) -> None:
    with pytest.raises(InvalidArgumentError, match="k must be a whole number"):
        check_ks(bad)


def _record(client: OpenReward, run: str, name: str, reward: float | None, **create) -> str:
    info = create.pop("info", None)
    r = client.rollout.create(run, rollout_name=name, **create)
    if info is not None:
        r.update_info(RolloutInfo(**info))
    r.log(UserMessage("task"))
    r.log(ToolCall(name="bash", content="{}", call_id="c"))
    r.log(ToolResult(content="ok", call_id="c"))
    if reward is None:
        return r.id  # still running, never rewarded
    r.log(AssistantMessage("done"), reward=reward, is_finished=True)
    r.finish()
    return r.id


def test_tasks_are_keyed_by_id_task_id_name_spec_then_task_index(client: OpenReward) -> None:
    _record(client, "keys", "by-id", 1.0, task_spec={"id": "alpha", "task_id": "no", "name": "no"})
    _record(client, "keys", "by-task-id", 1.0, task_spec={"task_id": 7, "name": "no"})
    _record(client, "keys", "by-name", 1.0, task_spec={"name": "gamma", "level": 2})
    _record(client, "keys", "by-spec-1", 1.0, task_spec={"question": "2+2", "answer": 4})
    _record(client, "keys", "by-spec-2", 0.0, task_spec={"answer": 4, "question": "2+2"})  # same spec, other order
    _record(client, "keys", "by-index", 1.0, info={"task_index": 3})
    _record(client, "keys", "by-empty-spec", 0.0, task_spec={}, info={"task_index": 3})
    _record(client, "keys", "untasked", 1.0)
    client.rollout.flush()
    with pytest.warns(UserWarning, match="1 rollout without a task left out"):
        df = orn.tasks_df("keys", store=client.store)
    spec = canonical_json({"question": "2+2", "answer": 4})
    assert spec == '{"answer":4,"question":"2+2"}'
    assert list(df["task"]) == ["alpha", "7", "gamma", spec, "3"]
    assert list(df["n"]) == [1, 1, 1, 2, 2]
    assert list(df["successes"]) == [1, 1, 1, 1, 1]


def test_by_names_any_rollouts_df_column(client: OpenReward) -> None:
    for k, (prompt, reward) in enumerate([(7, 1.0), (7, 0.0), (8.0, 1.0)]):  # 8.0: a float that is a whole number
        _record(client, "by", f"r{k}", reward, metadata={"prompt_id": prompt}, task_spec={"id": f"spec-{k}"})
    client.rollout.flush()
    df = orn.tasks_df("by", by="metadata.prompt_id", store=client.store)
    assert list(df["task"]) == ["7", "8"] and list(df["n"]) == [2, 1]  # whole numbers without ".0"
    assert list(orn.tasks_df("by", by="rollout_name", store=client.store)["task"]) == ["r0", "r1", "r2"]
    with pytest.raises(InvalidArgumentError, match=r"cannot key tasks by 'metadata.nope'; rollout columns: run, "):
        orn.tasks_df("by", by="metadata.nope", store=client.store)


def test_statistics_per_run_and_task(client: OpenReward) -> None:
    rewards = {"easy": [1.0, 1.0, 1.0, 0.5], "hard": [0.0, 0.0, 1.0, 0.0, 0.0, 0.0]}
    for run in ("second", "first"):
        for task, values in rewards.items():
            for k, value in enumerate(values):
                _record(client, run, f"{task}-{k}", value, task_spec={"id": task}, split="train")
    _record(client, "first", "hard-running", None, task_spec={"id": "hard"}, split="train")
    _record(client, "first", "hard-test", 1.0, task_spec={"id": "hard"}, split="test")
    client.rollout.flush()
    df = orn.tasks_df(["first", "second"], k=(1, 2, 5), store=client.store, split="train")
    assert list(zip(df["run"], df["task"], strict=True)) == [
        ("first", "easy"),
        ("first", "hard"),
        ("second", "easy"),
        ("second", "hard"),
    ]  # the order runs were named, then each task's first rollout
    hard = df.iloc[1]
    assert (hard["n"], hard["n_unscored"], hard["successes"]) == (6, 1, 1)
    assert hard["success_rate"] == pytest.approx(1 / 6) and hard["mean"] == pytest.approx(1 / 6)
    assert hard["std"] == pytest.approx(pd.Series(rewards["hard"]).std())  # the sample standard deviation
    assert (hard["min"], hard["max"]) == (0.0, 1.0)
    assert hard["pass@1"] == pytest.approx(1 / 6)
    assert hard["pass@2"] == pytest.approx(1 - 10 / 15)  # 1 - C(5, 2) / C(6, 2)
    assert hard["pass@5"] == pytest.approx(1 - 1 / 6)  # 1 - C(5, 5) / C(6, 5)
    easy = df.iloc[0]
    assert (easy["successes"], easy["pass@2"]) == (3, 1.0) and math.isnan(easy["pass@5"])  # n = 4 < 5
    assert hard["steps"] == pytest.approx(13 / 7)  # model turns (2 when finished, 1 while running), over all 7
    assert hard["tool_calls"] == 1.0
    assert list(df.columns) == [
        "run", "task", "n", "n_unscored", "successes", "success_rate", "mean", "std", "min", "max",
        "pass@1", "pass@2", "pass@5", "steps", "tool_calls", "tokens", "duration_s",
    ]  # fmt: skip
    lenient = orn.tasks_df("first", threshold=0.5, reward="final", store=client.store, split="train")
    assert list(lenient["successes"]) == [4, 1]


def test_empty_result_keeps_columns_and_bad_arguments_name_the_problem(client: OpenReward) -> None:
    _record(client, "one", "r", 1.0, task_spec={"id": "t"})
    client.rollout.flush()
    full = orn.tasks_df("one", store=client.store)
    empty = orn.tasks_df("one", store=client.store, split="nowhere")
    assert empty.empty and list(empty.columns) == list(full.columns)
    assert dict(empty.dtypes.astype(str)) == dict(full.dtypes.astype(str))
    with pytest.raises(InvalidArgumentError, match="unknown reward 'best'; rewards: total, final, max"):
        orn.tasks_df("one", reward="best", store=client.store)
    with pytest.raises(InvalidArgumentError, match="threshold must be a finite number"):
        orn.tasks_df("one", threshold=float("nan"), store=client.store)
    with pytest.raises(NotFoundError, match="no run named 'two'"):
        orn.tasks_df("two", store=client.store)

"""rollouts_df and runs_df: columns, dtypes, values, filters in SQL, bad input."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import openreward_nb as orn
from openreward_nb import NotFoundError, OpenReward, UserMessage
from openreward_nb.frames.rollouts import ROLLOUT_COLUMNS
from openreward_nb.frames.runs import RUN_COLUMNS

from .conftest import Recorded

DECLARED = [c.name for c in ROLLOUT_COLUMNS if c.kind != "json"]


def names(frame: pd.DataFrame) -> list[str]:
    return list(frame["rollout_name"])


def test_one_row_per_rollout_with_declared_then_flattened_columns(recorded: Recorded) -> None:
    df = orn.rollouts_df(store=recorded.client.store)
    assert names(df) == ["a0", "a1", "a2", "b0", "b1"]
    assert list(df.columns) == [
        *DECLARED,
        "metadata.model",
        "metadata.temperature",
        "metadata.tags",
        "metadata.judge.name",
        "task_spec.id",
        "task_spec.level",
        "run_info.model_name",
        "run_info.run_type",
        "rollout_info.task_index",
        "rollout_info.current_step",
    ]
    dtypes = df.dtypes
    assert str(dtypes["created_at"]) == str(dtypes["ended_at"]) == "datetime64[us, UTC]"
    assert {str(dtypes[c]) for c in ("total_reward", "final_reward", "max_reward", "duration_s")} == {"Float64"}
    assert list(dtypes["status"].categories) == ["running", "finished", "failed"]
    assert dtypes["is_finished"] == np.dtype(bool) and dtypes["n_events"] == "int64"
    assert str(dtypes["metadata.temperature"]) == "Float64" and str(dtypes["task_spec.level"]) == "Int64"
    assert str(dtypes["run"]) == str(dtypes["metadata.model"]) == "str"


def test_rows_hold_what_the_store_keeps(recorded: Recorded) -> None:
    df = orn.rollouts_df(store=recorded.client.store).set_index("rollout_name")
    for name, rollout_id in recorded.ids.items():
        rec = recorded.client.rollouts.get(rollout_id)
        row = df.loc[name]
        assert row["rollout_id"] == rec.id and row["run"] == rec.run_name
        assert (row["n_events"], row["n_tool_calls"], row["n_turns"]) == (rec.n_events, rec.n_tool_calls, rec.n_turns)
        assert row["status"] == rec.status and row["is_finished"] == rec.is_finished
        stored = pd.Timestamp(rec.created_at, unit="s", tz="UTC")  # to the nanosecond (pandas rounds it)
        # cut to the microsecond, within the nanosecond a double's rounding may move it
        assert pd.Timedelta(-1, "ns") <= stored - row["created_at"] < pd.Timedelta(1, "us")
        assert row["duration_s"] == pytest.approx(rec.duration_s)
        assert row["input_tokens"] == rec.input_tokens
        if rec.total_reward is None:
            assert pd.isna(row["total_reward"])
        else:
            assert row["total_reward"] == pytest.approx(rec.total_reward)
    a0 = df.loc["a0"]
    assert (a0["final_reward"], a0["max_reward"], a0["model"], a0["input_tokens"]) == (1.0, 1.0, "claude-x", 10)
    assert a0["metadata.tags"] == ["x", "y"] and a0["metadata.judge.name"] == "j1"
    assert (a0["task_spec.id"], a0["run_info.model_name"], a0["rollout_info.current_step"]) == ("t0", "gpt", 1)
    assert pd.isna(df.loc["a2", "ended_at"]) and pd.isna(df.loc["a2", "metadata.temperature"])
    assert "tool server down" in df.loc["b1", "error"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"runs": "beta"}, ["b0", "b1"]),
        ({"runs": ["beta", "alpha"]}, ["a0", "a1", "a2", "b0", "b1"]),
        ({"environment": "env/math"}, ["b0", "b1"]),
        ({"split": ["test"]}, ["a1", "b1"]),
        ({"status": "running"}, ["a2"]),
        ({"status": ["failed", "running"]}, ["a2", "b1"]),
        ({"model": "claude-x"}, ["a0"]),
        ({"metadata": {"model": "gpt"}}, ["a0", "a1", "a2"]),
        ({"metadata": {"temperature": 1.0}}, ["a1"]),
        ({"metadata": {"model": "gpt", "temperature": None}}, ["a2"]),
        ({"task_spec": {"level": 1}}, ["a0"]),
        ({"run_info": {"run_type": "train"}}, ["a0"]),
        ({"rollout_info": {"current_step": 1}}, ["a0", "b0"]),
        ({"min_reward": 0.5}, ["a0", "b0"]),
        ({"runs": "alpha", "split": "train", "metadata": {"model": "gpt"}}, ["a0", "a2"]),
    ],
)
def test_filters_select_rollouts(recorded: Recorded, filters: dict, expected: list[str]) -> None:
    filters = dict(filters)
    runs = filters.pop("runs", None)
    assert names(orn.rollouts_df(runs, store=recorded.client.store, **filters)) == expected


def test_time_range_takes_datetimes_iso_text_and_epoch_seconds(recorded: Recorded) -> None:
    store = recorded.client.store
    created = orn.rollouts_df(store=store).set_index("rollout_name")["created_at"]
    start, end = created["a1"], created["b0"]
    for since, until in (
        (start.to_pydatetime(), end.to_pydatetime()),
        (start.isoformat(), end.isoformat()),
        (start.timestamp(), end.timestamp()),
    ):
        assert names(orn.rollouts_df(store=store, since=since, until=until)) == ["a1", "a2"]
    naive = start.tz_convert(None).to_pydatetime()  # a naive time is UTC
    assert names(orn.rollouts_df(store=store, since=naive))[0] == "a1"
    assert orn.rollouts_df(store=store, rollout_id=recorded.ids["b0"])["rollout_name"].tolist() == ["b0"]


def test_filters_run_in_sql_and_rollouts_never_read_events(store_path) -> None:
    client = OpenReward(store=store_path)
    for split in ("train", "test"):
        client.rollout.create("r", split=split, metadata={"k": split}).log(UserMessage("x"), reward=1.0)
    client.rollout.flush()
    statements: list[str] = []
    client.store.close_reader()
    client.store.reader().set_trace_callback(statements.append)
    df = orn.rollouts_df("r", store=client.store, split="test", metadata={"k": "test"})
    client.store.reader().set_trace_callback(None)
    client.close()
    assert df["split"].tolist() == ["test"]
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    reads = [s for s in selects if "FROM rollouts r" in s]
    assert reads and all("r.split = 'test'" in s and "(r.metadata)" in s for s in reads)  # both filters in SQL
    assert not any(" events" in s.replace("n_events", "") for s in selects)


def test_empty_results_keep_every_declared_column_and_dtype(recorded: Recorded) -> None:
    store = recorded.client.store
    full = orn.rollouts_df(store=store)
    empty = orn.rollouts_df(store=store, split="nowhere")
    assert empty.empty and list(empty.columns) == DECLARED
    pd.testing.assert_series_equal(empty.dtypes, full.dtypes[DECLARED])
    runs_empty = orn.runs_df(store=store, split="nowhere")
    assert runs_empty.empty and list(runs_empty.columns) == [c.name for c in RUN_COLUMNS]
    pd.testing.assert_series_equal(runs_empty.dtypes, orn.runs_df(store=store).dtypes)


def test_runs_df_aggregates_the_rollouts(recorded: Recorded) -> None:
    store = recorded.client.store
    runs = orn.runs_df(store=store).set_index("run")
    rollouts = orn.rollouts_df(store=store)
    assert list(runs.index) == ["alpha", "beta"]
    assert runs.loc["alpha", ["n_rollouts", "n_running", "n_finished", "n_failed"]].tolist() == [3, 1, 2, 0]
    assert runs.loc["beta", ["n_rollouts", "n_failed"]].tolist() == [2, 1]
    by_run = rollouts.groupby("run")
    assert runs["n_events"].to_dict() == by_run["n_events"].sum().to_dict()
    assert runs["n_tool_calls"].to_dict() == by_run["n_tool_calls"].sum().to_dict()
    assert runs.loc["alpha", "mean_reward"] == pytest.approx(0.5)
    assert runs.loc["alpha", "last_event_at"] == rollouts["last_event_at"][rollouts["run"] == "alpha"].max()
    test_only = orn.runs_df(store=store, split="test").set_index("run")
    assert test_only["n_rollouts"].to_dict() == {"alpha": 1, "beta": 1}


def test_run_record_to_pandas_at_each_level(recorded: Recorded) -> None:
    store = recorded.client.store
    run = recorded.client.runs.get("beta")
    pd.testing.assert_frame_equal(run.to_pandas(), orn.rollouts_df("beta", store=store))
    pd.testing.assert_frame_equal(
        run.to_pandas("events", split="train"), orn.events_df("beta", store=store, split="train")
    )
    assert run.to_pandas("tool_calls")["call_id"].tolist() == ["dup", "dup", "lost"]
    assert run.to_pandas("runs")["run"].tolist() == ["beta"]
    with pytest.raises(ValueError, match="levels: runs, rollouts, events, tool_calls"):
        run.to_pandas("steps")


def test_unknown_runs_filters_and_values_say_what_exists(recorded: Recorded) -> None:
    store = recorded.client.store
    with pytest.raises(NotFoundError, match="no run named 'gamma'; runs in the store: 'alpha', 'beta'"):
        orn.rollouts_df(["alpha", "gamma"], store=store)
    with pytest.raises(NotFoundError, match="runs in the store: 'alpha', 'beta'"):
        orn.events_df("gamma", store=store)
    with pytest.raises(TypeError, match=r"unknown filter 'splt'; filters: runs, rollout_id, environment"):
        orn.rollouts_df(store=store, splt="train")
    with pytest.raises(TypeError, match="unknown filter 'env'"):
        orn.tool_calls_df(store=store, env="x")
    with pytest.raises(ValueError, match="statuses: running, finished, failed"):
        orn.rollouts_df(store=store, status="done")
    with pytest.raises(TypeError, match="JSON field filters compare"):
        orn.rollouts_df(store=store, metadata={"tags": ["x"]})
    with pytest.raises(TypeError, match="time bound"):
        orn.rollouts_df(store=store, since=dt.date(2024, 1, 1))

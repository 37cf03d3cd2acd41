"""events_df and tool_calls_df: one row per event / per call, keys that join, paging, bad input."""

from __future__ import annotations

import pandas as pd
import pytest

import openreward_nb as orn
from openreward_nb.events import EVENT_TYPES
from openreward_nb.frames import pages
from openreward_nb.frames.events import EVENT_COLUMNS
from openreward_nb.frames.tool_calls import TOOL_CALL_COLUMNS

from .conftest import Recorded

DECLARED = [c.name for c in EVENT_COLUMNS if c.kind != "json"]


def test_one_row_per_event_in_rollout_then_index_order(recorded: Recorded) -> None:
    store = recorded.client.store
    ev = orn.events_df(store=store)
    rollouts = orn.rollouts_df(store=store)
    assert list(ev.columns) == [*DECLARED, "metadata.source"]
    assert len(ev) == rollouts["n_events"].sum()
    order = {rid: i for i, rid in enumerate(rollouts["rollout_id"])}
    keys = list(zip(ev["rollout_id"].map(order), ev["idx"], strict=True))
    assert keys == sorted(keys) and not ev.duplicated(["rollout_id", "idx"]).any()
    joined = ev.merge(rollouts[["rollout_id", "run", "rollout_name"]], on="rollout_id", suffixes=("", "_r"))
    assert (joined["run"] == joined["run_r"]).all()
    a0 = joined[joined["rollout_name"] == "a0"].set_index("idx")
    assert a0["type"].tolist() == [
        "system_message",
        "user_message",
        "reasoning",
        "assistant_message",
        "tool_call",
        "tool_result",
        "assistant_message",
    ]
    assert a0.loc[1, "metadata.source"] == "env" and pd.isna(a0.loc[0, "metadata.source"])
    assert (
        a0.loc[4, "model"] == "claude-x" and a0.loc[4, "input_tokens"] == 10 and a0.loc[4, "stop_reason"] == "tool_use"
    )
    assert pd.isna(a0.loc[3, "input_tokens"]) and a0.loc[5, "is_error"] == True  # noqa: E712 - a nullable boolean
    assert a0.loc[6, "reward"] == 1.0 and a0.loc[6, "is_finished"] and pd.isna(a0.loc[0, "reward"])
    # the levels agree: event sums are the rollouts' aggregates
    sums = ev.groupby("rollout_id")[["input_tokens", "reward"]].sum()
    indexed = rollouts.set_index("rollout_id")
    assert (sums["input_tokens"] == indexed.loc[sums.index, "input_tokens"]).all()
    assert sums.loc[recorded.ids["b0"], "reward"] == indexed.loc[recorded.ids["b0"], "total_reward"]


def test_event_dtypes_and_empty_frames(recorded: Recorded) -> None:
    store = recorded.client.store
    ev = orn.events_df(store=store)
    assert list(ev["type"].cat.categories) == list(EVENT_TYPES)
    assert str(ev["ts"].dtype) == "datetime64[us, UTC]"
    assert {str(ev[c].dtype) for c in ("reward", "latency_ms")} == {"Float64"}
    assert str(ev["input_tokens"].dtype) == "Int64" and str(ev["is_error"].dtype) == "boolean"
    assert ev["idx"].dtype == "int64" and ev["is_finished"].dtype == bool and str(ev["content"].dtype) == "str"
    empty = orn.events_df(store=store, environment="nowhere")
    assert empty.empty and list(empty.columns) == DECLARED
    pd.testing.assert_series_equal(empty.dtypes, ev.dtypes[DECLARED])
    calls = orn.tool_calls_df(store=store, environment="nowhere")
    assert calls.empty and list(calls.columns) == list(TOOL_CALL_COLUMNS)
    pd.testing.assert_series_equal(calls.dtypes, orn.tool_calls_df(store=store).dtypes)


def test_types_and_rollout_filters(recorded: Recorded) -> None:
    store = recorded.client.store
    calls = orn.events_df(store=store, types="tool_call")
    assert calls["call_id"].tolist() == ["tu1", "dup", "dup", "lost"]
    both = orn.events_df("beta", store=store, types=["tool_call", "tool_result"])
    assert both["type"].tolist() == ["tool_call", "tool_result"] * 2 + ["tool_call"]
    assert set(orn.events_df(store=store, split="test")["rollout_id"]) == {recorded.ids["a1"], recorded.ids["b1"]}
    with pytest.raises(ValueError, match="types: system_message, user_message, assistant_message"):
        orn.events_df(store=store, types=["tool"])


def test_small_pages_and_sliced_rollouts_give_the_same_frames(recorded: Recorded, monkeypatch) -> None:
    store = recorded.client.store
    whole = (orn.rollouts_df(store=store), orn.events_df(store=store), orn.tool_calls_df(store=store))
    monkeypatch.setattr(pages, "ROLLOUTS_PER_PAGE", 2)
    monkeypatch.setattr(pages, "EVENTS_PER_PAGE", 3)  # a0 (7 events) and b0 (6) are read in slices
    monkeypatch.setattr(pages, "ROLLOUTS_PER_EVENT_PAGE", 2)
    paged = (orn.rollouts_df(store=store), orn.events_df(store=store), orn.tool_calls_df(store=store))
    for a, b in zip(whole, paged, strict=True):
        pd.testing.assert_frame_equal(a, b)


def test_tool_calls_are_joined_to_their_results(recorded: Recorded) -> None:
    calls = orn.tool_calls_df(store=recorded.client.store)
    assert list(calls.columns) == list(TOOL_CALL_COLUMNS)
    bash = calls.iloc[0]
    assert (bash["run"], bash["name"], bash["call_id"], bash["idx"], bash["result_idx"]) == (
        "alpha",
        "bash",
        "tu1",
        4,
        5,
    )
    assert bash["arguments"] == {"cmd": "ls"} and bash["output"] == "denied" and bash["is_error"] == True  # noqa: E712
    assert bash["reward"] == 0.0 and bash["model"] == "claude-x"
    beta = calls[calls["run"] == "beta"]
    # the n-th call with an id gets the n-th result with it
    assert beta["result_idx"].tolist() == [1, 3, pd.NA]
    assert beta["output"].tolist()[:2] == ["r1", "r2"] and pd.isna(beta["output"].iloc[2])
    assert beta["arguments"].tolist() == [{"x": 1}, None, {}]
    assert beta["arguments_json"].tolist() == ['{"x": 1}', "not json", "{}"]
    assert beta["reward"].tolist()[1] == 0.5 and pd.isna(beta["reward"].iloc[0])
    assert (beta["latency_s"].iloc[:2] >= 0).all() and pd.isna(beta["latency_s"].iloc[2])
    events = orn.events_df(store=recorded.client.store).set_index(["rollout_id", "idx"])
    for call in calls.dropna(subset=["result_idx"]).itertuples():
        result = events.loc[(call.rollout_id, call.result_idx)]
        assert result["type"] == "tool_result" and result["call_id"] == call.call_id
        assert call.latency_s == pytest.approx((result["ts"] - call.called_at).total_seconds())

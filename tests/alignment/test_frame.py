"""``openreward_nb.diff_df``: the alignment as a DataFrame, from rollouts named every way a rollout is named."""

from __future__ import annotations

import pandas as pd
import pytest

import openreward_nb as orn
from openreward_nb import InvalidArgumentError, NotFoundError

from .build import Reward, agent, message, record


def test_one_row_per_aligned_pair_with_typed_columns(client, store_url) -> None:
    good = [*agent(3), ("call", "submit", {"flag": "F{1}"}), ("result", "correct", Reward(1.0, True))]
    bad = [
        *agent(3),
        ("assistant", "giving up"),
        ("call", "submit", {"flag": "F{0}"}),
        ("result", "wrong", Reward(-0.5, True)),
    ]
    record(client, "good", good)
    record(client, "bad", bad)
    df = orn.diff_df("diff/good", "diff/bad", store=store_url)
    assert list(df.columns) == ["op", "a_idx", "b_idx", "type", "tool", "similarity", "a_reward", "b_reward"]
    assert isinstance(df["op"].dtype, pd.CategoricalDtype)
    assert list(df["op"].cat.categories) == ["equal", "changed", "only_a", "only_b"]
    assert str(df["a_idx"].dtype) == "Int64" and str(df["b_idx"].dtype) == "Int64"
    assert df["similarity"].dtype == "float64" and df["a_reward"].dtype == "float64"
    tail = df.iloc[len(agent(3)) :].reset_index(drop=True)
    assert tail["op"].tolist() == ["only_b", "changed", "changed"]
    assert tail["b_idx"].tolist() == [10, 11, 12] and pd.isna(tail["a_idx"][0])
    assert tail["type"].tolist() == ["assistant_message", "tool_call", "tool_result"]
    assert tail["tool"][1] == "submit" and pd.isna(tail["tool"][0])
    assert pd.isna(tail["similarity"][0]) and 0 < tail["similarity"][1] < 1
    assert tail["a_reward"][2] == 1.0 and tail["b_reward"][2] == -0.5
    assert (df["op"] == "equal").sum() == len(agent(3)) and (df.loc[df["op"] == "equal", "similarity"] == 1).all()


def test_rollouts_named_by_live_rollout_record_id_prefix_and_name(client, store_url) -> None:
    steps = agent(2)
    live = client.rollout.create(run_name="diff", rollout_name="live")
    for k, step in enumerate(steps):
        live.log(message(step, k))
    other = record(client, "other", steps)
    expected = [("equal", k, k) for k in range(len(steps))]
    for a, b in ((live, other), (other, other.id[:8]), ("diff/live", other.id)):
        df = orn.diff_df(a, b, store=store_url)
        assert list(zip(df["op"], df["a_idx"], df["b_idx"], strict=True)) == expected


def test_bad_references_are_named(client, store_url) -> None:
    record(client, "x", agent(1))
    with pytest.raises(NotFoundError, match="no rollout 'diff/nope'"):
        orn.diff_df("diff/x", "diff/nope", store=store_url)
    with pytest.raises(InvalidArgumentError, match="got int"):
        orn.diff_df("diff/x", 42, store=store_url)


def test_empty_rollouts_give_an_empty_frame_with_every_column(client, store_url) -> None:
    record(client, "e1", [])
    record(client, "e2", [])
    df = orn.diff_df("diff/e1", "diff/e2", store=store_url)
    assert df.empty and list(df.columns) == [
        "op",
        "a_idx",
        "b_idx",
        "type",
        "tool",
        "similarity",
        "a_reward",
        "b_reward",
    ]
    assert str(df["a_idx"].dtype) == "Int64"

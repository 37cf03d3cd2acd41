"""``openreward-nb export``: Parquet, CSV and JSONL files, and errors that name what exists."""

from __future__ import annotations

import json
import subprocess

import pandas as pd
import pytest

import openreward_nb as orn
from openreward_nb.cli import main

from ..helpers import PYTHON, subprocess_env
from .conftest import Recorded


def _export(recorded: Recorded, *args: str) -> int:
    return main(["--store", recorded.url, "export", *args])


def test_parquet_holds_the_rollouts_frame(recorded: Recorded, tmp_path, capsys) -> None:
    path = tmp_path / "alpha.parquet"
    assert _export(recorded, "alpha", "-o", str(path)) == 0
    assert f"wrote 3 rollout rows to {path}" in capsys.readouterr().out
    written = pd.read_parquet(path)
    frame = orn.rollouts_df("alpha", store=recorded.client.store)
    assert list(written.columns) == list(frame.columns)
    assert written["rollout_id"].tolist() == frame["rollout_id"].tolist()
    assert written["created_at"].tolist() == frame["created_at"].tolist()
    assert json.loads(written["metadata.tags"].iloc[0]) == ["x", "y"]  # lists are written as JSON text


def test_csv_of_tool_calls_and_default_names(recorded: Recorded, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert _export(recorded, "beta", "--format", "csv", "--level", "tool_calls") == 0
    written = pd.read_csv(tmp_path / "beta.tool_calls.csv")
    assert written["call_id"].tolist() == ["dup", "dup", "lost"]
    assert written["arguments"].iloc[0] == '{"x": 1}' and pd.isna(written["arguments"].iloc[1])
    assert _export(recorded, "alpha", "beta", "--format", "csv", "--level", "events", "--split", "test") == 0
    events = pd.read_csv(tmp_path / "alpha+beta.events.csv")
    assert set(events["rollout_id"]) == {recorded.ids["a1"], recorded.ids["b1"]}


def test_jsonl_chats_with_a_reward_floor(recorded: Recorded, tmp_path) -> None:
    path = tmp_path / "sft.jsonl"
    assert (
        _export(
            recorded, "alpha", "--format", "jsonl", "--min-reward", "1", "--chat-format", "anthropic", "-o", str(path)
        )
        == 0
    )
    (line,) = [json.loads(text) for text in path.read_text().splitlines()]
    assert line["system"] == "be brief" and line["messages"][0]["role"] == "user"


def test_errors_name_what_exists(recorded: Recorded, tmp_path, capsys) -> None:
    out = str(tmp_path / "x.parquet")
    assert _export(recorded, "gamma", "-o", out) == 1
    assert "no run named 'gamma'; runs in the store: 'alpha', 'beta'" in capsys.readouterr().err
    for bad, known in (
        (["--level", "turns"], "--level: unknown 'turns'; choose from runs, rollouts, events, tool_calls"),
        (
            ["--format", "jsonl", "--chat-format", "gemini"],
            "--chat-format: unknown 'gemini'; choose from openai, anthropic",
        ),
        (["--status", "done"], "invalid choice: 'done'"),
    ):
        with pytest.raises(SystemExit) as exit:  # argument problems: argparse's usage error, exit 2
            _export(recorded, "alpha", *bad, "-o", out)
        assert exit.value.code == 2 and known in capsys.readouterr().err
    assert not (tmp_path / "x.parquet").exists()


def test_jsonl_counts_chats_in_words(recorded: Recorded, tmp_path, capsys) -> None:
    path = tmp_path / "one.jsonl"
    assert _export(recorded, "alpha", "--format", "jsonl", "--min-reward", "1", "-o", str(path)) == 0
    assert f"wrote 1 chat to {path}" in capsys.readouterr().out


def test_importing_the_package_leaves_pandas_and_plotly_unloaded() -> None:
    code = (
        "import sys, openreward_nb\n"
        "heavy = [m for m in ('pandas', 'pyarrow', 'plotly') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "from openreward_nb import frames\n"
        "names = ('runs_df', 'rollouts_df', 'events_df', 'tool_calls_df', 'compare_runs', 'plot_compare',\n"
        "         'to_chat_messages', 'export_jsonl')\n"
        "assert all(getattr(openreward_nb, n) is getattr(frames, n) for n in names)\n"
        "assert set(names) <= set(openreward_nb.__all__)\n"
        "assert 'plotly' not in sys.modules\n"
    )
    subprocess.run([PYTHON, "-c", code], check=True, env=subprocess_env(), timeout=120)

"""export_preferences, checked line by line against a store built by hand: which rollouts pair up, and
what each pair holds (TRL's conversational preference format: prompt / chosen / rejected messages)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

import openreward_nb as orn
from openreward_nb import (
    AssistantMessage,
    InvalidArgumentError,
    OpenReward,
    RolloutInfo,
    SystemMessage,
    ToolCall,
    ToolResult,
    UserMessage,
)
from openreward_nb.cli import main

SYSTEM = {"role": "system", "content": "be brief"}
ASK = {"role": "user", "content": "what is 2+2?"}
CALL = {
    "role": "assistant",
    "content": None,
    "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "calc", "arguments": '{"x": "2+2"}'}}],
}


@dataclass
class Store:
    url: str
    ids: dict[str, str]


def _rollout(client: OpenReward, name: str, messages: list, reward: float, task: dict | None, **kw) -> str:
    with client.rollout.create("dpo", rollout_name=name, task_spec=task, **kw) as r:
        for k, message in enumerate(messages):
            last = k == len(messages) - 1
            r.log(message, reward=reward if last else None, is_finished=last)
    return r.id


@pytest.fixture
def store(store_url: str) -> Store:
    """Task a: three answers (rewards 1, 0, 0.5); task b: a tie; task c: two different prompts;
    task d: the same tool call, then different results; one rollout with no task at all."""
    client = OpenReward(store=store_url)
    ask = [SystemMessage("be brief"), UserMessage("what is 2+2?")]
    call = ToolCall(name="calc", content='{"x": "2+2"}', call_id="c1")
    a = {"id": "a"}
    ids = {
        "a1": _rollout(client, "a1", [*ask, AssistantMessage("4")], 1.0, a),
        "a2": _rollout(client, "a2", [*ask, AssistantMessage("5")], 0.0, a),
        "a3": _rollout(client, "a3", [*ask, call, ToolResult("4", call_id="c1"), AssistantMessage("4")], 0.5, a),
        "b1": _rollout(client, "b1", [UserMessage("hi"), AssistantMessage("hello")], 1.0, {"task_id": "b"}),
        "b2": _rollout(client, "b2", [UserMessage("hi"), AssistantMessage("hey")], 1.0, {"task_id": "b"}),
        "c1": _rollout(client, "c1", [UserMessage("one"), AssistantMessage("x")], 1.0, {"name": "c"}),
        "c2": _rollout(client, "c2", [UserMessage("two"), AssistantMessage("y")], 0.0, {"name": "c"}),
        "d1": _rollout(
            client,
            "d1",
            [*ask, call, ToolResult("4", call_id="c1"), AssistantMessage("4")],
            1.0,
            None,
            metadata={"prompt": "d"},
        ),
        "d2": _rollout(
            client,
            "d2",
            [*ask, call, ToolResult("error", call_id="c1"), AssistantMessage("?")],
            0.0,
            None,
            metadata={"prompt": "d"},
        ),
    }
    with client.rollout.create("dpo", rollout_name="e1") as r:  # keyed by rollout_info.task_index alone
        r.log(UserMessage("e"), rollout_info=RolloutInfo(task_index=7))
        r.log(AssistantMessage("good"), reward=2.0)
    ids["e1"] = r.id
    with client.rollout.create("dpo", rollout_name="e2") as r:
        r.log(UserMessage("e"), rollout_info=RolloutInfo(task_index=7))
        r.log(AssistantMessage("bad"), reward=1.0)
    ids["e2"] = r.id
    client.close()
    return Store(store_url, ids)


def _export(store: Store, path: Path, **kw) -> list[dict]:
    n = orn.export_preferences("dpo", path, store=store.url, keep_ids=True, **kw)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert n == len(lines)
    return lines


def _pairs(lines: list[dict], store: Store) -> list[tuple[str, str]]:
    names = {rid: name for name, rid in store.ids.items()}
    return [(names[line["chosen_rollout_id"]], names[line["rejected_rollout_id"]]) for line in lines]


def test_best_against_worst_by_reward(store: Store, tmp_path: Path) -> None:
    lines = _export(store, tmp_path / "p.jsonl")
    # a: 1 over 0; b: a tie, no pair; c: no shared prompt, skipped; d, e: none without a task key
    assert _pairs(lines, store) == [("a1", "a2"), ("e1", "e2")]
    a = lines[0]
    assert a["prompt"] == [SYSTEM, ASK] and a["task"] == "a"
    assert a["chosen"] == [{"role": "assistant", "content": "4"}]
    assert a["rejected"] == [{"role": "assistant", "content": "5"}]
    assert lines[1]["task"] == "7" and lines[1]["prompt"] == [{"role": "user", "content": "e"}]


def test_the_format_is_trls_conversational_preference(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    assert orn.export_preferences("dpo", path, store=store.url) == 2
    for line in map(json.loads, path.read_text().splitlines()):
        assert set(line) == {"prompt", "chosen", "rejected"}
        for part in line.values():
            assert isinstance(part, list) and part
            assert all(
                set(m) >= {"role", "content"} and m["role"] in {"system", "user", "assistant", "tool"} for m in part
            )
        assert line["chosen"][0]["role"] == line["rejected"][0]["role"] == "assistant"


def test_all_pairs_with_a_least_gap(store: Store, tmp_path: Path) -> None:
    every = _export(store, tmp_path / "p.jsonl", pairs="all")
    assert _pairs(every, store) == [("a1", "a3"), ("a1", "a2"), ("a3", "a2"), ("e1", "e2")]
    a1_a3 = every[0]
    assert a1_a3["prompt"] == [SYSTEM, ASK]
    assert a1_a3["rejected"] == [
        CALL,
        {"role": "tool", "tool_call_id": "c1", "content": "4"},
        {"role": "assistant", "content": "4"},
    ]
    wide = _export(store, tmp_path / "p.jsonl", pairs="all", min_gap=0.75)
    assert _pairs(wide, store) == [("a1", "a2"), ("e1", "e2")]
    assert _export(store, tmp_path / "p.jsonl", min_gap=1.5) == []


def test_a_shared_opening_goes_in_the_prompt(store: Store, tmp_path: Path) -> None:
    (line,) = _export(store, tmp_path / "p.jsonl", by="metadata.prompt")
    assert _pairs([line], store) == [("d1", "d2")]
    assert line["prompt"] == [SYSTEM, ASK, CALL]  # the same call: it is part of the prompt
    assert line["chosen"] == [
        {"role": "tool", "tool_call_id": "c1", "content": "4"},
        {"role": "assistant", "content": "4"},
    ]
    assert line["rejected"][0]["content"] == "error"
    keyed = _export(store, tmp_path / "p.jsonl", by=lambda r: "all" if r.rollout_name.startswith("a") else None)
    assert _pairs(keyed, store) == [("a1", "a2")]


def test_tasks_are_the_tasks_frames_tasks(store: Store, tmp_path: Path) -> None:
    """One task key: a pair's task is the task groups_df gives both its rollouts, by default and by= a column."""
    for by in (None, "metadata.prompt"):
        with pytest.warns(UserWarning, match="without a task left out"):
            groups = orn.groups_df("dpo", by=by, store=store.url)
        task_of = dict(zip(groups["rollout_id"], groups["task"], strict=True))
        lines = _export(store, tmp_path / "p.jsonl", by=by)
        assert lines
        for line in lines:
            assert task_of[line["chosen_rollout_id"]] == task_of[line["rejected_rollout_id"]] == line["task"]


def test_chosen_by_label(store: Store, tmp_path: Path) -> None:
    client = OpenReward(store=store.url)
    client.rollouts.get(store.ids["a1"]).annotate("good trajectory")
    client.rollouts.get(store.ids["a3"]).annotate("good trajectory")
    client.rollouts.get(store.ids["a3"]).annotate("reward hacking")
    client.rollouts.get(store.ids["a2"]).annotate("reward hacking")
    client.rollouts.get(store.ids["e2"]).annotate("good trajectory", event=1)  # a step's label: not the rollout's
    rest = _export(store, tmp_path / "p.jsonl", chosen="label:good trajectory", pairs="all")
    assert _pairs(rest, store) == [("a1", "a2"), ("a3", "a2")]  # a3 carries both: chosen over what has neither
    hacked = _export(store, tmp_path / "p.jsonl", chosen="label:good trajectory", rejected="label:reward hacking")
    assert _pairs(hacked, store) == [("a1", "a2")]  # a3 carries both labels: in neither side


def test_chosen_by_annotation_score(store: Store, tmp_path: Path) -> None:
    client = OpenReward(store=store.url)
    client.rollouts.get(store.ids["a2"]).annotate(score=0.9)
    client.rollouts.get(store.ids["a2"]).annotate(score=0.7)  # mean 0.8
    client.rollouts.get(store.ids["a3"]).annotate("meh", score=0.2)
    client.rollouts.get(store.ids["a1"]).annotate(score=5.0, event=2)  # a step's score: not the rollout's
    assert _pairs(_export(store, tmp_path / "p.jsonl", chosen="score"), store) == [("a2", "a3")]


def test_anthropic_messages_keep_the_system_prompt_apart(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    orn.export_preferences("dpo", path, store=store.url, format="anthropic")
    first = json.loads(path.read_text().splitlines()[0])
    assert first["system"] == "be brief"
    assert first["prompt"] == [{"role": "user", "content": [{"type": "text", "text": "what is 2+2?"}]}]
    assert first["chosen"] == [{"role": "assistant", "content": [{"type": "text", "text": "4"}]}]


def test_filters_select_the_rollouts_first(store: Store, tmp_path: Path) -> None:
    client = OpenReward(store=store.url)
    client.rollouts.get(store.ids["a2"]).annotate("env bug")
    pairs = _pairs(_export(store, tmp_path / "p.jsonl", unlabelled=True, pairs="all"), store)
    assert pairs == [("a1", "a3"), ("e1", "e2")]


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"chosen": "best"}, "give 'reward', 'score' or 'label:NAME'"),
        ({"chosen": "label:"}, "name the label after 'label:'"),
        ({"chosen": "label:good", "min_gap": 1}, "min_gap compares rewards or scores"),
        ({"rejected": "label:bad"}, "it goes with chosen='label:NAME'"),
        ({"chosen": "label:good", "rejected": "bad"}, "give 'label:NAME'"),
        ({"min_gap": -1}, "min_gap must be a finite number of at least 0"),
        ({"pairs": "some"}, "give one of best_worst, all"),
        ({"by": "colour"}, "cannot key tasks by .colour."),
    ],
)
def test_bad_arguments_say_what_is_accepted(store: Store, tmp_path: Path, kw: dict, message: str) -> None:
    with pytest.raises(InvalidArgumentError, match=message):
        orn.export_preferences("dpo", tmp_path / "p.jsonl", store=store.url, **kw)


def test_the_command_writes_the_same_pairs(store: Store, tmp_path: Path, capsys) -> None:
    path = tmp_path / "cli.jsonl"
    assert (
        main(
            [
                "--store",
                store.url,
                "export",
                "dpo",
                "--preferences",
                "--pairs",
                "all",
                "--min-gap",
                "0.75",
                "-o",
                str(path),
            ]
        )
        == 0
    )
    assert "wrote 2 preference pairs" in capsys.readouterr().out
    expected = tmp_path / "api.jsonl"
    orn.export_preferences("dpo", expected, store=store.url, pairs="all", min_gap=0.75)
    assert path.read_text() == expected.read_text()
    with pytest.raises(SystemExit) as refused:
        main(["--store", store.url, "export", "dpo", "--preferences", "--chosen", "label:x", "--min-gap", "1"])
    assert refused.value.code == 2
    assert "min_gap compares rewards or scores" in capsys.readouterr().err

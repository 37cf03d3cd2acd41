"""The demo environment has the shape of an OpenReward environment as the SDK's client exposes it."""

from __future__ import annotations

import dataclasses
import json

import pytest

from openreward_nb.demo import DemoEnvironment, Task, ToolCallError, ToolSpec, environments
from openreward_nb.demo.challenges import CHALLENGES


def test_get_names_the_environment_like_the_sdk() -> None:
    env = environments.get(name="GeneralReasoning/CTF")
    assert (env.namespace, env.name, env.deployment_name, env.variant) == (
        "GeneralReasoning",
        "CTF",
        "GeneralReasoning/CTF",
        None,
    )
    assert environments.get(name="CTF").deployment_name == "CTF"
    with pytest.raises(ValueError, match="one environment, CTF"):
        environments.get(name="GeneralReasoning/MLEBench-Train")
    with pytest.raises(ValueError, match="no variants"):
        environments.get(name="CTF", variant="hard")


def test_splits_and_tasks(environment: DemoEnvironment) -> None:
    assert environment.list_splits() == ["train", "test"]
    train, test = environment.list_tasks("train"), environment.list_tasks("test")
    assert (len(train), len(test)) == (8, 4) == (environment.num_tasks("train"), environment.num_tasks("test"))
    first = train[0]
    assert isinstance(first, Task) and first.index == 0 and first.deployment_name == "GeneralReasoning/CTF"
    assert set(first.task_spec) == {"id", "title", "category", "difficulty"}
    assert [t.task_spec["id"] for t in environment.get_task_range("test", 1, 3)] == ["test-001", "test-002"]
    assert environment.get_task("train", 3) == train[3]
    with pytest.raises(ValueError, match="unknown split"):
        environment.list_tasks("validation")


def test_flags_are_hidden_in_the_sandbox_not_given_away() -> None:
    for challenge in CHALLENGES:
        assert challenge.flag not in json.dumps(challenge.task_spec) + challenge.prompt
        assert "/challenge" in challenge.prompt


@pytest.mark.parametrize("fmt", [None, "openai", "openrouter", "anthropic", "google"])
def test_tool_formats_match_the_openreward_sdk(environment: DemoEnvironment, fmt: str | None) -> None:
    from openreward.api.environments.client import convert_tool_response

    specs = environment.list_tools()
    assert all(isinstance(spec, ToolSpec) for spec in specs) and [s.name for s in specs] == ["bash", "submit_flag"]
    wire = {"tools": [dataclasses.asdict(spec) for spec in specs]}  # what an OpenReward server sends
    expected = convert_tool_response(wire, fmt)
    got = environment.list_tools(fmt)
    if fmt is None:
        got, expected = [dataclasses.asdict(t) for t in got], [dataclasses.asdict(t) for t in expected]
    assert got == expected


def test_bash_steps_reward_zero_and_go_on(environment: DemoEnvironment, task: Task) -> None:
    with environment.session(task=task) as session:
        assert "Double wrapped" in session.get_prompt()[0].text
        result = session.call_tool("bash", {"command": "ls /challenge"})
        assert (result.blocks[0].text, result.reward, result.finished) == ("README.txt\nmessage.b64\n", 0.0, False)
        assert result.metadata == {"exit_code": 0, "cwd": "/challenge"}
        assert session.call_tool("bash", {"command": "cd /tmp"}).metadata["exit_code"] == 1
        assert session.call_tool("bash", {"command": "cd /etc"}).blocks[0].text == "(no output)"


@pytest.mark.parametrize(
    ("flag", "reward"),
    [("flag{tw0_l4yers_0f_enc0ding}", 1.0), (" FLAG{TW0_L4YERS_0F_ENC0DING} ", 1.0), ("flag{nope}", 0.0)],
)
def test_submitting_ends_the_episode(environment: DemoEnvironment, task: Task, flag: str, reward: float) -> None:
    with environment.session(split="train", index=task.index) as session:
        result = session.call_tool("submit_flag", {"flag": flag})
        assert (result.reward, result.finished, result.metadata) == (reward, True, {"correct": reward == 1.0})
        assert result.blocks[0].text.startswith("Correct!" if reward else "Incorrect flag.")
        with pytest.raises(ToolCallError) as refused:
            session.call_tool("bash", {"command": "ls"})
        assert refused.value.reason == "episode_finished"


@pytest.mark.parametrize(
    ("name", "arguments", "reason"),
    [
        ("rm", {"command": "x"}, "not_found"),
        ("bash", {}, "input_validation"),
        ("submit_flag", {"flag": 42}, "input_validation"),
        ("bash", ["ls"], "bad_input_shape"),
    ],
)
def test_bad_tool_calls_raise_tool_call_errors(
    environment: DemoEnvironment, task: Task, name: str, arguments: object, reason: str
) -> None:
    with environment.session(task=task) as session:
        with pytest.raises(ToolCallError) as error:
            session.call_tool(name, arguments)  # type: ignore[arg-type]
        assert error.value.reason == reason
        assert not session.finished


def test_session_needs_a_task_or_split_and_index(environment: DemoEnvironment, task: Task) -> None:
    with pytest.raises(ValueError, match="either task or both split and index"):
        environment.session()
    with pytest.raises(ValueError, match="either task or both split and index"):
        environment.session(task=task, split="train", index=0)
    with pytest.raises(ValueError, match="not a demo CTF task"):
        environment.session(task=dataclasses.replace(task, task_spec={"id": "other"}))

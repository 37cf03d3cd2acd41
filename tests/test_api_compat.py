"""The recording API matches the OpenReward SDK (0.1.167): names, signatures, fields, behaviour."""

from __future__ import annotations

import dataclasses
import inspect
import textwrap

import pytest

import openreward_nb

from .helpers import required

openreward = required("openreward")

PUBLIC = [
    "OpenReward",
    "AsyncOpenReward",
    "UserMessage",
    "AssistantMessage",
    "SystemMessage",
    "ReasoningItem",
    "ToolCall",
    "ToolResult",
    "RunInfo",
    "RolloutInfo",
]


def _params(func) -> list[tuple[str, object, object]]:
    sig = inspect.signature(func)
    return [(p.name, p.default, p.kind) for p in sig.parameters.values()]


@pytest.mark.parametrize("name", PUBLIC)
def test_public_names_exist(name: str) -> None:
    assert hasattr(openreward_nb, name)
    assert name in openreward_nb.__all__


@pytest.mark.parametrize(
    "name",
    [
        "UserMessage",
        "AssistantMessage",
        "SystemMessage",
        "ReasoningItem",
        "ToolCall",
        "ToolResult",
        "RunInfo",
        "RolloutInfo",
    ],
)
def test_dataclass_fields_match_sdk(name: str) -> None:
    ours = [(f.name, f.default) for f in dataclasses.fields(getattr(openreward_nb, name))]
    theirs = [(f.name, f.default) for f in dataclasses.fields(getattr(openreward, name))]
    assert ours == theirs


def test_create_and_log_signatures_match_sdk(client, store_url) -> None:
    from openreward.api.rollouts.rollout import Rollout as SDKRollout
    from openreward.api.rollouts.rollout import RolloutAPI as SDKRolloutAPI

    assert _params(client.rollout.create) == _params(SDKRolloutAPI.create)[1:]
    assert _params(openreward_nb.AsyncOpenReward(store=store_url).rollout.create) == _params(SDKRolloutAPI.create)[1:]
    sdk_async = inspect.signature(openreward.AsyncOpenReward.__init__)
    assert (
        list(sdk_async.parameters)[:4] == list(inspect.signature(openreward_nb.AsyncOpenReward.__init__).parameters)[:4]
    )
    rollout = client.rollout.create("sig")
    for method in ["log"]:
        assert _params(getattr(rollout, method)) == _params(getattr(SDKRollout, method))[1:]
    sdk_client = inspect.signature(openreward.OpenReward.__init__)
    ours = inspect.signature(openreward_nb.OpenReward.__init__)
    assert list(sdk_client.parameters)[:4] == list(ours.parameters)[:4]


SDK_SCRIPT = """
from openreward import OpenReward, UserMessage, AssistantMessage, SystemMessage, ReasoningItem, ToolCall, ToolResult, RunInfo, RolloutInfo

client = OpenReward(run_info=RunInfo(model_name="gpt-test", run_type="eval"))
for task in range(3):
    rollout = client.rollout.create(
        run_name="compat-run", rollout_name=f"episode-{task}", environment="GeneralReasoning/CTF",
        split="train", metadata={"model": "gpt-test"}, task_spec={"id": task},
        run_info=RunInfo(model_name="gpt-test", checkpoint="step-10"),
    )
    rollout.log(SystemMessage(content="You are an agent."))
    rollout.log(UserMessage(content="Find the flag."))
    rollout.log(ReasoningItem(summary="look in /tmp", content_reference="rs_1"))
    rollout.log(ToolCall(name="bash", content='{"cmd": "ls"}', call_id="c1"))
    rollout.log(ToolResult(content="flag.txt", call_id="c1"), reward=0.5)
    rollout.log({"type": "assistant_message", "content": "done"}, reward=1.0, is_finished=True,
                metadata={"note": "ok"}, rollout_info=RolloutInfo(task_index=task, current_step=7))
client.rollout.close()
"""


def test_sdk_script_runs_unchanged_after_swapping_the_import(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OPENREWARD_NB_STORE", raising=False)
    script = SDK_SCRIPT.replace("from openreward import", "from openreward_nb import")
    exec(compile(textwrap.dedent(script), "sdk_script.py", "exec"), {})
    reader = openreward_nb.OpenReward()
    run = reader.runs.get("compat-run")
    assert run.n_rollouts == 3
    rollouts = list(run.rollouts())
    assert [r.rollout_name for r in rollouts] == ["episode-0", "episode-1", "episode-2"]
    first = rollouts[0]
    assert first.run_info == {"model_name": "gpt-test", "run_type": "eval", "checkpoint": "step-10"}
    assert first.rollout_info == {"task_index": 0, "current_step": 7}
    assert first.task_spec == {"id": 0} and first.metadata == {"model": "gpt-test"}
    assert first.environment == "GeneralReasoning/CTF" and first.split == "train"
    events = list(first.events())
    assert [e.type for e in events] == [
        "system_message",
        "user_message",
        "reasoning",
        "tool_call",
        "tool_result",
        "assistant_message",
    ]
    assert events[2].summary == "look in /tmp" and events[2].content_reference == "rs_1"
    assert events[3].name == "bash" and events[3].call_id == "c1"
    assert events[5].metadata == {"note": "ok"} and events[5].is_finished
    assert first.total_reward == 1.5 and first.final_reward == 1.0 and first.is_finished
    assert (tmp_path / ".openreward_nb" / "store.sqlite").exists()


def test_rollout_has_sdk_attributes(client) -> None:
    rollout = client.rollout.create("attrs", rollout_name="r")
    assert rollout.event_id == rollout.id
    assert rollout.config.run_name == "attrs" and rollout.config.rollout_name == "r"
    rollout.log(openreward_nb.UserMessage("a"))
    assert rollout.logged_messages == 1
    assert rollout.print_messages is False


def test_print_messages_prints_each_message(client, capsys) -> None:
    rollout = client.rollout.create("printing", print_messages=True)
    rollout.log(openreward_nb.ToolCall(name="search", content='{"q": "x"}', call_id="c9"))
    rollout.log(openreward_nb.ToolResult(content='{"hits": 3}', call_id="c9"), reward=0.25, is_finished=True)
    out = capsys.readouterr().out
    assert "tool call" in out and "search" in out and "call_id=c9" in out
    assert '"q": "x"' in out  # arguments pretty-printed
    assert "reward=0.25" in out and "[finished]" in out
    assert "\033[" not in out  # no colour codes when not a terminal

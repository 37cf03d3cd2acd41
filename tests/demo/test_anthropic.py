"""The real Anthropic SDK against the offline Messages API."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import pytest

from openreward_nb import demo
from openreward_nb.demo import DemoEnvironment, Task

from .agents import AnthropicLoop
from .test_openai import check_episode

THINKING = {"type": "enabled", "budget_tokens": 2048}


def tool_uses(message: Any) -> list:
    return [block for block in message.content if block.type == "tool_use"]


@pytest.mark.parametrize("thinking", [True, False], ids=["thinking", "no-thinking"])
@pytest.mark.parametrize("mode", ["create", "stream", "helper"])
def test_episode(environment: DemoEnvironment, task: Task, mode: str, thinking: bool) -> None:
    params = {"thinking": THINKING} if thinking else {}
    with environment.session(task=task) as session:
        transcript = AnthropicLoop(demo.anthropic_client(offline=True), session, "demo-strong", mode, **params).play()
    check_episode(transcript)
    assert sum(1 for message in transcript.responses if len(tool_uses(message)) == 2) == 1
    for message in transcript.responses[:-1]:
        first = message.content[0]
        assert first.type == ("thinking" if thinking else "text")
        if thinking:
            assert first.thinking and len(first.signature) > 200
        else:  # Claude without extended thinking says what it is about to do
            assert first.text and not any(block.type == "thinking" for block in message.content)
        assert message.stop_reason == "tool_use" and message.id.startswith("msg_01")
        assert all(block.id.startswith("toolu_01") for block in tool_uses(message))
    last = transcript.responses[-1]
    assert last.stop_reason == "end_turn" and last.content[-1].type == "text"
    assert last.usage.output_tokens > 0 and last.usage.input_tokens > 0


@pytest.mark.parametrize("mode", ["create", "helper"])
def test_episode_async(environment: DemoEnvironment, task: Task, mode: str) -> None:
    with environment.session(task=task) as session:
        loop = AnthropicLoop(demo.async_anthropic_client(offline=True), session, "demo-strong", mode, thinking=THINKING)
        check_episode(asyncio.run(loop.aplay()))


def test_stream_events(environment: DemoEnvironment, task: Task) -> None:
    with environment.session(task=task) as session:
        transcript = AnthropicLoop(
            demo.anthropic_client(offline=True), session, "demo-strong", "stream", thinking=THINKING
        ).play()
    collapsed = [[kind for kind, _ in itertools.groupby(events)] for events in transcript.stream_events]
    block = ["content_block_start", "content_block_delta", "content_block_stop"]
    assert collapsed[0] == ["message_start", *block, *block, "message_delta", "message_stop"]
    assert collapsed[1] == ["message_start", *block, *block, *block, "message_delta", "message_stop"]


def test_stream_helper_sees_thinking_signature_and_json_deltas(environment: DemoEnvironment, task: Task) -> None:
    client = demo.anthropic_client(offline=True)
    with environment.session(task=task) as session:
        messages = [{"role": "user", "content": session.get_prompt()[0].text}]
        tools = session.list_tools(format="anthropic")
        with client.messages.stream(
            model="demo-strong", max_tokens=1024, tools=tools, messages=messages, thinking=THINKING
        ) as stream:
            deltas = [event.delta.type for event in stream if event.type == "content_block_delta"]
            message = stream.get_final_message()
    assert {"thinking_delta", "signature_delta", "input_json_delta"} <= set(deltas)
    assert [block.type for block in message.content] == ["thinking", "tool_use"]
    assert message.content[1].input == {"command": "find /challenge -type f"}

"""The real OpenAI SDK against the offline Responses and Chat Completions APIs (OpenAI and OpenRouter)."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from openreward_nb import demo
from openreward_nb.demo import DemoEnvironment, Task

from .agents import ChatLoop, ResponsesLoop, Transcript
from .conftest import Wire

MODES = ["create", "stream", "helper"]
FLAG = "flag{tw0_l4yers_0f_enc0ding}"


def check_episode(transcript: Transcript) -> None:
    """Solved, every call answered exactly once, ids unique, and a parallel turn among them."""
    assert transcript.reward == 1.0
    assert transcript.calls[-1][1:] == ("submit_flag", {"flag": FLAG})
    call_ids = [call_id for call_id, _, _ in transcript.calls]
    assert len(set(call_ids)) == len(call_ids) == len(transcript.results)
    assert all(not r.finished for r in list(transcript.results.values())[:-1])
    assert transcript.final_text == f"Solved: the flag is {FLAG}."


def parallel_turns(transcript: Transcript, calls_of: object) -> int:
    return sum(1 for response in transcript.responses if len(calls_of(response)) == 2)  # type: ignore[operator]


def responses_calls(response: object) -> list:
    return [item for item in response.output if item.type == "function_call"]  # type: ignore[attr-defined]


@pytest.mark.parametrize("mode", MODES)
def test_responses_episode(environment: DemoEnvironment, task: Task, mode: str) -> None:
    with environment.session(task=task) as session:
        transcript = ResponsesLoop(demo.openai_client(offline=True), session, "demo-strong", mode).play()
    check_episode(transcript)
    assert parallel_turns(transcript, responses_calls) == 1
    for response in transcript.responses:
        reasoning = response.output[0]
        assert reasoning.type == "reasoning" and reasoning.summary[0].text.startswith("**")
        assert reasoning.encrypted_content is None
        assert response.usage.output_tokens_details.reasoning_tokens > 0 and response.status == "completed"


@pytest.mark.parametrize("mode", MODES)
def test_responses_episode_async(environment: DemoEnvironment, task: Task, mode: str) -> None:
    with environment.session(task=task) as session:
        loop = ResponsesLoop(demo.async_openai_client(offline=True), session, "demo-strong", mode)
        check_episode(asyncio.run(loop.aplay()))


def test_responses_stream_events(environment: DemoEnvironment, task: Task) -> None:
    with environment.session(task=task) as session:
        transcript = ResponsesLoop(demo.openai_client(offline=True), session, "demo-strong", "stream").play()
    collapsed = [[kind for kind, _ in itertools.groupby(events)] for events in transcript.stream_events]
    reasoning = [
        "response.output_item.added",
        "response.reasoning_summary_part.added",
        "response.reasoning_summary_text.delta",
        "response.reasoning_summary_text.done",
        "response.reasoning_summary_part.done",
        "response.output_item.done",
    ]
    call = [
        "response.output_item.added",
        "response.function_call_arguments.delta",
        "response.function_call_arguments.done",
        "response.output_item.done",
    ]
    message = [
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.delta",
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
    ]
    start, end = ["response.created", "response.in_progress"], ["response.completed"]
    assert collapsed[0] == start + reasoning + call + end
    assert collapsed[1] == start + reasoning + call + call + end
    assert collapsed[-1] == start + reasoning + message + end


def test_encrypted_reasoning_when_included(environment: DemoEnvironment, task: Task, wire: Wire) -> None:
    import openai

    client = openai.OpenAI(api_key="k", http_client=wire.client())
    with environment.session(task=task) as session:
        transcript = ResponsesLoop(
            client, session, "demo-strong", include=["reasoning.encrypted_content"], reasoning={"summary": "detailed"}
        ).play()
    check_episode(transcript)
    reasoning = [r.output[0] for r in transcript.responses]
    assert all(item.encrypted_content.startswith("gAAAAAB") for item in reasoning)
    sent_back = [item for item in wire.requests()[-1]["input"] if item.get("type") == "reasoning"]
    assert [item["encrypted_content"] for item in sent_back] == [item.encrypted_content for item in reasoning[:-1]]
    assert transcript.responses[0].reasoning.summary == "detailed"


def chat_calls(completion: object) -> list:
    return completion.choices[0].message.tool_calls or []  # type: ignore[attr-defined]


CHAT_CLIENTS = {"openai": demo.openai_client, "openrouter": demo.openrouter_client}
ASYNC_CHAT_CLIENTS = {"openai": demo.async_openai_client, "openrouter": demo.async_openrouter_client}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("provider", CHAT_CLIENTS)
def test_chat_episode(environment: DemoEnvironment, task: Task, provider: str, mode: str) -> None:
    with environment.session(task=task) as session:
        transcript = ChatLoop(CHAT_CLIENTS[provider](offline=True), session, "demo-strong", mode).play()
    check_episode(transcript)
    assert parallel_turns(transcript, chat_calls) == 1
    finish = [c.choices[0].finish_reason for c in transcript.responses]
    assert finish == ["tool_calls"] * (len(finish) - 1) + ["stop"]
    assert all(c.usage.completion_tokens_details.reasoning_tokens > 0 for c in transcript.responses)
    if mode == "helper":
        assert "tool_calls.function.arguments.done" in transcript.stream_events[0]


@pytest.mark.parametrize("mode", ["create", "stream"])
@pytest.mark.parametrize("provider", ASYNC_CHAT_CLIENTS)
def test_chat_episode_async(environment: DemoEnvironment, task: Task, provider: str, mode: str) -> None:
    with environment.session(task=task) as session:
        loop = ChatLoop(ASYNC_CHAT_CLIENTS[provider](offline=True), session, "demo-strong", mode)
        check_episode(asyncio.run(loop.aplay()))


@pytest.mark.parametrize("mode", ["create", "helper"])
def test_openrouter_messages_carry_reasoning(environment: DemoEnvironment, task: Task, mode: str) -> None:
    with environment.session(task=task) as session:
        transcript = ChatLoop(demo.openrouter_client(offline=True), session, "anthropic/demo-strong", mode).play()
    completion = transcript.responses[0]
    extra = completion.choices[0].message.model_extra
    assert extra["reasoning"].startswith("I'll start by listing every file")
    (detail,) = extra["reasoning_details"]
    assert detail["type"] == "reasoning.text" and detail["format"] == "anthropic-claude-v1"
    assert detail["text"] == extra["reasoning"] and len(detail["signature"]) > 100
    assert completion.id.startswith("gen-") and completion.usage.model_extra["cost"] > 0


def test_openai_chat_shows_no_reasoning(environment: DemoEnvironment, task: Task) -> None:
    with environment.session(task=task) as session:
        transcript = ChatLoop(demo.openai_client(offline=True), session, "demo-strong").play()
    message = transcript.responses[0].choices[0].message
    assert message.content is None and not message.model_extra
    assert transcript.responses[0].id.startswith("chatcmpl-")


@pytest.mark.parametrize("include_usage", [True, False])
def test_chat_stream_usage_chunk_only_when_asked(
    environment: DemoEnvironment, task: Task, wire: Wire, include_usage: bool
) -> None:
    import openai

    client = openai.OpenAI(api_key="k", http_client=wire.client())
    messages = [{"role": "user", "content": environment.session(task=task).get_prompt()[0].text}]
    options = {"stream_options": {"include_usage": True}} if include_usage else {}
    chunks = list(
        client.chat.completions.create(
            model="demo-strong", messages=messages, tools=environment.list_tools("openrouter"), stream=True, **options
        )
    )
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[0].choices[0].delta.tool_calls is None and chunks[1].choices[0].delta.tool_calls[0].id
    assert (chunks[-1].choices == [] and chunks[-1].usage.total_tokens > 0) is include_usage
    assert wire.exchanges[0][1].content.endswith(b"data: [DONE]\n\n")

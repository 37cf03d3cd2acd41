"""Chat completions from OpenAI-compatible servers (OpenRouter, vLLM, SGLang, Together, Groq, DeepSeek, LiteLLM):
streamed or not, captured or logged, the same events: one assistant message, its reasoning (with its signature
or encrypted state), each tool call whole, and the usage. Driven through the real openai SDK; the servers'
wire formats are in :mod:`.openai_compatible`, each with its source."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx2
import pytest

from openreward_nb.capture import uninstall

from .openai_compatible import (
    CACHED_TOKENS,
    CALLS,
    COMPLETION_TOKENS,
    ENCRYPTED,
    PROMPT_TOKENS,
    REASONING_TOKENS,
    SERVERS,
    SIGNATURE,
    SUMMARY,
    TEXT,
    Server,
)

PROMPT = [{"role": "user", "content": "Find the flag."}]


@pytest.fixture(autouse=True)
def _remove_wrappers():
    yield
    uninstall()


def client_for(server: Server, stream: bool) -> Any:
    """``openai.OpenAI`` pointed at ``server``, answering with its stream or its whole completion."""
    import openai

    def answer(request: httpx2.Request) -> httpx2.Response:
        if stream:
            return httpx2.Response(200, content=server.sse(), headers={"content-type": "text/event-stream"})
        return httpx2.Response(200, json=server.completion())

    http = httpx2.Client(transport=httpx2.MockTransport(answer))
    return openai.OpenAI(api_key="test", base_url=f"https://{server.name}.example/v1", http_client=http, max_retries=0)


def shape(events: list[Any]) -> list[tuple[Any, ...]]:
    """What must not depend on streaming: each event's fields, its model, usage and stop reason."""
    return [
        (e.type, e.content, e.content_reference, e.summary, e.name, e.call_id, e.kind, e.model, e.usage, e.stop_reason)
        for e in events
    ]


def stored(client: Any, rollout: Any) -> list[Any]:
    client.rollout.flush()
    return list(client.rollouts.get(rollout.id).events())


def expected_reasoning(server: Server) -> tuple[str | None, str | None, str | None] | None:
    """(content, content_reference, summary) of the reasoning event the server's answer gives."""
    if server.reasoning_text is None:
        return None
    if server.details == "text+signature":
        return server.reasoning_text, f"openrouter:reasoning.text:{SIGNATURE}", None
    if server.details == "summary+encrypted":
        return server.reasoning_text, f"openrouter:reasoning.encrypted:{ENCRYPTED}", SUMMARY
    if server.thinking_blocks:
        return server.reasoning_text, f"anthropic:thinking:{SIGNATURE}", None
    return server.reasoning_text, None, None


def check_answer(server: Server, events: list[Any]) -> None:
    """The answer's events: reasoning (if any), one assistant message, each tool call whole, usage once."""
    reasoning = expected_reasoning(server)
    kinds = [e.type for e in events]
    assert kinds == (["reasoning"] if reasoning else []) + ["assistant_message", "tool_call", "tool_call"], kinds
    if reasoning:
        assert (events[0].content, events[0].content_reference, events[0].summary) == reasoning
    [message] = [e for e in events if e.type == "assistant_message"]
    assert message.content == TEXT and message.kind is None
    calls = [e for e in events if e.type == "tool_call"]
    assert [(c.call_id, c.name, json.loads(c.content)) for c in calls] == [
        (call_id, name, args) for call_id, name, args in CALLS
    ]
    assert [e.usage is not None for e in events] == [False] * (len(events) - 1) + [True]
    usage = events[-1].usage
    assert (usage.input_tokens, usage.output_tokens, usage.reasoning_tokens, usage.cached_tokens) == (
        PROMPT_TOKENS,
        COMPLETION_TOKENS,
        REASONING_TOKENS,
        CACHED_TOKENS,
    )
    assert events[-1].stop_reason == "tool_calls" and {e.model for e in events} == {server.model}


def captured(client: Any, name: str, call: Callable[[], Any]) -> list[Any]:
    """The answer's events when ``call`` runs in a capture scope (the prompt, recorded first, left out)."""
    rollout = client.rollout.create("compatible", rollout_name=name)
    with client.rollout.capture(rollout):
        call()
    events = stored(client, rollout)
    assert events[0].type == "user_message" and events[0].content == "Find the flag."
    return events[1:]


def logged(client: Any, name: str, value: Any) -> list[Any]:
    rollout = client.rollout.create("compatible", rollout_name=name)
    rollout.log_openai_completions(value)
    return stored(client, rollout)


@pytest.mark.parametrize("server", SERVERS, ids=[s.name for s in SERVERS])
def test_non_streamed_completion_gives_the_answer(client, server: Server) -> None:
    completion = client_for(server, False).chat.completions.create(model=server.model, messages=PROMPT)
    check_answer(server, logged(client, "completion", completion))
    check_answer(
        server,
        captured(
            client,
            "create",
            lambda: client_for(server, False).chat.completions.create(model=server.model, messages=PROMPT),
        ),
    )


@pytest.mark.parametrize("server", SERVERS, ids=[s.name for s in SERVERS])
def test_stream_captured_gives_the_same_events_as_the_completion(client, server: Server) -> None:
    whole = captured(
        client, "create", lambda: client_for(server, False).chat.completions.create(model=server.model, messages=PROMPT)
    )

    def consume() -> None:
        for _ in client_for(server, True).chat.completions.create(model=server.model, messages=PROMPT, stream=True):
            pass

    streamed = captured(client, "stream=True", consume)
    check_answer(server, streamed)
    assert shape(streamed) == shape(whole)


@pytest.mark.parametrize("server", SERVERS, ids=[s.name for s in SERVERS])
def test_logged_chunks_give_the_same_events_as_the_completion(client, server: Server) -> None:
    completion = client_for(server, False).chat.completions.create(model=server.model, messages=PROMPT)
    chunks = list(client_for(server, True).chat.completions.create(model=server.model, messages=PROMPT, stream=True))
    assert shape(logged(client, "chunks", chunks)) == shape(logged(client, "completion", completion))


@pytest.mark.parametrize("server", [s for s in SERVERS if s.sdk_helper_merges], ids=lambda s: s.name)
def test_stream_helper_captured_and_its_merged_message_logged(client, server: Server) -> None:
    """``client.chat.completions.stream()``: the SDK merges the chunks itself, joining a repeated role
    (``assistantassistant...``); capture and ``log_openai_completions`` of its result still see the answer."""
    whole = captured(
        client, "create", lambda: client_for(server, False).chat.completions.create(model=server.model, messages=PROMPT)
    )
    final: list[Any] = []

    def helper() -> None:
        with client_for(server, True).chat.completions.stream(model=server.model, messages=PROMPT) as stream:
            for _ in stream:
                pass
            final.append(stream.get_final_completion())

    assert shape(captured(client, "stream helper", helper)) == shape(whole)
    merged = final[0]
    if server.role_every_chunk:
        assert merged.choices[0].message.role.startswith("assistantassistant")  # the SDK's merge, as issue 15 saw it
    result = shape(logged(client, "helper result", merged))
    if server.usage_style == "x_groq":  # the SDK's merge keeps no top-level field of later chunks: usage is lost
        result, whole = [row[:8] + row[9:] for row in result], [row[:8] + row[9:] for row in shape(whole)]
    else:
        whole = shape(whole)
    assert result == whole
    message_only = shape(logged(client, "helper message", merged.choices[0].message))
    assert [row[:7] for row in message_only] == [row[:7] for row in whole]


def test_the_sdk_merge_fails_where_ours_does_not() -> None:
    """Why capture merges chunks itself: the openai SDK's merge refuses fragments without an index."""
    from openai.lib.streaming.chat import ChatCompletionStreamState

    from openreward_nb.providers.openai_chat import merge_chunks

    server = next(s for s in SERVERS if s.name == "no-tool-index")
    chunks = list(client_for(server, True).chat.completions.create(model=server.model, messages=PROMPT, stream=True))
    state = ChatCompletionStreamState()
    with pytest.raises((RuntimeError, TypeError)):
        for chunk in chunks:
            state.handle_chunk(chunk)
    merged = merge_chunks(chunks)
    calls = merged["choices"][0]["message"]["tool_calls"]
    assert [(c["id"], c["function"]["name"], json.loads(c["function"]["arguments"])) for c in calls] == [
        (call_id, name, args) for call_id, name, args in CALLS
    ]


def test_async_stream_is_merged_the_same_way(client) -> None:
    import asyncio

    import openai

    server = next(s for s in SERVERS if s.name == "openrouter-claude")
    whole = captured(
        client, "create", lambda: client_for(server, False).chat.completions.create(model=server.model, messages=PROMPT)
    )

    def answer(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, content=server.sse(), headers={"content-type": "text/event-stream"})

    aclient = openai.AsyncOpenAI(
        api_key="test",
        base_url="https://openrouter.ai/api/v1",
        http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(answer)),
    )
    rollout = client.rollout.create("compatible", rollout_name="async")

    async def main() -> None:
        async with client.rollout.capture(rollout):
            stream = await aclient.chat.completions.create(model=server.model, messages=PROMPT, stream=True)
            async for _ in stream:
                pass

    asyncio.run(main())
    assert shape(stored(client, rollout)[1:]) == shape(whole)

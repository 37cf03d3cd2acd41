"""Capture of real SDK calls (driven offline by the demo providers) into rollouts."""

from __future__ import annotations

import asyncio
import json
import warnings

import pytest

from openreward_nb.capture import uninstall
from openreward_nb.demo import (
    anthropic_client,
    async_anthropic_client,
    async_openai_client,
    gemini_client,
    openai_client,
    openrouter_client,
)

from ..demo.faults import failing
from .loops import anthropic_loop, chat_loop, seed_loop, session


@pytest.fixture(autouse=True)
def _remove_wrappers():
    yield
    uninstall()


def core(events):
    return [(e.type, e.content, e.name, e.call_id) for e in events]


def unique(events) -> bool:
    """No message stored twice (reasoning told apart by its reference and summary)."""
    keys = [(e.type, e.content, e.summary, e.content_reference, e.call_id) for e in events]
    return len(set(keys)) == len(keys)


def stored(client, rollout):
    client.rollout.flush()
    return list(client.rollouts.get(rollout.id).events())


def test_seed_loop_pasted_into_capture_gives_one_event_per_message(client) -> None:
    explicit_only = client.rollout.create("seed", rollout_name="explicit")
    seed_loop(openai_client(offline=True), explicit_only)
    captured = client.rollout.create("seed", rollout_name="captured")
    with client.rollout.capture(captured):
        seed_loop(openai_client(offline=True), captured)
    plain, both = stored(client, explicit_only), stored(client, captured)
    assert core(both) == core(plain)
    assert [(e.reward, e.is_finished) for e in both] == [(e.reward, e.is_finished) for e in plain]
    assert unique(both)  # nothing logged twice
    tool_calls = [e for e in both if e.type == "tool_call"]
    assert len(tool_calls) >= 4 and all(e.model == "demo-strong" for e in tool_calls)
    rec = client.rollouts.get(captured.id)
    assert rec.is_finished and rec.total_reward == 1.0 and rec.input_tokens > 0 and rec.n_turns >= 3


def test_capture_alone_stores_history_once_with_call_metadata(client) -> None:
    rollout = client.rollout.create("seed", rollout_name="capture-only")
    with client.rollout.capture(rollout) as recorder:
        input_list = seed_loop(openai_client(offline=True), None)
    events = stored(client, rollout)
    sent = [item for item in input_list if not (isinstance(item, dict) and item.get("type") == "function_call_output")]
    assert recorder.calls >= 3
    # every message the loop produced is stored once, except the last tool output, never sent back to the model
    assert unique(events)
    results = [e for e in events if e.type == "tool_result"]
    calls = [e for e in events if e.type == "tool_call"]
    assert len(results) == len(calls) - 1
    assert events[0].type == "user_message" and len(sent) > 1
    firsts = [e for e in events if e.metadata and e.metadata.get("provider") == "openai"]
    assert len(firsts) == recorder.calls
    meta = firsts[0].metadata
    assert (
        meta["endpoint"] == "responses" and meta["model"] == "demo-strong" and meta["tools"] == ["bash", "submit_flag"]
    )
    assert all(e.latency_ms is not None and e.latency_ms >= 0 for e in firsts)
    assert sum(1 for e in events if e.usage is not None) == recorder.calls


def test_explicit_log_of_a_captured_message_attaches_its_reward(client) -> None:
    oai = openai_client(offline=True)
    environment, sess = session()
    tools = environment.list_tools(format="openai")
    rollout = client.rollout.create("attach")
    with client.rollout.capture(rollout), sess:
        inputs = [{"role": "user", "content": sess.get_prompt()[0].text}]
        response = oai.responses.create(model="demo-strong", tools=tools, input=inputs)
        inputs += response.output
        call = next(i for i in response.output if i.type == "function_call")
        result = sess.call_tool(call.name, json.loads(call.arguments))
        output = {"type": "function_call_output", "call_id": call.call_id, "output": result.blocks[0].text}
        inputs.append(output)
        oai.responses.create(model="demo-strong", tools=tools, input=inputs)  # captures the tool output
        before = len(stored(client, rollout))
        rollout.log_openai_response(output, reward=0.5, metadata={"judge": "unit"})
        rollout.log_openai_response(response)  # already captured: claims, adds nothing
    events = stored(client, rollout)
    assert len(events) == before
    [tool_result] = [e for e in events if e.type == "tool_result"]
    assert tool_result.reward == 0.5 and tool_result.metadata == {"judge": "unit"}
    assert client.rollouts.get(rollout.id).total_reward == 0.5


def test_calls_outside_a_scope_are_not_recorded(client) -> None:
    rollout = client.rollout.create("scoped")
    oai = openai_client(offline=True)
    with client.rollout.capture(rollout):
        oai.responses.create(model="demo-strong", input="inside")
    oai.responses.create(model="demo-strong", input="outside")
    contents = [e.content for e in stored(client, rollout) if e.type == "user_message"]
    assert contents == ["inside"]


@pytest.mark.parametrize("how", ["stream=True", "stream helper"])
def test_openai_responses_streams(client, how) -> None:
    oai = openai_client(offline=True)
    plain = client.rollout.create("stream", rollout_name="plain")
    with client.rollout.capture(plain):
        expected = oai.responses.create(model="demo-strong", input="list the files")
    rollout = client.rollout.create("stream", rollout_name=how)
    with client.rollout.capture(rollout):
        if how == "stream=True":
            for _ in openai_client(offline=True).responses.create(
                model="demo-strong", input="list the files", stream=True
            ):
                pass
        else:
            with openai_client(offline=True).responses.stream(model="demo-strong", input="list the files") as s:
                final = s.get_final_response()
            assert final.id == expected.id
    assert core(stored(client, rollout)) == core(stored(client, plain))
    usage_events = [e for e in stored(client, rollout) if e.usage is not None]
    assert len(usage_events) == 1 and usage_events[0].usage.output_tokens > 0


@pytest.mark.parametrize("factory", [openai_client, openrouter_client], ids=["openai", "openrouter"])
@pytest.mark.parametrize("stream", [False, True], ids=["create", "stream"])
def test_chat_completions(client, factory, stream) -> None:
    rollout = client.rollout.create("chat")
    with client.rollout.capture(rollout):
        messages = chat_loop(factory(offline=True), stream=stream)
    events = stored(client, rollout)
    assert [e.type for e in events[:2]] == ["system_message", "user_message"]
    n_calls = sum(len(m.get("tool_calls") or []) for m in messages)
    assert sum(e.type == "tool_call" for e in events) == n_calls
    assert sum(e.type == "tool_result" for e in events) == sum(m["role"] == "tool" for m in messages)
    assert unique(events)
    if factory is openrouter_client:
        assert any(e.type == "reasoning" for e in events)
    assert events[-1].type == "assistant_message"


@pytest.mark.parametrize("stream", [False, True], ids=["create", "stream helper"])
def test_anthropic_messages(client, stream) -> None:
    rollout = client.rollout.create("anthropic")
    with client.rollout.capture(rollout):
        messages = anthropic_loop(anthropic_client(offline=True), stream=stream)
    events = stored(client, rollout)
    assert events[0].type == "system_message" and events[1].type == "user_message"
    thinking = [e for e in events if e.type == "reasoning"]
    assert thinking and all(e.content_reference for e in thinking)
    uses = sum(1 for m in messages if m["role"] == "assistant" for b in m["content"] if b.type == "tool_use")
    assert sum(e.type == "tool_call" for e in events) == uses
    assert sum(e.type == "tool_result" for e in events) == uses
    assert unique(events)


def test_anthropic_raw_stream_and_async(client) -> None:
    rollout = client.rollout.create("anthropic-async")

    async def main() -> None:
        aclient = async_anthropic_client(offline=True)
        async with client.rollout.capture(rollout):
            stream = await aclient.messages.create(
                model="demo-strong", max_tokens=512, messages=[{"role": "user", "content": "go"}], stream=True
            )
            async for _ in stream:
                pass
            await aclient.messages.create(
                model="demo-strong", max_tokens=512, messages=[{"role": "user", "content": "again"}]
            )

    asyncio.run(main())
    events = stored(client, rollout)
    assert [e.content for e in events if e.type == "user_message"] == ["go", "again"]
    assert sum(e.usage is not None for e in events) == 2


def test_gemini_generate_stream_chats_and_aio(client) -> None:
    from google.genai import types

    gclient = gemini_client(offline=True)
    environment, _sess = session()
    config = types.GenerateContentConfig(
        tools=[types.Tool(function_declarations=environment.list_tools(format="google"))],
        thinking_config=types.ThinkingConfig(include_thoughts=True),
        automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
        temperature=0.2,
    )
    rollout = client.rollout.create("gemini")
    with client.rollout.capture(rollout):
        gclient.models.generate_content(model="demo-strong", contents="first", config=config)
        for _ in gclient.models.generate_content_stream(model="demo-strong", contents="second", config=config):
            pass
        chat = gclient.chats.create(model="demo-strong", config=config)
        chat.send_message("third")

        async def aio() -> None:
            await gclient.aio.models.generate_content(model="demo-strong", contents="fourth", config=config)

        asyncio.run(aio())
    events = stored(client, rollout)
    assert [e.content for e in events if e.type == "user_message"] == ["first", "second", "third", "fourth"]
    firsts = [e for e in events if e.metadata and e.metadata.get("provider") == "gemini"]
    assert len(firsts) == 4 and firsts[0].metadata["temperature"] == 0.2
    assert sum(e.usage is not None for e in events) == 4  # a stream's usage counted once
    assert any(e.type == "reasoning" for e in events)
    assert sum(e.type == "assistant_message" or e.type == "tool_call" for e in events) >= 4


def test_two_tasks_record_two_rollouts_without_mixing(client) -> None:
    a = client.rollout.create("tasks", rollout_name="a")
    b = client.rollout.create("tasks", rollout_name="b")

    async def agent(rollout, prompt: str) -> None:
        oai = async_openai_client(offline=True)
        async with client.rollout.capture(rollout):
            for i in range(3):
                await oai.responses.create(model="demo-strong", input=f"{prompt} {i}")
                await asyncio.sleep(0)

    async def main() -> None:
        await asyncio.gather(agent(a, "alpha"), agent(b, "beta"))

    asyncio.run(main())
    for rollout, word in ((a, "alpha"), (b, "beta")):
        prompts = [e.content for e in stored(client, rollout) if e.type == "user_message"]
        assert prompts == [f"{word} {i}" for i in range(3)]


def test_decorator_sync_and_async(client) -> None:
    rollout = client.rollout.create("decorated")
    oai = openai_client(offline=True)

    @client.rollout.capture(rollout)
    def ask(text: str) -> None:
        oai.responses.create(model="demo-strong", input=text)

    @client.rollout.capture(rollout)
    async def ask_async(text: str) -> None:
        await async_openai_client(offline=True).responses.create(model="demo-strong", input=text)

    ask("sync")
    asyncio.run(ask_async("async"))
    oai.responses.create(model="demo-strong", input="undecorated")
    assert [e.content for e in stored(client, rollout) if e.type == "user_message"] == ["sync", "async"]


def test_provider_error_is_recorded_and_raised_unchanged(client) -> None:
    import openai

    oai = openai_client(offline=True, transport=failing({1: 429}), max_retries=0)
    rollout = client.rollout.create("errors")
    with client.rollout.capture(rollout):
        with pytest.raises(openai.RateLimitError) as info:
            oai.responses.create(model="demo-strong", input="hello")
    assert info.value.status_code == 429
    events = stored(client, rollout)
    assert [e.type for e in events] == ["user_message", "assistant_message"]
    error = events[1]
    assert error.kind == "provider_error" and error.is_error and "RateLimitError" in error.content
    assert error.metadata["error"].startswith("RateLimitError")


def test_a_stream_dropped_early_is_recorded_when_the_scope_ends(client) -> None:
    rollout = client.rollout.create("partial")
    with client.rollout.capture(rollout):
        stream = openai_client(offline=True).responses.create(model="demo-strong", input="partial", stream=True)
        next(iter(stream))
        assert stored(client, rollout) == []  # not finished yet
    events = stored(client, rollout)
    assert events[0].content == "partial" and events[0].type == "user_message"


def test_a_recording_failure_never_breaks_the_agent(client, monkeypatch) -> None:
    from openreward_nb.providers.openai_responses import adapter

    def broken(*args, **kwargs):
        raise RuntimeError("adapter bug")

    monkeypatch.setattr(adapter, "response_events", broken)
    rollout = client.rollout.create("robust")
    with client.rollout.capture(rollout), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        response = openai_client(offline=True).responses.create(model="demo-strong", input="still works")
    assert response.output  # the user got the SDK's response
    assert any("could not record" in str(w.message) for w in caught)


@pytest.mark.parametrize("mode", ["create", "stream", "chat"])
def test_gemini_episodes_store_each_message_once(client, mode) -> None:
    from ..demo.agents import GeminiLoop

    _environment, sess = session()
    rollout = client.rollout.create("gemini-episode", rollout_name=mode)
    with client.rollout.capture(rollout), sess:
        transcript = GeminiLoop(gemini_client(offline=True), sess, "demo-strong", mode).play()
    events = stored(client, rollout)
    assert unique(events)
    assert sum(e.type == "tool_call" for e in events) == len(transcript.calls)
    # the loop sends every tool result back (the last one to get the closing text): all are captured
    assert sum(e.type == "tool_result" for e in events) == len(transcript.calls)
    assert events[-1].type == "assistant_message" and events[-1].content == transcript.final_text

"""request_events: a request's input as sent, with its system prompt; a model turn replayed as input in the
next request gives the same events as the response it came from (what history de-duplication matches on)."""

from __future__ import annotations

import pytest

from openreward_nb.providers import anthropic, gemini, openai_chat, openai_responses

from .harness import anthropic_create, chat_create, gemini_generate, recorded, responses_create

FIELDS = ("type", "content", "content_reference", "summary", "name", "call_id")


def project(events) -> list[tuple]:
    return [tuple(getattr(e, f) for f in FIELDS) for e in events]


REPLAYS = [
    ("openai_responses", "reasoning_summary_then_function_call", "function_call_output_followup", slice(2, 4)),
    ("openai_chat", "parallel_tool_calls", "tool_role_messages_followup", slice(2, 4)),
    ("anthropic", "thinking_signature_then_tool_use", "thinking_and_tool_result_followup", slice(1, 4)),
    ("gemini", "thought_parts_with_signature", "thought_parts_echoed_in_history", slice(2, 4)),
]


def _response(provider: str, case: str):
    body = recorded(provider, case).body
    return {
        "openai_responses": (openai_responses, responses_create),
        "openai_chat": (openai_chat, chat_create),
        "anthropic": (anthropic, anthropic_create),
        "gemini": (gemini, gemini_generate),
    }[provider][1](body)


def _request_events(provider: str, request: dict):
    if provider == "openai_responses":
        return openai_responses.request_events(request["input"], request.get("instructions"))
    if provider == "openai_chat":
        return openai_chat.request_events(request["messages"])
    if provider == "anthropic":
        return anthropic.request_events(request["messages"], request.get("system"))
    return gemini.request_events(request["contents"], request.get("systemInstruction"))


@pytest.mark.parametrize("provider, answered, followup, replayed", REPLAYS)
def test_a_replayed_turn_gives_the_events_of_its_response(provider, answered, followup, replayed) -> None:
    module = {
        "openai_responses": openai_responses,
        "openai_chat": openai_chat,
        "anthropic": anthropic,
        "gemini": gemini,
    }[provider]
    from_response = module.response_events(_response(provider, answered))
    from_request = _request_events(provider, recorded(provider, followup).request)[replayed]
    assert project(from_response) == project(from_request) and from_response


def test_responses_instructions_and_string_input() -> None:
    events = openai_responses.request_events("Find the flag.", "You solve CTF tasks.")
    assert project(events) == [
        ("system_message", "You solve CTF tasks.", None, None, None, None),
        ("user_message", "Find the flag.", None, None, None, None),
    ]
    assert events[0].raw.to_dict() == {
        "provider": "openai_responses",
        "item": {"instructions": "You solve CTF tasks."},
    }
    assert openai_responses.request_events(None) == []


def test_anthropic_system_string_or_blocks() -> None:
    messages = [{"role": "user", "content": "go"}]
    assert [e.content for e in anthropic.request_events(messages, "sys")] == ["sys", "go"]
    blocks = [
        {"type": "text", "text": "part one"},
        {"type": "text", "text": "part two", "cache_control": {"type": "ephemeral"}},
    ]
    events = anthropic.request_events(messages, blocks)
    assert [(e.type, e.content) for e in events] == [
        ("system_message", "part one"),
        ("system_message", "part two"),
        ("user_message", "go"),
    ]
    assert events[1].raw.to_dict()["item"]["cache_control"] == {"type": "ephemeral"}


def test_gemini_contents_in_every_form_google_genai_takes() -> None:
    from google.genai import types

    user = ("user_message", "hi", None, None, None, None)
    assert project(gemini.request_events("hi")) == [user]
    assert project(gemini.request_events(["hi", types.Part(text="there")])) == [
        user,
        ("user_message", "there", None, None, None, None),
    ]
    assert project(gemini.request_events(types.Content(role="user", parts=[types.Part(text="hi")]))) == [user]
    history = [
        types.Content(role="user", parts=[types.Part(text="hi")]),
        {"role": "model", "parts": [{"text": "hello"}]},
        "again",
    ]
    assert [e.type for e in gemini.request_events(history)] == ["user_message", "assistant_message", "user_message"]
    system = gemini.request_events("hi", types.Content(parts=[types.Part(text="Be brief.")]))
    assert project(system)[0] == ("system_message", "Be brief.", None, None, None, None)
    assert project(gemini.request_events("hi", "Be brief.")) == project(system)

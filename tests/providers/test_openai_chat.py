"""rollout.log_openai_completions: Chat Completions (OpenAI, OpenRouter) from the real openai client, and message dicts."""

from __future__ import annotations

import json

import pytest

from . import payloads as P
from .harness import chat_create, openai_client, recorded, sse_events, stored


@pytest.fixture
def rollout(client):
    return client.rollout.create("chat")


def _projection(events):
    return [(e.type, e.content, e.name, e.call_id, e.kind) for e in events]


def test_completion_records_the_text_and_every_tool_call(rollout) -> None:
    rollout.log_openai_completions(chat_create(P.CHAT_TEXT_AND_TWO_CALLS), reward=1.0)
    text, first, second = stored(rollout)
    message = P.CHAT_TEXT_AND_TWO_CALLS["choices"][0]["message"]
    assert (text.type, text.content) == ("assistant_message", message["content"])
    assert [(c.type, c.name, c.call_id, c.content) for c in (first, second)] == [
        ("tool_call", tc["function"]["name"], tc["id"], tc["function"]["arguments"]) for tc in message["tool_calls"]
    ]
    assert {e.model for e in (text, first, second)} == {"gpt-4.1"}
    assert text.usage is None and first.usage is None and second.usage.input_tokens == 120
    assert second.usage.cached_tokens == 64 and second.stop_reason == "tool_calls"
    assert (text.reward, first.reward, second.reward) == (None, None, 1.0)


def test_message_object_dict_and_completion_agree(client) -> None:
    completion = chat_create(P.CHAT_TEXT_AND_TWO_CALLS)
    message = completion.choices[0].message
    logged = []
    for value in (completion, message, message.model_dump(), [message.model_dump()]):
        rollout = client.rollout.create("chat-forms")
        rollout.log_openai_completions(value)
        logged.append(_projection(stored(rollout)))
    assert logged[0] == logged[1] == logged[2] == logged[3] and len(logged[0]) == 3


def test_parallel_tool_calls_without_text_keep_the_message_in_raw(rollout) -> None:
    rec = recorded("openai_chat", "parallel_tool_calls")
    rollout.log_openai_completions(chat_create(rec.body))
    first, second = stored(rollout)
    assert [e.name for e in (first, second)] == ["delete_file", "create_file"]
    assert first.raw()["message"] == {"annotations": [], "content": None, "refusal": None, "role": "assistant"}
    assert first.raw()["item"]["id"] == first.call_id and "message" not in second.raw()
    assert second.raw()["response"]["choices"][0]["finish_reason"] == "tool_calls"


def test_request_messages_with_tool_results(rollout) -> None:
    messages = recorded("openai_chat", "tool_role_messages_followup").request["messages"]
    rollout.log_openai_completions(messages)
    events = stored(rollout)
    assert [e.type for e in events] == [
        "system_message",
        "user_message",
        "tool_call",
        "tool_call",
        "tool_result",
        "tool_result",
    ]
    assert [e.call_id for e in events[2:4]] == [e.call_id for e in events[4:]]
    assert [e.content for e in events[4:]] == [m["content"] for m in messages[3:]]


def test_streamed_completion_final_object(rollout) -> None:
    rec = recorded("openai_chat", "tool_call_stream_sse")
    client = openai_client(rec.body, rec.content_type)
    with client.chat.completions.stream(model="gpt-4o", messages=rec.request["messages"]) as stream:
        final = stream.get_final_completion()
    rollout.log_openai_completions(final)
    (call,) = stored(rollout)
    chunks = sse_events(rec.body)
    deltas = [tc for c in chunks for choice in c["choices"] for tc in (choice["delta"].get("tool_calls") or [])]
    assert call.type == "tool_call" and call.name == deltas[0]["function"]["name"] and call.call_id == deltas[0]["id"]
    assert call.content == "".join(d["function"].get("arguments") or "" for d in deltas)
    usage = next(c["usage"] for c in chunks if c.get("usage"))
    assert (call.usage.input_tokens, call.usage.output_tokens) == (usage["prompt_tokens"], usage["completion_tokens"])


def test_openrouter_reasoning_and_reasoning_details(rollout) -> None:
    rec = recorded("openrouter_chat", "anthropic_reasoning_details_signature")
    rollout.log_openai_completions(chat_create(rec.body))
    reasoning, answer = stored(rollout)
    message = rec.response["choices"][0]["message"]
    assert (reasoning.type, reasoning.content) == ("reasoning", message["reasoning"])
    signature = message["reasoning_details"][0]["signature"]
    assert reasoning.content_reference == f"openrouter:reasoning.text:{signature}"
    assert reasoning.raw()["item"]["reasoning_details"] == message["reasoning_details"]
    assert (answer.type, answer.content) == ("assistant_message", "ok")
    assert answer.usage.reasoning_tokens == 48 and answer.usage.cache_write_tokens == 0
    assert answer.model == "anthropic/claude-4.5-sonnet-20250929"
    assert answer.raw()["response"]["provider"] == "Amazon Bedrock"


def test_reasoning_summary_and_encrypted_details(rollout) -> None:
    rollout.log_openai_completions(
        {
            "role": "assistant",
            "content": "done",
            "reasoning_details": [
                {"type": "reasoning.summary", "summary": "Checked the files."},
                {"type": "reasoning.encrypted", "data": "gAAAAenc"},
            ],
        }
    )
    reasoning, _ = stored(rollout)
    assert reasoning.content is None and reasoning.summary == "Checked the files."
    assert reasoning.content_reference == "openrouter:reasoning.encrypted:gAAAAenc"


def test_refusal(rollout) -> None:
    rollout.log_openai_completions(chat_create(P.CHAT_REFUSAL))
    (refusal,) = stored(rollout)
    assert (refusal.type, refusal.kind, refusal.content) == ("assistant_message", "refusal", "I can't help with that.")


def test_images_audio_and_files_in_user_content(rollout) -> None:
    rollout.log_openai_completions(P.CHAT_MULTIMODAL_USER)
    (user,) = stored(rollout)
    assert user.content == "What is in these?"
    assert [(a["mime"], a.get("url"), a.get("name")) for a in user.attachments] == [
        ("image/png", None, None),
        (None, "https://files.example.test/board.png", None),
        ("audio/wav", None, None),
        ("application/pdf", None, "task.pdf"),
    ]
    assert user.attachment_bytes(0) == P.PNG and user.attachment_bytes(3) == P.PDF
    parts = user.raw()["item"]["content"]
    assert parts[1]["image_url"]["url"]["$blob"] == user.attachments[0]["sha256"]
    assert P.PNG_B64 not in json.dumps(user.raw())


def test_reasoning_content_custom_and_legacy_tool_calls(rollout) -> None:
    rollout.log_openai_completions(
        {
            "role": "assistant",
            "content": None,
            "reasoning_content": "Need SQL.",
            "tool_calls": [{"id": "call_sql", "type": "custom", "custom": {"name": "sql", "input": "SELECT 1"}}],
            "function_call": {"name": "legacy", "arguments": '{"a":1}'},
        }
    )
    reasoning, custom, legacy = stored(rollout)
    assert (reasoning.type, reasoning.content) == ("reasoning", "Need SQL.")
    assert (custom.name, custom.content, custom.kind, custom.call_id) == ("sql", "SELECT 1", "custom", "call_sql")
    assert (legacy.name, legacy.content, legacy.kind, legacy.call_id) == ("legacy", '{"a":1}', "function_call", None)


def test_empty_content_records_nothing_unless_something_comes_with_it(rollout) -> None:
    rollout.log_openai_completions({"role": "assistant", "content": ""})
    rollout.log_openai_completions({"role": "user", "content": "   "})
    assert stored(rollout) == []
    rollout.log_openai_completions({"role": "tool", "tool_call_id": "c9", "content": ""}, reward=0.0)
    rollout.log_openai_completions({"role": "assistant", "content": ""}, reward=1.0, is_finished=True)
    tool, final = stored(rollout)
    assert (tool.type, tool.kind, tool.call_id, tool.content, tool.reward) == ("tool_result", "empty", "c9", "", 0.0)
    assert (final.type, final.kind, final.reward, final.is_finished) == ("assistant_message", "empty", 1.0, True)


def test_developer_and_unknown_roles(rollout) -> None:
    rollout.log_openai_completions(
        [{"role": "developer", "content": "Be brief."}, {"role": "function", "name": "f", "content": "42"}]
    )
    developer, function = stored(rollout)
    assert (developer.type, developer.content) == ("system_message", "Be brief.")
    assert (function.type, function.kind, function.content) == ("tool_result", "function", "42")

"""Parity with the OpenReward SDK (0.1.167): on every input its serializer functions handle, the normalized
events (type, content, content_reference, summary, name, call_id) are the same as ours.

Where we deliberately differ, the test says so and checks both sides:
- chat: an assistant message's text comes before its tool calls (the SDK puts it after), and
  OpenRouter reasoning is an extra event (the SDK drops it);
- Gemini: the model's own text is recorded (the SDK's role map has no "model", so it drops
  it), and a thought's reference is ``gemini:thought_signature:<base64>`` (the SDK stores
  ``str()`` of the signature: a bytes repr, or the text "None").
"""

from __future__ import annotations

import base64

import pytest

openreward = pytest.importorskip("openreward")
from openreward.api.rollouts.serializers.ant import serialize_anthropic_message  # noqa: E402
from openreward.api.rollouts.serializers.gdm import serialize_gdm_message  # noqa: E402
from openreward.api.rollouts.serializers.oai_completions import openai_completions_to_normalized  # noqa: E402
from openreward.api.rollouts.serializers.oai_responses import serialize_openai_response  # noqa: E402

from openreward_nb.providers import anthropic, gemini, openai_chat, openai_responses  # noqa: E402

from . import payloads as P  # noqa: E402
from .harness import anthropic_create, chat_create, gemini_generate, recorded, responses_create  # noqa: E402

FIELDS = ("type", "content", "content_reference", "summary", "name", "call_id")


def project(events) -> list[tuple]:
    return [tuple(getattr(e, f) for f in FIELDS) for e in events]


# --- OpenAI Responses: the SDK takes one item at a time ---------------------------------------------
def _responses_items() -> list:
    items = []
    for case in (
        "function_call_output_followup",
        "function_call_stream_sse",
        "reasoning_summary_stream_sse",
        "reasoning_summary_then_function_call",
        "refusal_content_part",
        "web_search_calls_with_url_citations",
    ):
        items += recorded("openai_responses", case).request["input"]
    for case in (
        "reasoning_summary_then_function_call",
        "refusal_content_part",
        "function_call_output_followup",
        "input_image_base64",
    ):
        items += responses_create(recorded("openai_responses", case).body).output
    items += [
        {"type": "function_call_output", "call_id": "c1", "output": [{"type": "input_text", "text": "listed"}]},
        {"type": "function_call_output", "call_id": "c2", "output": {"files": ["a", "b"]}},
        {"type": "function_call", "call_id": "c3", "name": "f", "arguments": {"x": 1}},
        {
            "type": "reasoning",
            "id": "rs_9",
            "summary": [{"type": "summary_text", "text": "s1"}, {"type": "summary_text", "text": "s2 "}],
            "content": [{"type": "reasoning_text", "text": " thinking"}],
        },
        {"role": "assistant", "content": [{"type": "output_text", "text": "a"}, {"type": "refusal", "refusal": "b"}]},
        {"role": "system", "content": "sys"},
    ]
    return items


def test_openai_responses_items_match_the_sdk() -> None:
    items = _responses_items()
    assert len(items) > 15
    for item in items:
        assert project(openai_responses.to_events(item)) == project([serialize_openai_response(item)]), item


# --- Chat Completions: dict messages only (the SDK calls .get) ---------------------------------------
def _chat_messages() -> list[dict]:
    messages = []
    for case in ("parallel_tool_calls", "tool_call_stream_sse", "tool_role_messages_followup"):
        messages += recorded("openai_chat", case).request["messages"]
    messages += recorded("openrouter_chat", "anthropic_reasoning_details_signature").request["messages"]
    for body in (
        recorded("openai_chat", "parallel_tool_calls").body,
        recorded("openai_chat", "tool_role_messages_followup").body,
        recorded("openrouter_chat", "anthropic_reasoning_details_signature").body,
        P.CHAT_TEXT_AND_TWO_CALLS,
    ):
        messages.append(chat_create(body).choices[0].message.model_dump())
    messages += [
        {"role": "user", "content": "  padded  "},
        {"role": "tool", "tool_call_id": "c", "content": " out "},
        {"role": "assistant", "content": "", "tool_calls": []},
        {"role": "system", "content": ""},
    ]
    return messages


def _text_before_calls(events) -> list:
    return [e for e in events if e.type != "tool_call"] + [e for e in events if e.type == "tool_call"]


def test_openai_chat_messages_match_the_sdk_but_for_order_and_reasoning() -> None:
    messages = _chat_messages()
    reordered = 0
    for message in messages:
        ours = openai_chat.to_events(message)
        theirs = openai_completions_to_normalized([message])
        beyond = [e for e in ours if e.type == "reasoning"]
        assert len(beyond) == (1 if message.get("reasoning") else 0)
        assert project([e for e in ours if e.type != "reasoning"]) == project(_text_before_calls(theirs)), message
        reordered += project(_text_before_calls(theirs)) != project(theirs)
    assert reordered == 1  # the message with text and tool calls


# --- Anthropic ---------------------------------------------------------------------------------------
def test_anthropic_messages_match_the_sdk() -> None:
    messages = []
    for case in (
        "parallel_tool_results_string_content",
        "redacted_thinking",
        "thinking_and_tool_result_followup",
        "thinking_and_tool_use_stream_sse",
        "thinking_signature_then_tool_use",
        "tool_result_list_content_and_is_error",
    ):
        messages += recorded("anthropic", case).request["messages"]
        body = recorded("anthropic", case).body
        if not case.endswith("_sse"):
            messages.append(anthropic_create(body))
    messages += [{"role": "system", "content": "sys"}, {"role": "user", "content": [{"type": "text", "text": ""}]}]
    for message in messages:
        assert project(anthropic.to_events(message)) == project(serialize_anthropic_message(message)), message


# --- Gemini: the SDK reads attributes, so it takes types.Content ----------------------------------------
def test_gemini_contents_match_the_sdk_but_for_model_text_and_thought_references() -> None:
    from google.genai import types

    contents = [
        types.Content.model_validate(c)
        for c in recorded("gemini", "thought_parts_echoed_in_history").request["contents"]
    ]
    for case in (
        "parallel_function_calls_thought_signature",
        "thought_parts_with_signature",
        "thought_parts_echoed_in_history",
        "user_inline_image",
    ):
        contents.append(gemini_generate(recorded("gemini", case).body).candidates[0].content)
    contents.append(
        types.Content.model_validate(
            {
                "role": "user",
                "parts": [
                    {"text": "hi"},
                    {"functionResponse": {"id": "c1", "name": "f", "response": {"result": "ok"}}},
                ],
            }
        )
    )
    contents.append(
        types.Content(role="model", parts=[types.Part(text="hm", thought=True, thought_signature=b"\x01sig")])
    )
    dropped = 0
    for content in contents:
        ours = gemini.to_events(content)
        theirs = serialize_gdm_message(content)
        kept = [e for e in ours if not (content.role == "model" and e.type == "assistant_message")]
        dropped += len(ours) - len(kept)
        strip = lambda rows: [(*row[:2], None, *row[3:]) for row in rows]  # noqa: E731
        assert strip(project(kept)) == strip(project(theirs)), content
        thoughts = [p for p in content.parts if p.text and p.thought]
        pairs = list(
            zip(
                [e for e in kept if e.type == "reasoning"],
                [e for e in theirs if e.type == "reasoning"],
                thoughts,
                strict=False,
            )
        )
        assert len(pairs) == len(thoughts)
        for mine, sdk, part in pairs:
            assert sdk.content_reference == str(part.thought_signature)
            expected = (
                f"gemini:thought_signature:{base64.b64encode(part.thought_signature).decode()}"
                if part.thought_signature
                else None
            )
            assert mine.content_reference == expected
    assert dropped == 4  # the model answers the SDK drops

"""rollout.log_gdm_message: google-genai responses from the real client, types.Content, and dicts in either key spelling."""

from __future__ import annotations

import base64
import json

import pytest

from . import payloads as P
from .harness import gemini_generate, recorded, stored


@pytest.fixture
def rollout(client):
    return client.rollout.create("gemini")


def _projection(events):
    return [(e.type, e.kind, e.content, e.name, e.call_id, e.content_reference, e.is_error) for e in events]


def test_whole_response_parallel_calls_keep_the_thought_signature(rollout) -> None:
    rec = recorded("gemini", "parallel_function_calls_thought_signature")
    rollout.log_gdm_message(gemini_generate(rec.body), reward=1.0)
    events = stored(rollout)
    assert [(e.type, e.name, e.content) for e in events] == [("tool_call", "generate_topic", "{}")] * 3
    parts = rec.response["candidates"][0]["content"]["parts"]
    signature = events[0].raw()["item"]["thought_signature"]
    assert base64.urlsafe_b64decode(signature) == base64.b64decode(parts[0]["thoughtSignature"])
    assert "thought_signature" not in events[1].raw()["item"]
    assert {e.model for e in events} == {"gemini-3-flash-preview"}
    assert [e.usage is None for e in events] == [True, True, False]
    usage = rec.response["usageMetadata"]
    assert events[-1].usage.output_tokens == usage["candidatesTokenCount"] + usage["thoughtsTokenCount"]
    assert events[-1].usage.reasoning_tokens == usage["thoughtsTokenCount"]
    assert (events[-1].stop_reason, events[-1].reward) == ("STOP", 1.0)
    assert events[-1].raw()["response"]["response_id"] == rec.response["responseId"]


def test_thought_then_signed_answer(rollout) -> None:
    rec = recorded("gemini", "thought_parts_with_signature")
    rollout.log_gdm_message(gemini_generate(rec.body))
    thought, answer = stored(rollout)
    parts = rec.response["candidates"][0]["content"]["parts"]
    assert (thought.type, thought.content) == ("reasoning", parts[0]["text"])
    assert (answer.type, answer.content) == ("assistant_message", parts[1]["text"])
    assert answer.raw()["role"] == "model" and answer.raw()["item"]["thought_signature"]


def test_signature_on_a_thought_becomes_its_reference(rollout) -> None:
    from google.genai import types

    rollout.log_gdm_message(
        types.Content(role="model", parts=[types.Part(text="hmm", thought=True, thought_signature=b"\x01\x02sig")])
    )
    (thought,) = stored(rollout)
    assert thought.content_reference == "gemini:thought_signature:" + base64.b64encode(b"\x01\x02sig").decode()


def test_history_with_function_calls_and_responses_in_camel_case(rollout) -> None:
    contents = recorded("gemini", "function_responses_followup").request["contents"]
    rollout.log_gdm_message(contents)
    events = stored(rollout)
    assert [e.type for e in events] == ["tool_call"] * 3 + ["tool_result"] * 3
    assert [e.call_id for e in events[:3]] == [e.call_id for e in events[3:]]
    assert [json.loads(e.content) for e in events[3:]] == [{"return_value": v} for v in ("cars", "penguins", "cars")]
    assert events[0].raw()["item"]["thoughtSignature"] == contents[1]["parts"][0]["thoughtSignature"]


def test_history_thoughts_and_text_of_both_roles(rollout) -> None:
    contents = recorded("gemini", "thought_parts_echoed_in_history").request["contents"]
    rollout.log_gdm_message(contents)
    assert [e.type for e in stored(rollout)] == ["user_message", "reasoning", "assistant_message", "user_message"]


def test_inline_image_from_the_user(rollout) -> None:
    contents = recorded("gemini", "user_inline_image").request["contents"]
    rollout.log_gdm_message(contents[0])
    text, image = stored(rollout)
    data = contents[0]["parts"][1]["inlineData"]["data"]
    assert text.content == "What fruit is in the image?"
    assert (image.type, image.kind, image.attachments[0]["mime"]) == ("user_message", "inline_data", "image/png")
    assert image.attachment_bytes(0) == base64.b64decode(data)
    assert image.raw()["item"]["inlineData"]["data"]["$blob"] == image.attachments[0]["sha256"]


def test_code_execution_inline_output_and_a_bare_signature(rollout) -> None:
    rollout.log_gdm_message(gemini_generate(P.GEMINI_CODE_EXECUTION))
    events = stored(rollout)
    assert [(e.type, e.kind, e.content, e.is_error) for e in events] == [
        ("assistant_message", None, "Let me compute it.", None),
        ("tool_call", "executable_code", "print(1/0)", None),
        ("tool_result", "code_execution_result", "ZeroDivisionError", True),
        ("tool_call", "executable_code", "print(6*7)", None),
        ("tool_result", "code_execution_result", "42\n", None),
        ("assistant_message", "inline_data", None, None),
        ("reasoning", "thought_signature", None, None),
    ]
    assert events[1].name == "code_execution" and events[5].attachment_bytes(0) == P.PNG
    assert events[-1].content_reference == "gemini:thought_signature:" + base64.b64encode(b"sig-end").decode()
    usage = events[-1].usage
    assert (usage.input_tokens, usage.output_tokens, usage.cached_tokens) == (105, 50, 60)


def test_function_responses_of_any_shape(rollout) -> None:
    rollout.log_gdm_message(P.GEMINI_FUNCTION_RESPONSES)
    events = stored(rollout)
    assert [(e.type, e.call_id, e.content, e.is_error) for e in events[:5]] == [
        ("tool_result", "c1", "flag{gemini}", None),
        ("tool_result", "c2", '{"lines":3}', None),
        ("tool_result", "c3", "no such file", True),
        ("tool_result", "c4", '{"size":10,"mode":"0644"}', None),
        ("tool_result", "c5", "see image", None),
    ]
    assert events[4].attachment_bytes(0) == P.PNG
    pdf = events[5]
    assert (pdf.type, pdf.kind) == ("user_message", "file_data")
    assert pdf.attachments == [
        {"mime": "application/pdf", "url": "https://generativelanguage.googleapis.com/v1beta/files/abc"}
    ]


def test_sdk_content_camel_case_and_snake_case_dicts_agree(client) -> None:
    from google.genai import types

    content = types.Content.model_validate(P.GEMINI_FUNCTION_RESPONSES)
    snake = content.model_dump(mode="json", exclude_none=True)
    logged = []
    for value in (P.GEMINI_FUNCTION_RESPONSES, content, snake):
        rollout = client.rollout.create("gemini-forms")
        rollout.log_gdm_message(value)
        logged.append((_projection(stored(rollout)), [e.attachments for e in stored(rollout)]))
    assert logged[0] == logged[1] == logged[2]


def test_content_without_role_is_the_user(rollout) -> None:
    rollout.log_gdm_message({"parts": [{"text": "hello"}, {"text": ""}]})
    (hello,) = stored(rollout)
    assert (hello.type, hello.content) == ("user_message", "hello")

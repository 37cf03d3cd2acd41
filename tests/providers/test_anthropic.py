"""rollout.log_anthropic_message: Messages from the real anthropic client (plain and streamed), and MessageParam dicts."""

from __future__ import annotations

import base64
import json

import pytest

from . import payloads as P
from .harness import anthropic_client, anthropic_create, recorded, sse_events, stored


@pytest.fixture
def rollout(client):
    return client.rollout.create("anthropic")


def test_whole_message_thinking_text_and_tool_use(rollout) -> None:
    rec = recorded("anthropic", "thinking_signature_then_tool_use")
    rollout.log_anthropic_message(anthropic_create(rec.body), reward=1.0)
    thinking, text, call = stored(rollout)
    blocks = rec.response["content"]
    assert (thinking.type, thinking.content) == ("reasoning", blocks[0]["thinking"])
    assert thinking.content_reference == f"anthropic:thinking:{blocks[0]['signature']}"
    assert (text.type, text.content) == ("assistant_message", blocks[1]["text"])
    assert (call.type, call.name, call.call_id, call.content) == (
        "tool_call",
        "get_user_country",
        blocks[2]["id"],
        "{}",
    )
    assert {e.model for e in (thinking, text, call)} == {"claude-sonnet-4-20250514"}
    assert thinking.usage is None and text.usage is None
    assert (call.usage.input_tokens, call.usage.output_tokens, call.stop_reason, call.reward) == (
        398,
        155,
        "tool_use",
        1.0,
    )
    assert call.raw()["response"]["id"] == rec.response["id"] and "content" not in call.raw()["response"]
    assert thinking.raw() == {"provider": "anthropic", "role": "assistant", "item": blocks[0]}


def test_streamed_message_final_object(rollout) -> None:
    rec = recorded("anthropic", "thinking_and_tool_use_stream_sse")
    client = anthropic_client(rec.body, rec.content_type)
    with client.messages.stream(model="claude-test", max_tokens=1024, messages=rec.request["messages"]) as stream:
        final = stream.get_final_message()
    rollout.log_anthropic_message(final)
    thinking, call = stored(rollout)
    chunks = sse_events(rec.body)
    deltas = [c["delta"] for c in chunks if c["type"] == "content_block_delta"]
    assert thinking.content == "".join(d.get("thinking", "") for d in deltas if d["type"] == "thinking_delta")
    signature = next(d["signature"] for d in deltas if d["type"] == "signature_delta")
    assert thinking.content_reference == f"anthropic:thinking:{signature}"
    assert (call.type, call.name) == ("tool_call", "fixed_version")
    assert call.usage.reasoning_tokens == 53 and call.usage.output_tokens == 92
    assert call.raw()["item"]["caller"] == {"type": "direct"}


def test_user_image_block_becomes_an_attachment(rollout) -> None:
    rec = recorded("anthropic", "user_image_base64_stream_sse")
    rollout.log_anthropic_message(rec.request["messages"][0])
    image, text = stored(rollout)
    source = rec.request["messages"][0]["content"][0]["source"]
    assert (image.type, image.kind, image.content) == ("user_message", "image", None)
    assert image.attachments[0]["mime"] == "image/png" and image.attachment_bytes(0) == base64.b64decode(source["data"])
    assert image.raw()["item"]["source"]["data"]["$blob"] == image.attachments[0]["sha256"]
    assert (text.type, text.content) == ("user_message", "Describe image in three words")


def test_tool_results_with_list_content_and_is_error(rollout) -> None:
    messages = recorded("anthropic", "tool_result_list_content_and_is_error").request["messages"]
    rollout.log_anthropic_message(messages)
    results = [e for e in stored(rollout) if e.type == "tool_result"]
    blocks = [b for m in messages if isinstance(m["content"], list) for b in m["content"] if b["type"] == "tool_result"]
    assert [r.is_error for r in results] == [b.get("is_error") for b in blocks] and True in [
        r.is_error for r in results
    ]
    assert [r.call_id for r in results] == [b["tool_use_id"] for b in blocks]
    first = blocks[0]["content"]
    assert isinstance(first, list) and results[0].content == "\n".join(p["text"] for p in first).strip()


def test_tool_result_followed_by_an_image_block(rollout) -> None:
    messages = recorded("anthropic", "tool_result_with_image_block").request["messages"]
    rollout.log_anthropic_message(messages[-1])
    result, image = stored(rollout)
    assert (result.type, result.content, result.is_error) == ("tool_result", "File attached", False)
    assert image.kind == "image" and image.attachments[0]["mime"] == "image/jpeg" and image.attachment_bytes(0)


def test_redacted_thinking_keeps_its_kind(rollout) -> None:
    rec = recorded("anthropic", "redacted_thinking")
    rollout.log_anthropic_message(anthropic_create(rec.body))
    redacted, text = stored(rollout)
    assert (redacted.type, redacted.kind, redacted.content) == (
        "reasoning",
        "redacted_thinking",
        rec.response["content"][0]["data"],
    )
    assert text.type == "assistant_message"


def test_server_tool_use_and_results(rollout) -> None:
    rollout.log_anthropic_message(anthropic_create(P.ANTHROPIC_SERVER_TOOLS))
    events = stored(rollout)
    assert [(e.type, e.kind, e.call_id, e.is_error) for e in events] == [
        ("tool_call", "server_tool_use", "srvtoolu_1", None),
        ("tool_result", "web_search_tool_result", "srvtoolu_1", None),
        ("tool_call", "server_tool_use", "srvtoolu_2", None),
        ("tool_result", "web_search_tool_result", "srvtoolu_2", True),
        ("assistant_message", None, None, None),
    ]
    assert events[0].name == "web_search" and json.loads(events[0].content) == {"query": "ctf flag format"}
    assert json.loads(events[1].content)[0]["url"] == "https://example.test/flags"
    assert events[-1].raw()["item"]["citations"][0]["cited_text"] == "flag{...}"
    usage = events[-1].usage
    assert (usage.input_tokens, usage.cached_tokens, usage.cache_write_tokens) == (50 + 200 + 30, 200, 30)


def test_documents_search_results_and_image_urls(rollout) -> None:
    rollout.log_anthropic_message(P.ANTHROPIC_DOCUMENTS_USER)
    pdf, text_doc, url_doc, image, search, text = stored(rollout)
    assert (
        pdf.kind == "document" and pdf.attachment_bytes(0) == P.PDF and pdf.attachments[0]["mime"] == "application/pdf"
    )
    assert (text_doc.kind, text_doc.content, text_doc.attachments) == ("document", "The flag is hidden.", [])
    assert url_doc.attachments == [{"mime": None, "url": "https://files.example.test/rules.pdf"}]
    assert image.attachments == [{"mime": None, "url": "https://files.example.test/board.png"}]
    assert (search.kind, search.content) == ("search_result", "Flags start with flag{")
    assert (text.kind, text.content) == (None, "Use these.")
    assert {e.type for e in (pdf, text_doc, url_doc, image, search, text)} == {"user_message"}


def test_parallel_tool_uses_and_results_pair_up(rollout) -> None:
    rec = recorded("anthropic", "parallel_tool_results_string_content")
    rollout.log_anthropic_message(rec.request["messages"])
    events = stored(rollout)
    calls = [e.call_id for e in events if e.type == "tool_call"]
    results = [e.call_id for e in events if e.type == "tool_result"]
    assert len(calls) == 4 and calls == results


def test_string_content_and_system_role(rollout) -> None:
    rollout.log_anthropic_message(
        [{"role": "system", "content": "Be terse."}, {"role": "assistant", "content": "Sure."}]
    )
    system, assistant = stored(rollout)
    assert (system.type, system.content, assistant.type) == ("system_message", "Be terse.", "assistant_message")
    assert system.raw() == {"provider": "anthropic", "item": {"role": "system", "content": "Be terse."}}


def test_block_lists_of_any_sequence_type(rollout) -> None:
    class Blocks(list):
        """A list subclass, as agent frameworks keep their histories in."""

    blocks = [{"type": "text", "text": "one"}, {"type": "text", "text": "two"}]
    rollout.log_anthropic_message({"role": "user", "content": Blocks(blocks)})
    rollout.log_anthropic_message({"role": "user", "content": tuple(blocks)})
    assert [e.content for e in stored(rollout)] == ["one", "two", "one", "two"]

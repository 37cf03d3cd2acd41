"""to_chat_messages and export_jsonl: conversations rebuilt from the events."""

from __future__ import annotations

import base64
import json

import pytest

import openreward_nb as orn
from openreward_nb import NotFoundError

from .conftest import Recorded

PNG = b"\x89PNG\r\n\x1a\nnot-really-an-image"


def test_openai_messages_of_an_anthropic_tool_turn(recorded: Recorded) -> None:
    messages = orn.to_chat_messages(recorded.ids["a0"], store=recorded.client.store)
    assert messages == [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "find the flag"},
        {
            "role": "assistant",
            "content": "listing",
            "tool_calls": [
                {"id": "tu1", "type": "function", "function": {"name": "bash", "arguments": '{"cmd":"ls"}'}}
            ],
        },
        {"role": "tool", "tool_call_id": "tu1", "content": "denied"},
        {"role": "assistant", "content": "FLAG{x}"},
    ]
    calls_only = orn.to_chat_messages(recorded.ids["b0"][:8], store=recorded.client.store)  # an id prefix works
    assert calls_only[0] == {
        "role": "assistant",
        "content": None,
        "tool_calls": [{"id": "dup", "type": "function", "function": {"name": "f", "arguments": '{"x": 1}'}}],
    }


def test_anthropic_messages_keep_thinking_tool_use_and_errors(recorded: Recorded) -> None:
    messages = orn.to_chat_messages(recorded.ids["a0"], "anthropic", store=recorded.client.store)
    assert messages == [
        {"role": "user", "content": [{"type": "text", "text": "find the flag"}]},
        {
            "role": "assistant",
            "content": [
                {"type": "thinking", "thinking": "look around", "signature": "sig1"},
                {"type": "text", "text": "listing"},
                {"type": "tool_use", "id": "tu1", "name": "bash", "input": {"cmd": "ls"}},
            ],
        },
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": "tu1", "content": "denied", "is_error": True}],
        },
        {"role": "assistant", "content": [{"type": "text", "text": "FLAG{x}"}]},
    ]
    b0 = orn.to_chat_messages(recorded.ids["b0"], "anthropic", store=recorded.client.store)
    assert [block["input"] for block in b0[2]["content"] if block["type"] == "tool_use"] == [{"arguments": "not json"}]


def test_images_become_image_parts(client) -> None:
    rollout = client.rollout.create("img")
    rollout.log_anthropic_message(
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "what is this?"},
                {
                    "type": "image",
                    "source": {"type": "base64", "media_type": "image/png", "data": base64.b64encode(PNG).decode()},
                },
            ],
        }
    )
    client.rollout.flush()
    data = base64.b64encode(PNG).decode()
    openai = orn.to_chat_messages(rollout.id, store=client.store)
    parts = [p for m in openai for p in (m["content"] if isinstance(m["content"], list) else [])]
    assert {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{data}"}} in parts
    anthropic = orn.to_chat_messages(rollout.id, "anthropic", store=client.store)
    blocks = [b for m in anthropic for b in m["content"]]
    assert {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": data}} in blocks
    assert {"type": "text", "text": "what is this?"} in blocks


def test_export_jsonl_writes_one_chat_per_rewarded_rollout(recorded: Recorded, tmp_path) -> None:
    store = recorded.client.store
    path = tmp_path / "chats.jsonl"
    assert orn.export_jsonl(["alpha", "beta"], path, min_reward=0.5, store=store) == 2  # a0 (1.0) and b0 (1.0)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert lines[0] == {"messages": orn.to_chat_messages(recorded.ids["a0"], store=store)}
    assert lines[1] == {"messages": orn.to_chat_messages(recorded.ids["b0"], store=store)}
    n = orn.export_jsonl("alpha", path, format="anthropic", reward="final_reward", min_reward=1.0, store=store)
    (line,) = [json.loads(text) for text in path.read_text().splitlines()]
    assert n == 1 and line["system"] == "be brief"
    assert line["messages"] == orn.to_chat_messages(recorded.ids["a0"], "anthropic", store=store)
    assert orn.export_jsonl("alpha", path, split="test", store=store) == 1


def test_bad_ids_and_formats_say_what_exists(recorded: Recorded, tmp_path) -> None:
    store = recorded.client.store
    with pytest.raises(NotFoundError, match="no rollout 'nope'"):
        orn.to_chat_messages("nope", store=store)
    with pytest.raises(ValueError, match="formats: openai, anthropic"):
        orn.to_chat_messages(recorded.ids["a0"], "gemini", store=store)
    with pytest.raises(ValueError, match="formats: openai, anthropic"):
        orn.export_jsonl("alpha", tmp_path / "x.jsonl", format="gemini", store=store)
    with pytest.raises(NotFoundError, match="runs in the store: 'alpha', 'beta'"):
        orn.export_jsonl("gamma", tmp_path / "x.jsonl", store=store)

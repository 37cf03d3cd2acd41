"""Merging Chat Completions chunks (providers/openai_chat/stream.py): the cases the server formats in
tests/capture/openai_compatible.py do not reach, on chunk dicts as a user would collect them."""

from __future__ import annotations

import json

from openreward_nb.providers.openai_chat import merge_chunks, to_events


def chunk(delta: dict, index: int = 0, finish: str | None = None, **top) -> dict:
    return {
        "object": "chat.completion.chunk",
        "model": "m",
        "choices": [{"index": index, "delta": delta, "finish_reason": finish}],
        **top,
    }


def test_calls_all_numbered_zero_are_told_apart_by_id() -> None:
    chunks = [
        chunk(
            {
                "role": "assistant",
                "tool_calls": [{"index": 0, "id": "a", "function": {"name": "ls", "arguments": '{"p":'}}],
            }
        ),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": ' "/"}'}}]}),
        chunk({"tool_calls": [{"index": 0, "id": "b", "function": {"name": "cat", "arguments": "{}"}}]}),
    ]
    calls = merge_chunks(chunks)["choices"][0]["message"]["tool_calls"]
    assert [(c["id"], c["type"], c["function"]["name"], json.loads(c["function"]["arguments"])) for c in calls] == [
        ("a", "function", "ls", {"p": "/"}),
        ("b", "function", "cat", {}),
    ]


def test_each_choice_is_merged_apart_and_the_first_is_recorded() -> None:
    chunks = [
        chunk({"role": "assistant", "content": "one "}, 0),
        chunk({"role": "assistant", "content": "two "}, 1),
        chunk({"content": "answer"}, 0, "stop"),
        chunk({"content": "answer"}, 1, "length"),
    ]
    merged = merge_chunks(chunks)
    assert [(c["message"]["content"], c["finish_reason"]) for c in merged["choices"]] == [
        ("one answer", "stop"),
        ("two answer", "length"),
    ]
    [event] = to_events(chunks)
    assert (event.content, event.stop_reason) == ("one answer", "stop")


def test_a_stream_cut_short_gives_what_arrived_and_no_chunks_give_nothing() -> None:
    [reasoning, text] = to_events(
        [chunk({"role": "assistant", "reasoning_content": "thinking"}), chunk({"content": "half"})]
    )
    assert (reasoning.type, reasoning.content, text.content, text.stop_reason) == (
        "reasoning",
        "thinking",
        "half",
        None,
    )
    assert merge_chunks([]) is None


def test_numbers_are_replaced_not_added_and_identifiers_kept_not_joined() -> None:
    chunks = [
        chunk({"role": "assistant", "content": "a", "token_id": 7}, id="x"),
        chunk({"role": "assistant", "content": "b", "token_id": 9}, id="x"),
    ]
    merged = merge_chunks(chunks)
    assert merged["id"] == "x" and merged["choices"][0]["message"] == {
        "role": "assistant",
        "content": "ab",
        "token_id": 9,
    }


def test_a_role_a_merge_repeated_and_empty_reasoning_read_as_the_unstreamed_message() -> None:
    streamed = {"role": "assistantassistantassistant", "content": "done", "reasoning": "", "reasoning_content": None}
    [event] = to_events(streamed)
    assert (event.type, event.content, event.kind) == ("assistant_message", "done", None)
    [tool] = to_events({"role": "tooltool", "tool_call_id": "c1", "content": "ok"})
    assert (tool.type, tool.call_id) == ("tool_result", "c1")


def test_log_probabilities_add_up_token_by_token() -> None:
    def token(text: str) -> dict:
        return {"token": text, "logprob": -0.1, "top_logprobs": []}

    chunks = [
        {
            "choices": [
                {"index": 0, "delta": {"role": "assistant", "content": "a"}, "logprobs": {"content": [token("a")]}}
            ]
        },
        {"choices": [{"index": 0, "delta": {"content": "b"}, "logprobs": {"content": [token("b")]}}]},
    ]
    merged = merge_chunks(chunks)["choices"][0]
    assert [t["token"] for t in merged["logprobs"]["content"]] == ["a", "b"]

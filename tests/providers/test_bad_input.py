"""Misuse raises at once, naming what was expected and what arrived; a type nobody knows yet never raises:
it is recorded whole, with its type as ``kind``, and warned about once per process."""

from __future__ import annotations

import uuid
import warnings

import pytest

from openreward_nb.providers import UnknownItemWarning

from .harness import LOG_METHODS, anthropic_create, gemini_generate, responses_create, stored

METHODS = LOG_METHODS


@pytest.fixture
def rollout(client):
    return client.rollout.create("bad-input")


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("value", [5, 2.5, "hello", b"bytes", None, object()], ids=repr)
def test_not_a_message_at_all_is_a_type_error(rollout, method, value) -> None:
    with pytest.raises(TypeError, match=rf"expected .*got {type(value).__name__}"):
        getattr(rollout, method)(value)
    assert rollout.logged_messages == 0


@pytest.mark.parametrize(
    "method, value, needs",
    [
        ("log_openai_response", {"content": "hi"}, "'type' or a 'role'"),
        ("log_openai_completions", {"content": "hi"}, "'role'"),
        ("log_anthropic_message", {}, "'role'"),
        ("log_gdm_message", {"text": "hi"}, "'role' or 'parts'"),
        ("log_openai_response", [{"role": "user", "content": "ok"}, {}], "'type' or a 'role'"),
    ],
)
def test_a_dict_that_is_no_message_is_a_value_error(rollout, method, value, needs) -> None:
    with pytest.raises(ValueError, match=needs):
        getattr(rollout, method)(value)
    assert rollout.logged_messages == 0  # nothing of a list is recorded when one element is bad


@pytest.mark.parametrize(
    "method, value, error, says",
    [
        ("log_openai_completions", {"role": "user", "content": 5}, TypeError, "content must be a string or a list"),
        ("log_openai_response", {"role": "user", "content": 5}, TypeError, "content must be a string or a list"),
        ("log_anthropic_message", {"role": "user", "content": 5}, TypeError, "content must be a string or a list"),
        ("log_gdm_message", {"role": "user", "parts": "hi"}, TypeError, "parts must be a list"),
        ("log_anthropic_message", {"role": "user", "content": ["hi"]}, TypeError, "block must be a dict"),
        (
            "log_anthropic_message",
            {"role": "user", "content": [{"cache_control": {}}]},
            ValueError,
            "block needs a 'type'",
        ),
        (
            "log_gdm_message",
            {"role": "user", "parts": ["hi"]},
            TypeError,
            "part must be a types.Part or a dict, got str",
        ),
        (
            "log_openai_completions",
            {"role": "assistant", "tool_calls": [{"id": "c", "type": "function", "function": {"arguments": "{}"}}]},
            ValueError,
            "needs a function name",
        ),
        (
            "log_openai_response",
            {"type": "function_call", "call_id": "c", "arguments": "{}"},
            ValueError,
            "needs a 'name'",
        ),
        (
            "log_anthropic_message",
            {"role": "assistant", "content": [{"type": "tool_use", "id": "t", "input": {}}]},
            ValueError,
            "needs a 'name'",
        ),
        ("log_gdm_message", {"role": "model", "parts": [{"functionCall": {"args": {}}}]}, ValueError, "needs a 'name'"),
    ],
)
def test_malformed_parts_say_what_is_wrong(rollout, method, value, error, says) -> None:
    with pytest.raises(error, match=says):
        getattr(rollout, method)(value)


def _unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


def _log_twice(rollout, method, make):
    with pytest.warns(UnknownItemWarning) as first:
        getattr(rollout, method)(make())
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnknownItemWarning)
        getattr(rollout, method)(make())
    return first, stored(rollout)


def test_unknown_responses_item_from_the_api(rollout) -> None:
    kind = _unique("future_item")
    body = {
        "id": "r",
        "object": "response",
        "created_at": 1,
        "status": "completed",
        "model": "gpt-5",
        "output": [{"type": kind, "id": "x1", "payload": {"a": 1}}],
    }
    first, events = _log_twice(rollout, "log_openai_response", lambda: responses_create(body))
    assert len(first) == 1 and kind in str(first[0].message)
    assert [(e.type, e.kind) for e in events] == [("assistant_message", kind)] * 2
    assert events[0].raw()["item"]["payload"] == {"a": 1}


def test_unknown_responses_input_item_named_like_a_call(rollout) -> None:
    kind = _unique("teleport") + "_call"
    _, events = _log_twice(rollout, "log_openai_response", lambda: {"type": kind, "id": "t1"})
    assert (events[0].type, events[0].name, events[0].kind) == ("tool_call", kind, kind)


def test_unknown_anthropic_block_from_the_api(rollout) -> None:
    kind = _unique("future_block")
    body = {
        "id": "m",
        "type": "message",
        "role": "assistant",
        "model": "claude-test",
        "stop_reason": "end_turn",
        "content": [{"type": kind, "detail": "x"}, {"type": "text", "text": "still here"}],
        "usage": {"input_tokens": 1, "output_tokens": 1},
    }
    _, events = _log_twice(rollout, "log_anthropic_message", lambda: anthropic_create(body))
    assert [(e.type, e.kind, e.content) for e in events[:2]] == [
        ("assistant_message", kind, None),
        ("assistant_message", None, "still here"),
    ]
    assert events[0].raw()["item"] == {"type": kind, "detail": "x"}


def test_unknown_gemini_part_in_a_dict(rollout) -> None:
    key = _unique("hologram")
    _, events = _log_twice(rollout, "log_gdm_message", lambda: {"role": "model", "parts": [{key: {"a": 1}}]})
    assert [(e.type, e.kind) for e in events] == [("assistant_message", key)] * 2
    assert events[0].raw()["item"] == {key: {"a": 1}}


def test_unknown_chat_content_part_keeps_the_text(rollout) -> None:
    kind = _unique("input_smell")
    _, events = _log_twice(
        rollout,
        "log_openai_completions",
        lambda: {"role": "user", "content": [{"type": "text", "text": "sniff"}, {"type": kind}]},
    )
    assert [(e.type, e.content) for e in events] == [("user_message", "sniff")] * 2
    assert events[0].raw()["item"]["content"][1] == {"type": kind}


def test_gemini_part_the_sdk_could_not_parse_is_still_recorded(rollout) -> None:
    body = {"candidates": [{"content": {"role": "model", "parts": [{"futurePart": {"a": 1}}, {"text": "ok"}]}}]}
    with warnings.catch_warnings():  # warned about at most once per process: maybe already
        warnings.simplefilter("ignore", UnknownItemWarning)
        rollout.log_gdm_message(gemini_generate(body))
    unknown, text = stored(rollout)
    assert (unknown.type, unknown.kind, text.content) == ("assistant_message", "unknown", "ok")

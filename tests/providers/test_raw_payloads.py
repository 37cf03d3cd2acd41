"""The raw provider payload: stored per event as the adapter described it, switchable off, unaffected by
later changes to the logged objects, and never holding attachment bytes twice."""

from __future__ import annotations

import json

import pytest

from openreward_nb import OpenReward
from openreward_nb.events import resolve_raw
from openreward_nb.providers import anthropic, gemini, openai_chat, openai_responses

from . import payloads as P
from .harness import anthropic_create, chat_create, gemini_generate, recorded, responses_create, stored

CASES = [
    ("log_openai_response", openai_responses, lambda: responses_create(P.RESPONSES_BUILTIN_TOOLS)),
    ("log_openai_response", openai_responses, lambda: P.RESPONSES_INPUT_ITEMS),
    (
        "log_openai_completions",
        openai_chat,
        lambda: chat_create(recorded("openrouter_chat", "anthropic_reasoning_details_signature").body),
    ),
    (
        "log_openai_completions",
        openai_chat,
        lambda: [P.CHAT_MULTIMODAL_USER, P.CHAT_TEXT_AND_TWO_CALLS["choices"][0]["message"]],
    ),
    ("log_anthropic_message", anthropic, lambda: anthropic_create(P.ANTHROPIC_SERVER_TOOLS)),
    (
        "log_anthropic_message",
        anthropic,
        lambda: recorded("anthropic", "tool_result_with_image_block").request["messages"],
    ),
    ("log_gdm_message", gemini, lambda: gemini_generate(P.GEMINI_CODE_EXECUTION)),
    ("log_gdm_message", gemini, lambda: P.GEMINI_FUNCTION_RESPONSES),
]


@pytest.mark.parametrize("method, module, make", CASES)
def test_stored_raw_is_the_adapters_payload_without_inline_bytes(client, method, module, make) -> None:
    value = make()
    rollout = client.rollout.create("raw")
    getattr(rollout, method)(value)
    expected = [resolve_raw(ev.raw).to_dict() for ev in module.to_events(value)]
    records = stored(rollout)
    assert [r.raw() for r in records] == json.loads(json.dumps(expected))
    assert {r.raw()["provider"] for r in records} == {module.NAME}
    text = json.dumps([r.raw() for r in records])
    for b64 in (P.PNG_B64, P.PDF_B64):
        assert b64 not in text
    if any(r.attachments for r in records):
        assert '"$blob"' in text


@pytest.mark.parametrize("method, module, make", CASES)
def test_keep_raw_false_stores_no_payload_but_keeps_attachments(store_path, method, module, make) -> None:
    client = OpenReward(store=store_path, keep_raw=False)
    rollout = client.rollout.create("no-raw")
    getattr(rollout, method)(make())
    records = stored(rollout)
    client.close()
    assert records and all(r.raw() is None for r in records)
    assert [len(r.attachments) for r in records] == [len(e.attachments or []) for e in module.to_events(make())]


def test_changing_a_logged_dict_afterwards_changes_nothing_stored(client) -> None:
    message = {"role": "user", "content": "original"}
    rollout = client.rollout.create("mutation")
    rollout.log_openai_completions(message)
    message["content"] = "changed later"
    message["role"] = "system"
    (event,) = stored(rollout)
    assert (event.type, event.content) == ("user_message", "original")
    assert event.raw()["item"] == {"role": "user", "content": "original"}


def test_reward_and_end_flag_go_on_the_last_event_only(client) -> None:
    rollout = client.rollout.create("reward")
    rollout.log_anthropic_message(
        anthropic_create(recorded("anthropic", "thinking_signature_then_tool_use").body),
        reward=2.0,
        is_finished=True,
        metadata={"turn": 1},
    )
    events = stored(rollout)
    assert [e.reward for e in events] == [None, None, 2.0] and [e.is_finished for e in events] == [False, False, True]
    assert rollout.record().total_reward == 2.0
    assert {json.dumps(e.metadata) for e in events} == {'{"turn": 1}'}

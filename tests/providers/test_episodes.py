"""A long agent episode per provider, driven through the real client, then read back from the store:
counts, token totals, rewards, the end flag and the pairing of tool calls with their results."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from .harness import anthropic_client, gemini_client, openai_client, stored

TURNS = 40


def _responses_turn(k: int) -> dict:
    return {
        "id": f"resp_{k}",
        "object": "response",
        "created_at": 1,
        "status": "completed",
        "model": "gpt-5",
        "output": [
            {"type": "reasoning", "id": f"rs_{k}", "summary": [{"type": "summary_text", "text": f"plan {k}"}]},
            {
                "type": "message",
                "id": f"msg_{k}",
                "role": "assistant",
                "status": "completed",
                "content": [{"type": "output_text", "text": f"step {k}", "annotations": []}],
            },
            {
                "type": "function_call",
                "id": f"fc_{k}",
                "call_id": f"call_{k}",
                "name": "bash",
                "arguments": f'{{"cmd":"echo {k}"}}',
                "status": "completed",
            },
        ],
        "usage": {
            "input_tokens": 100 + k,
            "output_tokens": 10,
            "output_tokens_details": {"reasoning_tokens": 4},
            "input_tokens_details": {"cached_tokens": 50},
            "total_tokens": 110 + k,
        },
    }


def _chat_turn(k: int) -> dict:
    return {
        "id": f"c{k}",
        "object": "chat.completion",
        "created": 1,
        "model": "gpt-4.1",
        "choices": [
            {
                "index": 0,
                "finish_reason": "tool_calls",
                "message": {
                    "role": "assistant",
                    "content": f"step {k}",
                    "reasoning": f"plan {k}",
                    "tool_calls": [
                        {
                            "id": f"call_{k}",
                            "type": "function",
                            "function": {"name": "bash", "arguments": f'{{"cmd":"echo {k}"}}'},
                        }
                    ],
                },
            }
        ],
        "usage": {
            "prompt_tokens": 100 + k,
            "completion_tokens": 10,
            "total_tokens": 110 + k,
            "completion_tokens_details": {"reasoning_tokens": 4},
            "prompt_tokens_details": {"cached_tokens": 50},
        },
    }


def _anthropic_turn(k: int) -> dict:
    return {
        "id": f"msg_{k}",
        "type": "message",
        "role": "assistant",
        "model": "claude-test",
        "stop_reason": "tool_use",
        "content": [
            {"type": "thinking", "thinking": f"plan {k}", "signature": f"sig{k}"},
            {"type": "text", "text": f"step {k}"},
            {"type": "tool_use", "id": f"call_{k}", "name": "bash", "input": {"cmd": f"echo {k}"}},
        ],
        "usage": {
            "input_tokens": 50 + k,
            "cache_read_input_tokens": 50,
            "output_tokens": 10,
            "output_tokens_details": {"thinking_tokens": 4},
        },
    }


def _gemini_turn(k: int) -> dict:
    return {
        "candidates": [
            {
                "index": 0,
                "finishReason": "STOP",
                "content": {
                    "role": "model",
                    "parts": [
                        {"text": f"plan {k}", "thought": True},
                        {"text": f"step {k}"},
                        {"functionCall": {"id": f"call_{k}", "name": "bash", "args": {"cmd": f"echo {k}"}}},
                    ],
                },
            }
        ],
        "modelVersion": "gemini-2.5-pro",
        "usageMetadata": {
            "promptTokenCount": 100 + k,
            "candidatesTokenCount": 6,
            "thoughtsTokenCount": 4,
            "cachedContentTokenCount": 50,
        },
    }


def _result(provider: str, k: int) -> Any:
    out = f"out {k}"
    return {
        "openai_responses": {"type": "function_call_output", "call_id": f"call_{k}", "output": out},
        "openai_chat": {"role": "tool", "tool_call_id": f"call_{k}", "content": out},
        "anthropic": {"role": "user", "content": [{"type": "tool_result", "tool_use_id": f"call_{k}", "content": out}]},
        "gemini": {
            "role": "user",
            "parts": [{"functionResponse": {"id": f"call_{k}", "name": "bash", "response": {"result": out}}}],
        },
    }[provider]


def _caller(provider: str, bodies: list[dict]) -> tuple[Callable[[], Any], str]:
    hello = [{"role": "user", "content": "Find the flag."}]
    if provider == "openai_responses":
        client = openai_client(bodies)
        return lambda: client.responses.create(model="gpt-5", input="Find the flag."), "log_openai_response"
    if provider == "openai_chat":
        client = openai_client(bodies)
        return lambda: client.chat.completions.create(model="gpt-4.1", messages=hello), "log_openai_completions"
    if provider == "anthropic":
        client = anthropic_client(bodies)
        return lambda: client.messages.create(
            model="claude-test", max_tokens=512, messages=hello
        ), "log_anthropic_message"
    client = gemini_client(bodies)
    return lambda: client.models.generate_content(model="gemini-2.5-pro", contents="Find the flag."), "log_gdm_message"


TURN_BODIES = {
    "openai_responses": _responses_turn,
    "openai_chat": _chat_turn,
    "anthropic": _anthropic_turn,
    "gemini": _gemini_turn,
}
USER_PROMPT = {
    "openai_responses": {"role": "user", "content": "Find the flag."},
    "openai_chat": {"role": "user", "content": "Find the flag."},
    "anthropic": {"role": "user", "content": "Find the flag."},
    "gemini": {"role": "user", "parts": [{"text": "Find the flag."}]},
}


@pytest.mark.parametrize("provider", list(TURN_BODIES))
def test_long_episode_reads_back_whole(client, provider: str) -> None:
    call, method = _caller(provider, [TURN_BODIES[provider](k) for k in range(TURNS)])
    rollout = client.rollout.create("episodes", rollout_name=provider)
    log = getattr(rollout, method)
    log(USER_PROMPT[provider])
    for k in range(TURNS):
        log(call())
        log(_result(provider, k), reward=0.25, is_finished=k == TURNS - 1)
    events = stored(rollout)
    rec = rollout.record()
    assert rec.n_events == len(events) == 1 + TURNS * 4
    assert [e.idx for e in events] == list(range(len(events)))
    assert rec.n_tool_calls == TURNS and rec.n_turns == TURNS
    assert rec.total_reward == pytest.approx(0.25 * TURNS) and rec.final_reward == 0.25 and rec.is_finished
    assert [e.is_finished for e in events].count(True) == 1 and events[-1].is_finished
    assert rec.input_tokens == sum(100 + k for k in range(TURNS))
    assert rec.cached_tokens == 50 * TURNS and rec.reasoning_tokens == 4 * TURNS and rec.output_tokens == 10 * TURNS
    assert sum(e.usage is not None for e in events) == TURNS
    assert [e.type for e in events[1:5]] == ["reasoning", "assistant_message", "tool_call", "tool_result"]
    calls = [e for e in events if e.type == "tool_call"]
    results = [e for e in events if e.type == "tool_result"]
    assert [c.call_id for c in calls] == [r.call_id for r in results] == [f"call_{k}" for k in range(TURNS)]
    assert [r.content for r in results] == [f"out {k}" for k in range(TURNS)]
    assert all(e.model for e in events if e.type in ("reasoning", "assistant_message", "tool_call"))
    assert events[2].content == "step 0" and rec.model

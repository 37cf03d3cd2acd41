"""Re-sent history is stored once, but a message said again is stored again: "continue" three times, the
same reply three times, the same tool result twice, in every provider's format, through the real SDKs."""

from __future__ import annotations

from typing import Any

import pytest

from openreward_nb.capture import uninstall

from ..providers.harness import anthropic_client, gemini_client, openai_client

TURNS = 3
USAGE_OPENAI = {"input_tokens": 20, "output_tokens": 5, "total_tokens": 25}
#: what each turn stores: the user's "continue", the reply "ok", then (all but the last turn) a call and its result
EXPECTED = [
    row
    for turn in range(TURNS)
    for row in [("user_message", "continue"), ("assistant_message", "ok")]
    + ([("tool_call", "step"), ("tool_result", "done")] if turn < TURNS - 1 else [])
]


@pytest.fixture(autouse=True)
def _remove_wrappers():
    yield
    uninstall()


def _responses_body(turn: int) -> dict[str, Any]:
    output: list[dict[str, Any]] = [
        {
            "type": "message",
            "id": f"msg_{turn}",
            "role": "assistant",
            "status": "completed",
            "content": [{"type": "output_text", "text": "ok", "annotations": []}],
        }
    ]
    if turn < TURNS - 1:
        output.append(
            {
                "type": "function_call",
                "id": f"fc_{turn}",
                "call_id": f"call_{turn}",
                "name": "step",
                "arguments": "{}",
                "status": "completed",
            }
        )
    return {
        "id": f"resp_{turn}",
        "object": "response",
        "created_at": 1,
        "status": "completed",
        "model": "gpt-5",
        "output": output,
        "usage": USAGE_OPENAI,
    }


def responses_loop() -> None:
    oai = openai_client([_responses_body(turn) for turn in range(TURNS)])
    items: list[Any] = [{"role": "user", "content": "continue"}]
    for _ in range(TURNS):
        response = oai.responses.create(model="gpt-5", input=items)
        items += response.output
        for item in response.output:
            if item.type == "function_call":
                items.append({"type": "function_call_output", "call_id": item.call_id, "output": "done"})
        items.append({"role": "user", "content": "continue"})


def _chat_body(turn: int) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": "ok"}
    if turn < TURNS - 1:
        message["tool_calls"] = [
            {"id": f"call_{turn}", "type": "function", "function": {"name": "step", "arguments": "{}"}}
        ]
    choice = {"index": 0, "message": message, "finish_reason": "tool_calls" if turn < TURNS - 1 else "stop"}
    return {"id": f"c{turn}", "object": "chat.completion", "created": 1, "model": "gpt-4.1", "choices": [choice]}


def chat_loop() -> None:
    oai = openai_client([_chat_body(turn) for turn in range(TURNS)])
    messages: list[Any] = [{"role": "user", "content": "continue"}]
    for _ in range(TURNS):
        message = oai.chat.completions.create(model="gpt-4.1", messages=messages).choices[0].message
        messages.append(message.model_dump(exclude_none=True))
        for call in message.tool_calls or []:
            messages.append({"role": "tool", "tool_call_id": call.id, "content": "done"})
        messages.append({"role": "user", "content": "continue"})


def _anthropic_body(turn: int) -> dict[str, Any]:
    content: list[dict[str, Any]] = [{"type": "text", "text": "ok"}]
    if turn < TURNS - 1:
        content.append({"type": "tool_use", "id": f"toolu_{turn}", "name": "step", "input": {}})
    return {
        "id": f"msg_{turn}",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5",
        "content": content,
        "stop_reason": "tool_use" if turn < TURNS - 1 else "end_turn",
        "usage": {"input_tokens": 20, "output_tokens": 5},
    }


def anthropic_loop() -> None:
    claude = anthropic_client([_anthropic_body(turn) for turn in range(TURNS)])
    messages: list[Any] = [{"role": "user", "content": "continue"}]
    for _ in range(TURNS):
        reply = claude.messages.create(model="claude-sonnet-4-5", max_tokens=256, messages=messages)
        messages.append({"role": "assistant", "content": reply.content})
        results = [
            {"type": "tool_result", "tool_use_id": b.id, "content": "done"}
            for b in reply.content
            if b.type == "tool_use"
        ]
        messages.append({"role": "user", "content": [*results, {"type": "text", "text": "continue"}]})


def _gemini_body(turn: int) -> dict[str, Any]:
    parts: list[dict[str, Any]] = [{"text": "ok"}]
    if turn < TURNS - 1:
        parts.append({"functionCall": {"name": "step", "args": {}}})
    return {
        "candidates": [{"index": 0, "finishReason": "STOP", "content": {"role": "model", "parts": parts}}],
        "modelVersion": "gemini-2.5-pro",
        "usageMetadata": {"promptTokenCount": 20, "candidatesTokenCount": 5, "totalTokenCount": 25},
    }


def gemini_loop() -> None:
    from google.genai import types

    gemini = gemini_client([_gemini_body(turn) for turn in range(TURNS)])
    contents: list[Any] = [types.Content(role="user", parts=[types.Part(text="continue")])]
    for _ in range(TURNS):
        reply = gemini.models.generate_content(model="gemini-2.5-pro", contents=contents)
        content = reply.candidates[0].content
        contents.append(content)
        # function responses carry no call id: the same name and result each time, the same message
        results = [
            types.Part.from_function_response(name=p.function_call.name, response={"result": "done"})
            for p in content.parts
            if p.function_call
        ]
        contents.append(types.Content(role="user", parts=[*results, types.Part(text="continue")]))


LOOPS = {"responses": responses_loop, "chat": chat_loop, "anthropic": anthropic_loop, "gemini": gemini_loop}


@pytest.mark.parametrize("provider", list(LOOPS))
def test_repeated_messages_are_stored_as_often_as_they_occur(client, provider: str) -> None:
    rollout = client.rollout.create("repeats", rollout_name=provider)
    with client.rollout.capture(rollout):
        LOOPS[provider]()
    client.rollout.flush()
    events = list(client.rollouts.get(rollout.id).events())
    stored = [(e.type, e.name if e.type == "tool_call" else e.content) for e in events]
    assert stored == EXPECTED
    assert stored.count(("user_message", "continue")) == TURNS
    assert stored.count(("assistant_message", "ok")) == TURNS
    assert stored.count(("tool_result", "done")) == TURNS - 1

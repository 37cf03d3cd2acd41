"""Every provider payload the tests hold, as the events each provider's adapter makes of it: the recorded
fixtures (request items as plain dicts, responses as plain dicts and as the real SDKs return them, streamed
ones folded by the SDKs' own stream helpers) and the hand-written payloads of :mod:`.payloads`."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from openreward_nb import providers
from openreward_nb.events import Event
from openreward_nb.providers import anthropic, gemini, openai_chat, openai_responses

from ..helpers import FIXTURES
from . import payloads as P
from .harness import (
    anthropic_client,
    anthropic_create,
    chat_create,
    gemini_client,
    gemini_generate,
    openai_client,
    recorded,
    responses_create,
    sse_events,
)

#: events of one payload, made with raw payloads kept (or not)
MakeEvents = Callable[[bool], list[Event]]

_MODULES = {
    "openai_chat": openai_chat,
    "openrouter_chat": openai_chat,
    "openai_responses": openai_responses,
    "anthropic": anthropic,
    "gemini": gemini,
}


def _gemini_contents(contents: list[dict]) -> list[Any]:
    from google.genai import types

    return [types.Content.model_validate(c) for c in contents]


def _request(folder: str, request: dict, sdk: bool = False) -> MakeEvents:
    if folder in ("openai_chat", "openrouter_chat"):
        return lambda keep: openai_chat.request_events(request["messages"], keep)
    if folder == "openai_responses":
        return lambda keep: openai_responses.request_events(request["input"], request.get("instructions"), keep)
    if folder == "anthropic":
        return lambda keep: anthropic.request_events(request["messages"], request.get("system"), keep)
    contents = request["contents"]
    system = request.get("systemInstruction")
    if sdk:
        return lambda keep: gemini.request_events(_gemini_contents(contents), _gemini_contents([system])[0], keep)
    return lambda keep: gemini.request_events(contents, system, keep)


def _streamed(folder: str, case: str) -> Any:
    """The response the real SDK's stream helper folds the recorded stream into."""
    rec = recorded(folder, case)
    if folder in ("openai_chat", "openrouter_chat"):
        client = openai_client(rec.body, rec.content_type)
        with client.chat.completions.stream(model="m", messages=rec.request["messages"]) as stream:
            return stream.get_final_completion()
    if folder == "openai_responses":
        with openai_client(rec.body, rec.content_type).responses.stream(model="m", input="hi") as stream:
            return stream.get_final_response()
    if folder == "anthropic":
        client = anthropic_client(rec.body, rec.content_type)
        with client.messages.stream(model="m", max_tokens=1024, messages=rec.request["messages"]) as stream:
            return stream.get_final_message()
    accumulator = providers.get("gemini").endpoints[0].stream({})
    for chunk in gemini_client(rec.body, rec.content_type).models.generate_content_stream(model="m", contents="hi"):
        accumulator.add(chunk)
    return accumulator.result()


_CREATE = {
    "openai_chat": chat_create,
    "openrouter_chat": chat_create,
    "openai_responses": responses_create,
    "anthropic": anthropic_create,
    "gemini": gemini_generate,
}


def _fixture_cases() -> list[tuple[str, MakeEvents]]:
    cases: list[tuple[str, MakeEvents]] = []
    for path in sorted(p for p in FIXTURES.glob("*/*") if p.is_dir()):
        folder, case = path.parent.name, path.name
        module = _MODULES[folder]
        rec = recorded(folder, case)
        cases.append((f"{folder}/{case}/request", _request(folder, rec.request)))
        if folder == "gemini":
            cases.append((f"{folder}/{case}/request-sdk", _request(folder, rec.request, sdk=True)))
        if rec.content_type == "application/json":
            body = rec.response
            create = _CREATE[folder]
            cases.append((f"{folder}/{case}/response-dict", lambda keep, m=module, b=body: m.to_events(b, keep)))
            cases.append(
                (f"{folder}/{case}/response-sdk", lambda keep, m=module, c=create, r=rec: m.to_events(c(r.body), keep))
            )
        else:
            cases.append(
                (
                    f"{folder}/{case}/stream-sdk",
                    lambda keep, m=module, f=folder, c=case: m.to_events(_streamed(f, c), keep),
                )
            )
            if module is openai_chat:
                chunks = sse_events(rec.body)
                cases.append((f"{folder}/{case}/stream-chunks", lambda keep, c=chunks: openai_chat.to_events(c, keep)))
    return cases


def _payload_cases() -> list[tuple[str, MakeEvents]]:
    responses = [
        ("RESPONSES_BUILTIN_TOOLS", openai_responses, P.RESPONSES_BUILTIN_TOOLS, responses_create),
        ("CHAT_TEXT_AND_TWO_CALLS", openai_chat, P.CHAT_TEXT_AND_TWO_CALLS, chat_create),
        ("CHAT_REFUSAL", openai_chat, P.CHAT_REFUSAL, chat_create),
        ("ANTHROPIC_SERVER_TOOLS", anthropic, P.ANTHROPIC_SERVER_TOOLS, anthropic_create),
        ("GEMINI_CODE_EXECUTION", gemini, P.GEMINI_CODE_EXECUTION, gemini_generate),
    ]
    cases: list[tuple[str, MakeEvents]] = []
    for name, module, body, create in responses:
        cases.append((f"{name}/dict", lambda keep, m=module, b=body: m.to_events(b, keep)))
        cases.append((f"{name}/sdk", lambda keep, m=module, b=body, c=create: m.to_events(c(b), keep)))
    requests = [
        ("RESPONSES_INPUT_ITEMS", openai_responses, P.RESPONSES_INPUT_ITEMS),
        ("CHAT_MULTIMODAL_USER", openai_chat, P.CHAT_MULTIMODAL_USER),
        ("ANTHROPIC_DOCUMENTS_USER", anthropic, P.ANTHROPIC_DOCUMENTS_USER),
        ("GEMINI_FUNCTION_RESPONSES", gemini, P.GEMINI_FUNCTION_RESPONSES),
    ]
    for name, module, items in requests:
        cases.append((f"{name}/dict", lambda keep, m=module, i=items: m.to_events(i, keep)))
    cases.append(
        (
            "GEMINI_FUNCTION_RESPONSES/sdk",
            lambda keep: gemini.to_events(_gemini_contents([P.GEMINI_FUNCTION_RESPONSES])[0], keep),
        )
    )
    return cases


#: payloads whose strings and numbers test the edges of storing by reference
EDGE_MESSAGES: list[tuple[str, Any]] = [
    ("padded text (the event holds it stripped)", {"role": "user", "content": "  padded\n"}),
    ("text equal to the role", {"role": "user", "content": "user"}),
    ("text with a NUL byte", {"role": "user", "content": "a\x00b" * 20}),
    ("a lone surrogate", {"role": "user", "content": "x\ud800y" * 20}),
    ("non-finite numbers", {"role": "assistant", "content": "n", "logprobs": [float("nan"), float("inf"), -1e-7]}),
    ("a huge integer", {"role": "assistant", "content": "big", "seed": 2**80}),
    ("an array-looking text", {"role": "user", "content": "[1]"}),
    ("a JSON-looking text", {"role": "user", "content": json.dumps([{"provider": "x"}, [["content"]]])}),
    ("unicode", {"role": "user", "content": "flag \u2028 \U0001f600 «»"}),
    ("one string in two places", {"role": "tool", "tool_call_id": "same", "content": "same"}),
    (
        "a call whose id, name and arguments are equal",
        {
            "role": "assistant",
            "tool_calls": [{"id": "x" * 40, "type": "function", "function": {"name": "x" * 40, "arguments": "x" * 40}}],
        },
    ),
]


def _edge_cases() -> list[tuple[str, MakeEvents]]:
    return [(f"edge: {name}", lambda keep, m=msg: openai_chat.to_events(m, keep)) for name, msg in EDGE_MESSAGES]


def all_cases() -> list[tuple[str, MakeEvents]]:
    """(id, events of it) for every recorded fixture, every payload of :mod:`.payloads`, and the edge cases."""
    return _fixture_cases() + _payload_cases() + _edge_cases()

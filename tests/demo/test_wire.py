"""Every payload the offline providers send validates strictly against the SDKs' own models,
and the raw framing (SSE lines, headers, error bodies) is the providers'."""

from __future__ import annotations

import typing
from typing import Any

import pytest

from openreward_nb import demo
from openreward_nb.demo import DemoEnvironment, Task

from .agents import AnthropicLoop, ChatLoop, GeminiLoop, ResponsesLoop
from .conftest import Wire
from .faults import Faults


def _members(union: Any) -> dict[str, Any]:
    """The models of a discriminated union of events, by their ``type`` literal."""
    args = typing.get_args(union)
    while len(args) == 1 or (args and not isinstance(args[0], type)):
        args = typing.get_args(args[0])
    return {typing.get_args(model.model_fields["type"].annotation)[0]: model for model in args}


def _episode(wire: Wire, environment: DemoEnvironment, task: Task, api: str, mode: str) -> None:
    import anthropic
    import openai
    from google import genai
    from google.genai import types

    with environment.session(task=task) as session:
        if api == "responses":
            client = openai.OpenAI(api_key="k", http_client=wire.client())
            ResponsesLoop(client, session, "demo-strong", mode, include=["reasoning.encrypted_content"]).play()
        elif api in ("chat", "openrouter"):
            base_url = demo.clients.OPENROUTER_BASE_URL if api == "openrouter" else demo.clients.OPENAI_BASE_URL
            client = openai.OpenAI(api_key="k", base_url=base_url, http_client=wire.client())
            ChatLoop(client, session, "demo-strong", mode).play()
        elif api == "anthropic":
            client = anthropic.Anthropic(api_key="k", http_client=wire.client())
            AnthropicLoop(
                client, session, "demo-strong", mode, thinking={"type": "enabled", "budget_tokens": 2048}
            ).play()
        else:
            options = types.HttpOptions(base_url=demo.clients.GEMINI_BASE_URL, httpx_client=wire.client())
            client = genai.Client(api_key="k", http_options=options)
            GeminiLoop(
                client, session, "demo-strong", mode, thinking_config=types.ThinkingConfig(include_thoughts=True)
            ).play()


def _validators(api: str, mode: str) -> Any:
    """A function validating one payload (a JSON body or one SSE data object) with the SDK's model."""
    import anthropic
    import openai
    from google.genai import types

    if api == "gemini":
        return types.GenerateContentResponse.model_validate
    if mode == "create":
        model = {
            "responses": openai.types.responses.Response,
            "chat": openai.types.chat.ChatCompletion,
            "openrouter": openai.types.chat.ChatCompletion,
            "anthropic": anthropic.types.Message,
        }[api]
        return model.model_validate
    if api in ("chat", "openrouter"):
        return openai.types.chat.ChatCompletionChunk.model_validate
    events = _members(
        openai.types.responses.ResponseStreamEvent if api == "responses" else anthropic.types.RawMessageStreamEvent
    )
    return lambda data: None if data["type"] == "ping" else events[data["type"]].model_validate(data)


@pytest.mark.parametrize("mode", ["create", "stream"])
@pytest.mark.parametrize("api", ["responses", "chat", "openrouter", "anthropic", "gemini"])
def test_payloads_validate_against_the_sdk_models(
    environment: DemoEnvironment, task: Task, wire: Wire, api: str, mode: str
) -> None:
    _episode(wire, environment, task, api, mode)
    validate = _validators(api, mode)
    payloads = wire.payloads()
    assert len(payloads) == 6  # five tool-calling turns and the closing answer
    for payload in payloads:
        for data in payload if isinstance(payload, list) else [payload]:
            validate(data)  # raises pydantic.ValidationError on a missing or mistyped field


@pytest.mark.parametrize("api", ["responses", "anthropic"])
def test_named_events_match_their_data(environment: DemoEnvironment, task: Task, wire: Wire, api: str) -> None:
    import json

    _episode(wire, environment, task, api, "stream")
    body = wire.exchanges[0][1].content.decode()
    events = [block.split("\n") for block in body.strip().split("\n\n")]
    assert all(name.startswith("event: ") and data.startswith("data: ") for name, data in events)
    assert all(name[7:] == json.loads(data[6:])["type"] for name, data in events)
    if api == "anthropic":
        assert [name for name, _ in events][:3] == ["event: message_start", "event: content_block_start", "event: ping"]
    else:
        assert [json.loads(data[6:])["sequence_number"] for _, data in events] == list(range(len(events)))


def test_stream_framing_of_chat_and_gemini(environment: DemoEnvironment, task: Task) -> None:
    for api, check in [
        ("chat", lambda body: body.startswith(b"data: {") and body.endswith(b"\n\ndata: [DONE]\n\n")),
        ("openrouter", lambda body: body.startswith(b": OPENROUTER PROCESSING\n\ndata: {")),
        ("gemini", lambda body: body.startswith(b'data: {"candidates": [') and body.endswith(b"}\r\n\r\n")),
    ]:
        wire = Wire()
        _episode(wire, environment, task, api, "stream")
        assert all(check(response.content) for _, response in wire.exchanges), api
        assert all(r.headers["content-type"] == "text/event-stream; charset=utf-8" for _, r in wire.exchanges)


@pytest.mark.parametrize(
    ("url", "status", "body"),
    [
        (
            "https://api.openai.com/v1/responses",
            429,
            {"error": {"type": "tokens", "code": "rate_limit_exceeded", "param": None}},
        ),
        ("https://openrouter.ai/api/v1/chat/completions", 503, {"error": {"code": 503}}),
        (
            "https://api.anthropic.com/v1/messages",
            529,
            {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
        ),
        (
            "https://generativelanguage.googleapis.com/v1beta/models/demo-strong:generateContent",
            500,
            {"error": {"code": 500, "status": "INTERNAL"}},
        ),
    ],
)
def test_error_bodies_have_the_provider_shape(url: str, status: int, body: dict) -> None:
    import httpx2

    response = Faults({1: status})(httpx2.Request("POST", url, json={}))
    assert response.status_code == status
    got = response.json()
    for key, value in body.items():
        assert ({k: got[key][k] for k in value} if isinstance(value, dict) else got[key]) == value
    assert response.headers["retry-after-ms"] == "20"
    assert (response.headers.get("request-id") or response.headers["x-request-id"]).startswith("req_")

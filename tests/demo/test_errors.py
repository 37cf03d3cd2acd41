"""Provider errors: failures on purpose (:mod:`.faults`) and malformed requests raise each SDK's own exception types."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from openreward_nb import demo

from .faults import failing

PROMPT = "Find the flag under /challenge."


def _ask(provider: str, client: Any, with_tools: bool = False) -> Any:
    """One model call through the provider's SDK (offering the demo tools, or none)."""
    fmt = {"gemini": "google"}.get(provider, provider)
    tools = demo.environments.get(name="CTF").list_tools(fmt) if with_tools else []  # type: ignore[arg-type]
    if provider == "openai":
        return client.responses.create(model="demo-strong", input=PROMPT, tools=tools)
    messages = [{"role": "user", "content": PROMPT}]
    if provider == "openrouter":
        return client.chat.completions.create(model="demo-strong", messages=messages, tools=tools)
    if provider == "anthropic":
        return client.messages.create(model="demo-strong", max_tokens=256, messages=messages, tools=tools)
    from google.genai import types

    config = types.GenerateContentConfig(tools=[types.Tool(function_declarations=tools)] if tools else None)
    return client.models.generate_content(model="demo-strong", contents=PROMPT, config=config)


def _client(provider: str, errors: dict[int, int], **options: Any) -> Any:
    factory: Callable[..., Any] = {
        "openai": demo.openai_client,
        "openrouter": demo.openrouter_client,
        "anthropic": demo.anthropic_client,
        "gemini": demo.gemini_client,
    }[provider]
    return factory(offline=True, transport=failing(errors), **options)


def _exception(name: str) -> type:
    import anthropic
    import openai
    from google.genai import errors

    module, _, attr = name.partition(".")
    return getattr({"openai": openai, "anthropic": anthropic, "genai": errors}[module], attr)


@pytest.mark.parametrize(
    ("provider", "status", "exception", "message"),
    [
        ("openai", 429, "openai.RateLimitError", "Rate limit reached"),
        ("openai", 500, "openai.InternalServerError", "The server had an error"),
        ("openrouter", 429, "openai.RateLimitError", "Rate limit reached"),
        ("anthropic", 429, "anthropic.RateLimitError", "exceed the rate limit"),
        ("anthropic", 529, "anthropic.OverloadedError", "Overloaded"),
        ("gemini", 429, "genai.ClientError", "RESOURCE_EXHAUSTED"),
        ("gemini", 503, "genai.ServerError", "UNAVAILABLE"),
    ],
)
def test_injected_errors_raise_the_sdk_exception(provider: str, status: int, exception: str, message: str) -> None:
    options = {} if provider == "gemini" else {"max_retries": 0}
    client = _client(provider, {1: status}, **options)
    with pytest.raises(_exception(exception), match=message) as raised:
        _ask(provider, client)
    assert getattr(raised.value, "status_code", getattr(raised.value, "code", None)) == status
    assert _ask(provider, client)  # only the first request was told to fail


def test_injected_error_in_the_async_client() -> None:
    import openai

    client = demo.async_openai_client(offline=True, transport=failing({1: 429}), max_retries=0)
    with pytest.raises(openai.RateLimitError):
        asyncio.run(client.responses.create(model="demo-strong", input=PROMPT))


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_sdk_retries_through_an_injected_error(provider: str) -> None:
    client = _client(provider, {1: 429, 2: 500})
    raw = _ask(provider, client.with_raw_response)
    assert raw.retries_taken == 2 and raw.parse().id


def _first_turn(provider: str) -> tuple[Any, Any]:
    """A client, and the first response of an episode (a tool call)."""
    client = _client(provider, {}, **({"max_retries": 0} if provider != "gemini" else {}))
    return client, _ask(provider, client, with_tools=True)


def test_responses_refuses_a_call_without_its_output() -> None:
    import openai

    client, response = _first_turn("openai")
    call = response.output[1]
    history = [{"role": "user", "content": PROMPT}, *response.output]
    with pytest.raises(openai.BadRequestError, match=f"No tool output found for function call {call.call_id}"):
        client.responses.create(model="demo-strong", input=history)
    stray = {"type": "function_call_output", "call_id": "call_missing", "output": "x"}
    with pytest.raises(
        openai.BadRequestError, match="No tool call found for function call output with call_id call_missing"
    ):
        client.responses.create(model="demo-strong", input=[{"role": "user", "content": PROMPT}, stray])
    with pytest.raises(openai.BadRequestError, match="Previous response with id 'resp_1' not found") as error:
        client.responses.create(model="demo-strong", input=PROMPT, previous_response_id="resp_1")
    assert error.value.param == "previous_response_id" and error.value.type == "invalid_request_error"


def test_chat_refuses_unanswered_calls_and_stray_tool_messages() -> None:
    import openai

    client, completion = _first_turn("openrouter")
    message = completion.choices[0].message
    history = [{"role": "user", "content": PROMPT}, message]
    with pytest.raises(openai.BadRequestError, match="must be followed by tool messages"):
        client.chat.completions.create(model="demo-strong", messages=[*history, {"role": "user", "content": "and?"}])
    stray = {"role": "tool", "tool_call_id": "call_missing", "content": "x"}
    with pytest.raises(openai.BadRequestError, match="must be a response to a preceeding message with 'tool_calls'"):
        client.chat.completions.create(model="demo-strong", messages=[{"role": "user", "content": PROMPT}, stray])


def test_chat_refuses_tools_in_the_responses_format() -> None:
    import openai

    client = demo.openai_client(offline=True, max_retries=0)
    tools = demo.environments.get(name="CTF").list_tools("openai")
    with pytest.raises(openai.BadRequestError, match=r"Missing required parameter: 'tools\[0\].function'"):
        client.chat.completions.create(model="demo-strong", messages=[{"role": "user", "content": PROMPT}], tools=tools)


def test_anthropic_refuses_tool_use_without_tool_result() -> None:
    import anthropic

    client, message = _first_turn("anthropic")
    history = [{"role": "user", "content": PROMPT}, {"role": "assistant", "content": message.content}]
    with pytest.raises(
        anthropic.BadRequestError, match="`tool_use` ids were found without `tool_result` blocks"
    ) as error:
        client.messages.create(
            model="demo-strong", max_tokens=256, messages=[*history, {"role": "user", "content": "go"}]
        )
    assert error.value.body["error"]["type"] == "invalid_request_error"
    stray = {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_missing", "content": "x"}]}
    with pytest.raises(anthropic.BadRequestError, match="unexpected `tool_use_id` found in `tool_result` blocks"):
        client.messages.create(model="demo-strong", max_tokens=256, messages=[stray])


def test_gemini_refuses_a_function_call_turn_without_responses() -> None:
    from google.genai import errors, types

    client, response = _first_turn("gemini")
    contents = [types.Content(role="user", parts=[types.Part(text=PROMPT)]), response.candidates[0].content]
    contents.append(types.Content(role="user", parts=[types.Part(text="and?")]))
    with pytest.raises(errors.ClientError, match="number of function response parts") as error:
        client.models.generate_content(model="demo-strong", contents=contents)
    assert error.value.code == 400 and error.value.status == "INVALID_ARGUMENT"


def test_unknown_endpoints_are_not_found() -> None:
    import anthropic
    import openai

    with pytest.raises(openai.NotFoundError):
        demo.openai_client(offline=True).embeddings.create(model="text-embedding-3-small", input="x")
    with pytest.raises(anthropic.NotFoundError):
        demo.anthropic_client(offline=True).models.list()


def test_a_body_that_is_not_json_is_a_bad_request() -> None:
    import httpx2

    handler = demo.OfflineProviders()
    response = handler(httpx2.Request("POST", "https://api.anthropic.com/v1/messages", content=b"{not json"))
    assert response.status_code == 400
    assert response.json()["error"] == {
        "type": "invalid_request_error",
        "message": "We could not parse the JSON body of your request.",
    }

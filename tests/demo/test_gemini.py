"""The real google-genai SDK against the offline Gemini API (models, streaming, chats, aio)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from openreward_nb import demo
from openreward_nb.demo import DemoEnvironment, Task

from .agents import GeminiLoop
from .conftest import Wire
from .test_openai import check_episode


def thinking(include: bool) -> dict[str, Any]:
    from google.genai import types

    return {"thinking_config": types.ThinkingConfig(include_thoughts=True)} if include else {}


@pytest.mark.parametrize("thoughts", [True, False], ids=["thoughts", "no-thoughts"])
@pytest.mark.parametrize("mode", ["create", "stream", "chat"])
def test_episode(environment: DemoEnvironment, task: Task, mode: str, thoughts: bool) -> None:
    with environment.session(task=task) as session:
        transcript = GeminiLoop(
            demo.gemini_client(offline=True), session, "demo-strong", mode, **thinking(thoughts)
        ).play()
    check_episode(transcript)
    assert sum(1 for response in transcript.responses if len(response.function_calls or []) == 2) == 1
    for response in transcript.responses:
        parts = response.candidates[0].content.parts
        thought_parts = [part for part in parts if part.thought]
        assert bool(thought_parts) is thoughts
        answer = [part for part in parts if not part.thought]
        assert any(part.thought_signature for part in answer)
        assert response.usage_metadata.thoughts_token_count > 0
        assert response.candidates[0].finish_reason.name == "STOP"
    assert all(call[0] for call in transcript.calls)  # function calls carry ids


@pytest.mark.parametrize("mode", ["create", "stream"])
def test_episode_aio(environment: DemoEnvironment, task: Task, mode: str) -> None:
    with environment.session(task=task) as session:
        loop = GeminiLoop(demo.gemini_client(offline=True), session, "demo-strong", mode, **thinking(True))
        check_episode(asyncio.run(loop.aplay()))


def test_stream_sends_thoughts_then_the_answer(environment: DemoEnvironment, task: Task, wire: Wire) -> None:
    from google import genai
    from google.genai import types

    client = genai.Client(
        api_key="k", http_options=types.HttpOptions(base_url=demo.clients.GEMINI_BASE_URL, httpx_client=wire.client())
    )
    config = types.GenerateContentConfig(
        tools=[types.Tool(function_declarations=environment.list_tools("google"))], **thinking(True)
    )
    prompt = environment.session(task=task).get_prompt()[0].text
    chunks = list(client.models.generate_content_stream(model="demo-strong", contents=prompt, config=config))
    assert [bool(c.candidates[0].content.parts[0].thought) for c in chunks] == [True] * (len(chunks) - 1) + [False]
    assert chunks[-1].function_calls[0].args == {"command": "find /challenge -type f"}
    ((request, response),) = wire.exchanges
    assert request.url.path == "/v1beta/models/demo-strong:streamGenerateContent" or request.url.path.endswith(
        "/models/demo-strong:streamGenerateContent"
    )
    assert request.url.params["alt"] == "sse" and b"\r\n\r\ndata: " in response.content


def test_function_responses_without_ids_pair_by_order(environment: DemoEnvironment, task: Task) -> None:
    from google.genai import types

    client = demo.gemini_client(offline=True)
    config = types.GenerateContentConfig(tools=[types.Tool(function_declarations=environment.list_tools("google"))])
    with environment.session(task=task) as session:
        contents: list[Any] = [session.get_prompt()[0].text]
        for _ in range(2):
            response = client.models.generate_content(model="demo-strong", contents=contents, config=config)
            contents.append(response.candidates[0].content)
            outputs = [session.call_tool(c.name, dict(c.args)).blocks[0].text for c in response.function_calls]
            contents.append(
                types.Content(
                    role="user",
                    parts=[
                        types.Part.from_function_response(name=c.name, response={"output": out})
                        for c, out in zip(response.function_calls, outputs, strict=True)
                    ],
                )
            )
        reads = client.models.generate_content(model="demo-strong", contents=contents, config=config)
    assert [c.args["command"] for c in reads.function_calls] == ["base64 -d /challenge/message.b64"]

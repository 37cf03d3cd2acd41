"""Small agent loops, one per provider SDK, driving a demo session the way user code does.

A loop asks the model (``call``/``acall``: plain, raw stream or the SDK's stream helper),
runs the tool calls it made in the session, sends the results back in the provider's
format, and once a tool finishes the episode asks one last time for the closing text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from openreward_nb.demo import DemoSession, ToolOutput

MAX_TURNS = 20
Call = tuple[str, str, dict]  # (call_id, tool name, arguments)


@dataclass
class Transcript:
    """What an episode did: each tool call with its result, the SDK responses, and the closing text."""

    calls: list[Call] = field(default_factory=list)
    results: dict[str, ToolOutput] = field(default_factory=dict)
    responses: list[Any] = field(default_factory=list)
    stream_events: list[list[str]] = field(default_factory=list)
    final_text: str | None = None

    @property
    def finished(self) -> bool:
        return any(r.finished for r in self.results.values())

    @property
    def reward(self) -> float | None:
        """The reward of the step that finished the episode."""
        return next((r.reward for r in self.results.values() if r.finished), None)


class Loop:
    """One episode: subclasses say how to ask their SDK and how to read and answer its responses."""

    def __init__(self, client: Any, session: DemoSession, model: str, mode: str = "create", **params: Any) -> None:
        self.client, self.session, self.model, self.mode, self.params = client, session, model, mode, params
        self.transcript = Transcript()
        self.text: str | None = None

    def receive(self, response: Any) -> list[Call]:
        """Keep the response in the history; return its tool calls (and set ``self.text``)."""
        raise NotImplementedError

    def answer(self, results: list[tuple[Call, ToolOutput]]) -> None:
        """Send the tool results back, in the provider's format."""
        raise NotImplementedError

    def _step(self, response: Any) -> bool:
        self.transcript.responses.append(response)
        calls = self.receive(response)
        if self.transcript.finished:
            assert not calls, "the model called tools after the episode finished"
            self.transcript.final_text = self.text
            return True
        results = []
        for call in calls:
            self.transcript.calls.append(call)
            self.transcript.results[call[0]] = result = self.session.call_tool(call[1], call[2])
            results.append((call, result))
            if result.finished:
                break
        self.answer(results)
        return False

    def play(self) -> Transcript:
        for _ in range(MAX_TURNS):
            if self._step(self.call()):
                return self.transcript
        raise AssertionError(f"no end within {MAX_TURNS} turns")

    async def aplay(self) -> Transcript:
        for _ in range(MAX_TURNS):
            if self._step(await self.acall()):
                return self.transcript
        raise AssertionError(f"no end within {MAX_TURNS} turns")

    def call(self) -> Any:
        raise NotImplementedError

    async def acall(self) -> Any:
        raise NotImplementedError


def _output_text(result: ToolOutput) -> str:
    return result.blocks[0].text


class ResponsesLoop(Loop):
    """OpenAI Responses: the OpenReward tutorial's loop."""

    def __init__(self, client: Any, session: DemoSession, model: str, mode: str = "create", **params: Any) -> None:
        super().__init__(client, session, model, mode, **params)
        self.tools = session.list_tools(format="openai")
        self.input: list[Any] = [{"role": "user", "content": session.get_prompt()[0].text}]

    def _kwargs(self) -> dict[str, Any]:
        return {"model": self.model, "tools": self.tools, "input": self.input, **self.params}

    def call(self) -> Any:
        if self.mode == "helper":
            with self.client.responses.stream(**self._kwargs()) as stream:
                self.transcript.stream_events.append([event.type for event in stream])
                return stream.get_final_response()
        if self.mode == "stream":
            events = list(self.client.responses.create(stream=True, **self._kwargs()))
            self.transcript.stream_events.append([event.type for event in events])
            return events[-1].response
        return self.client.responses.create(**self._kwargs())

    async def acall(self) -> Any:
        if self.mode == "helper":
            async with self.client.responses.stream(**self._kwargs()) as stream:
                self.transcript.stream_events.append([event.type async for event in stream])
                return await stream.get_final_response()
        if self.mode == "stream":
            events = [event async for event in await self.client.responses.create(stream=True, **self._kwargs())]
            self.transcript.stream_events.append([event.type for event in events])
            return events[-1].response
        return await self.client.responses.create(**self._kwargs())

    def receive(self, response: Any) -> list[Call]:
        self.input += response.output
        self.text = response.output_text
        return [(i.call_id, i.name, json.loads(i.arguments)) for i in response.output if i.type == "function_call"]

    def answer(self, results: list[tuple[Call, ToolOutput]]) -> None:
        for (call_id, _, _), result in results:
            output = json.dumps({"result": _output_text(result)})
            self.input.append({"type": "function_call_output", "call_id": call_id, "output": output})


class ChatLoop(Loop):
    """Chat Completions (OpenAI or OpenRouter), with the SDK's ``openrouter`` tool format."""

    def __init__(self, client: Any, session: DemoSession, model: str, mode: str = "create", **params: Any) -> None:
        super().__init__(client, session, model, mode, **params)
        self.tools = session.list_tools(format="openrouter")
        self.messages: list[Any] = [{"role": "user", "content": session.get_prompt()[0].text}]

    def _kwargs(self) -> dict[str, Any]:
        return {"model": self.model, "tools": self.tools, "messages": self.messages, **self.params}

    def call(self) -> Any:
        if self.mode == "helper":
            with self.client.chat.completions.stream(
                stream_options={"include_usage": True}, **self._kwargs()
            ) as stream:
                self.transcript.stream_events.append([event.type for event in stream])
                return stream.get_final_completion()
        if self.mode == "stream":
            chunks = list(
                self.client.chat.completions.create(
                    stream=True, stream_options={"include_usage": True}, **self._kwargs()
                )
            )
            return completion_from_chunks(chunks)
        return self.client.chat.completions.create(**self._kwargs())

    async def acall(self) -> Any:
        if self.mode == "stream":
            stream = await self.client.chat.completions.create(
                stream=True, stream_options={"include_usage": True}, **self._kwargs()
            )
            return completion_from_chunks([chunk async for chunk in stream])
        return await self.client.chat.completions.create(**self._kwargs())

    def receive(self, completion: Any) -> list[Call]:
        message = completion.choices[0].message
        self.messages.append(message)
        self.text = message.content
        return [(c.id, c.function.name, json.loads(c.function.arguments)) for c in message.tool_calls or []]

    def answer(self, results: list[tuple[Call, ToolOutput]]) -> None:
        for (call_id, _, _), result in results:
            self.messages.append({"role": "tool", "tool_call_id": call_id, "content": _output_text(result)})


def completion_from_chunks(chunks: list[Any]) -> Any:
    """A ChatCompletion assembled by hand from raw stream chunks (checks what each chunk carries)."""
    from openai.types.chat import ChatCompletion

    message: dict[str, Any] = {"role": "assistant", "content": None, "tool_calls": []}
    finish = None
    for chunk in chunks:
        for choice in chunk.choices:
            delta = choice.delta
            if delta.content:
                message["content"] = (message["content"] or "") + delta.content
            for call in delta.tool_calls or []:
                if call.id:
                    message["tool_calls"].append(
                        {"id": call.id, "type": "function", "function": {"name": call.function.name, "arguments": ""}}
                    )
                message["tool_calls"][call.index]["function"]["arguments"] += call.function.arguments or ""
            finish = choice.finish_reason or finish
    last = chunks[-1]
    return ChatCompletion.model_validate(
        {
            "id": last.id,
            "object": "chat.completion",
            "created": last.created,
            "model": last.model,
            "choices": [
                {
                    "index": 0,
                    "message": {**message, "tool_calls": message["tool_calls"] or None},
                    "finish_reason": finish,
                }
            ],
            "usage": last.usage.model_dump() if last.usage else None,
        }
    )


class AnthropicLoop(Loop):
    """Anthropic Messages, with tool results in the next user turn."""

    def __init__(self, client: Any, session: DemoSession, model: str, mode: str = "create", **params: Any) -> None:
        super().__init__(client, session, model, mode, **params)
        self.tools = session.list_tools(format="anthropic")
        self.messages: list[Any] = [{"role": "user", "content": session.get_prompt()[0].text}]

    def _kwargs(self) -> dict[str, Any]:
        return {"model": self.model, "max_tokens": 4096, "tools": self.tools, "messages": self.messages, **self.params}

    def call(self) -> Any:
        if self.mode == "helper":
            with self.client.messages.stream(**self._kwargs()) as stream:
                self.transcript.stream_events.append([event.type for event in stream])
                return stream.get_final_message()
        if self.mode == "stream":
            events = list(self.client.messages.create(stream=True, **self._kwargs()))
            self.transcript.stream_events.append([event.type for event in events])
            return message_from_events(events)
        return self.client.messages.create(**self._kwargs())

    async def acall(self) -> Any:
        if self.mode == "helper":
            async with self.client.messages.stream(**self._kwargs()) as stream:
                self.transcript.stream_events.append([event.type async for event in stream])
                return await stream.get_final_message()
        return await self.client.messages.create(**self._kwargs())

    def receive(self, message: Any) -> list[Call]:
        self.messages.append({"role": "assistant", "content": message.content})
        self.text = "".join(block.text for block in message.content if block.type == "text")
        return [(b.id, b.name, dict(b.input)) for b in message.content if b.type == "tool_use"]

    def answer(self, results: list[tuple[Call, ToolOutput]]) -> None:
        blocks = [
            {"type": "tool_result", "tool_use_id": call_id, "content": _output_text(result)}
            for (call_id, _, _), result in results
        ]
        self.messages.append({"role": "user", "content": blocks})


def message_from_events(events: list[Any]) -> Any:
    """An Anthropic Message assembled by hand from raw stream events."""
    from anthropic.types import Message

    message = events[0].message.model_dump()
    partial_json: dict[int, str] = {}
    for event in events[1:]:
        if event.type == "content_block_start":
            message["content"].append(event.content_block.model_dump())
        elif event.type == "content_block_delta":
            block, delta = message["content"][event.index], event.delta
            if delta.type == "input_json_delta":
                partial_json[event.index] = partial_json.get(event.index, "") + delta.partial_json
            else:
                field = {"thinking_delta": "thinking", "signature_delta": "signature", "text_delta": "text"}[delta.type]
                block[field] += getattr(delta, field)
        elif event.type == "message_delta":
            message["stop_reason"] = event.delta.stop_reason
            message["usage"]["output_tokens"] = event.usage.output_tokens
    for index, text in partial_json.items():
        message["content"][index]["input"] = json.loads(text)
    return Message.model_validate(message)


class GeminiLoop(Loop):
    """google-genai ``models.generate_content`` (mode create or stream), or ``chats`` (mode chat)."""

    def __init__(self, client: Any, session: DemoSession, model: str, mode: str = "create", **params: Any) -> None:
        from google.genai import types

        super().__init__(client, session, model, mode, **params)
        self.types = types
        tools = [types.Tool(function_declarations=session.list_tools(format="google"))]
        self.config = types.GenerateContentConfig(tools=tools, **params)
        prompt = session.get_prompt()[0].text
        self.contents: list[Any] = [types.Content(role="user", parts=[types.Part(text=prompt)])]
        self.chat = client.chats.create(model=model, config=self.config) if mode == "chat" else None
        self.pending: list[Any] = [prompt]

    def call(self) -> Any:
        if self.chat is not None:
            return self.chat.send_message(self.pending)
        kwargs = {"model": self.model, "contents": self.contents, "config": self.config}
        if self.mode == "stream":
            chunks = list(self.client.models.generate_content_stream(**kwargs))
            return self._merge(chunks)
        return self.client.models.generate_content(**kwargs)

    async def acall(self) -> Any:
        kwargs = {"model": self.model, "contents": self.contents, "config": self.config}
        if self.mode == "stream":
            chunks = [chunk async for chunk in await self.client.aio.models.generate_content_stream(**kwargs)]
            return self._merge(chunks)
        return await self.client.aio.models.generate_content(**kwargs)

    def _merge(self, chunks: list[Any]) -> Any:
        self.transcript.stream_events.append([str(chunk.candidates[0].finish_reason) for chunk in chunks])
        parts = [part for chunk in chunks for part in chunk.candidates[0].content.parts]
        final = chunks[-1].model_copy(deep=True)
        final.candidates[0].content = self.types.Content(role="model", parts=parts)
        return final

    def receive(self, response: Any) -> list[Call]:
        content = response.candidates[0].content
        self.contents.append(content)
        self.text = "".join(part.text for part in content.parts if part.text and not part.thought)
        return [(call.id, call.name, dict(call.args)) for call in response.function_calls or []]

    def answer(self, results: list[tuple[Call, ToolOutput]]) -> None:
        parts = [
            self.types.Part(
                function_response=self.types.FunctionResponse(
                    id=call_id, name=name, response={"result": _output_text(result)}
                )
            )
            for (call_id, name, _), result in results
        ]
        self.contents.append(self.types.Content(role="user", parts=parts))
        self.pending = parts

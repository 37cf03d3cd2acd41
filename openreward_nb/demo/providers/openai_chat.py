"""Offline Chat Completions (``POST /v1/chat/completions``): OpenAI's, and OpenRouter's with reasoning fields."""

from __future__ import annotations

import json
import re
from typing import Any

from ..episode import Action, Episode
from .common import HEX, Replay, Turn, arguments, content_text, now, opaque, pieces, require, result_text, sse
from .errors import error_format
from .routes import Route

_TOOL_ORPHAN = (
    "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'."
)
_UNANSWERED = (
    "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. "
    "The following tool_call_ids did not have response messages: {}"
)


def _tool_name(tool: Any) -> str:
    function = tool.get("function") if isinstance(tool, dict) else None
    return function.get("name", "") if isinstance(function, dict) else ""


def parse(body: dict[str, Any]) -> Episode:
    """The episode a Chat Completions request carries, or a 400 where the real API refuses it."""
    require(body.get("model"), "you must provide a model parameter", "model")
    messages: Any = body.get("messages")
    require(isinstance(messages, list) and messages, "Missing required parameter: 'messages'.", "messages")
    replay = Replay()
    for n, message in enumerate(messages):
        require(isinstance(message, dict), f"Invalid type for 'messages[{n}]': expected an object.", f"messages[{n}]")
        role = message.get("role")
        if role == "tool":
            answered = replay.answer(message.get("tool_call_id"), result_text(message.get("content")))
            require(answered, _TOOL_ORPHAN, f"messages.[{n}].role")
            continue
        require(not replay.unanswered, _UNANSWERED.format(", ".join(replay.unanswered)), f"messages.[{n}].role")
        if role == "user":
            replay.user_text(content_text(message.get("content")))
        elif role == "assistant":
            replay.turns += 1
            for k, call in enumerate(message.get("tool_calls") or []):
                where = f"messages[{n}].tool_calls[{k}]"
                function = call.get("function") or {}
                require(call.get("id") and function.get("name"), f"Missing required parameter: '{where}.id'.", where)
                replay.calls[call["id"]] = Action(function["name"], arguments(function.get("arguments"), where))
    missing = replay.unanswered
    require(not missing, _UNANSWERED.format(", ".join(missing)), f"messages.[{len(messages)}].role")
    tools = [_tool_name(tool) for tool in body.get("tools") or []]
    for k, name in enumerate(tools):
        require(name, f"Missing required parameter: 'tools[{k}].function'.", f"tools[{k}].function")
    return replay.episode(tools)


def _tool_calls(turn: Turn) -> list[dict[str, Any]]:
    return [
        {
            "id": turn.id("call_", i),
            "type": "function",
            "function": {"name": action.name, "arguments": json.dumps(action.arguments)},
        }
        for i, action in enumerate(turn.step.actions)
    ]


def _finish_reason(turn: Turn) -> str:
    return "tool_calls" if turn.step.actions else "stop"


class ChatCompletions:
    """The endpoint, as OpenAI (``openrouter=False``) or OpenRouter serve it: ids, reasoning fields, usage extras."""

    def __init__(self, openrouter: bool) -> None:
        self.openrouter = openrouter

    def _completion_id(self, turn: Turn) -> str:
        if self.openrouter:
            return f"gen-{now()}-" + turn.id("", length=20)
        return turn.id("chatcmpl-", length=29)

    def _envelope(self, turn: Turn, kind: str) -> dict[str, Any]:
        head: dict[str, Any] = {"id": self._completion_id(turn), "object": kind, "created": now(), "model": turn.model}
        if self.openrouter:
            return {**head, "provider": "OpenReward Demo", "system_fingerprint": None}
        return {**head, "service_tier": "default", "system_fingerprint": "fp_" + turn.id("", length=10, alphabet=HEX)}

    def _reasoning_fields(self, turn: Turn) -> dict[str, Any]:
        """OpenRouter puts the model's reasoning on the message; OpenAI's Chat Completions shows none."""
        if not self.openrouter:
            return {}
        detail = {
            "format": "anthropic-claude-v1",
            "index": 0,
            "signature": opaque(turn.id("sig"), size=192),
            "text": turn.step.reasoning,
            "type": "reasoning.text",
        }
        return {"reasoning": turn.step.reasoning, "reasoning_details": [detail]}

    def _usage(self, turn: Turn) -> dict[str, Any]:
        completion = turn.output_tokens + turn.reasoning_tokens
        usage: dict[str, Any] = {
            "prompt_tokens": turn.input_tokens,
            "completion_tokens": completion,
            "total_tokens": turn.input_tokens + completion,
            "prompt_tokens_details": {"cached_tokens": turn.cached_tokens, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": turn.reasoning_tokens,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        }
        if self.openrouter:
            cost = round((turn.input_tokens * 3 + completion * 15) / 1_000_000, 6)
            usage.update(cost=cost, is_byok=False, cost_details={"upstream_inference_cost": cost})
        return usage

    def respond(self, turn: Turn, body: dict[str, Any]) -> dict[str, Any]:
        """The ChatCompletion object for a non-streaming request."""
        message: dict[str, Any] = {
            "role": "assistant",
            "content": turn.step.text,
            "refusal": None,
            "annotations": [],
            **self._reasoning_fields(turn),
        }
        if turn.step.actions:
            message["tool_calls"] = _tool_calls(turn)
        choice: dict[str, Any] = {
            "index": 0,
            "message": message,
            "logprobs": None,
            "finish_reason": _finish_reason(turn),
        }
        if self.openrouter:
            choice["native_finish_reason"] = _finish_reason(turn)
        return {**self._envelope(turn, "chat.completion"), "choices": [choice], "usage": self._usage(turn)}

    def _deltas(self, turn: Turn) -> list[dict[str, Any]]:
        """The ``delta`` of each content chunk, in order."""
        first: dict[str, Any] = {"role": "assistant", "content": None if turn.step.actions else "", "refusal": None}
        deltas = [first]
        reasoning = self._reasoning_fields(turn)
        if reasoning:
            # Only the first piece names the format: the SDK's stream helper concatenates repeated strings.
            detail = reasoning["reasoning_details"][0]
            for n, piece in enumerate(pieces(turn.step.reasoning)):
                item = {
                    "type": detail["type"],
                    "text": piece,
                    "index": 0,
                    **({"format": detail["format"]} if n == 0 else {}),
                }
                deltas.append({"reasoning": piece, "reasoning_details": [item]})
            deltas.append(
                {
                    "reasoning_details": [
                        {"type": detail["type"], "text": "", "signature": detail["signature"], "index": 0}
                    ]
                }
            )
        for piece in pieces(turn.step.text) if turn.step.text else []:
            deltas.append({"content": piece})
        for i, call in enumerate(_tool_calls(turn)):
            opening = {
                "index": i,
                "id": call["id"],
                "type": "function",
                "function": {"name": call["function"]["name"], "arguments": ""},
            }
            deltas.append({"tool_calls": [opening]})
            for piece in pieces(call["function"]["arguments"], 8):
                deltas.append({"tool_calls": [{"index": i, "function": {"arguments": piece}}]})
        return deltas

    def stream(self, turn: Turn, body: dict[str, Any]) -> bytes:
        """The SSE body for ``stream: true``: chunks, a usage chunk if ``stream_options.include_usage``, ``[DONE]``."""
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        head = self._envelope(turn, "chat.completion.chunk")
        tail = {"usage": None} if include_usage else {}
        chunks = [
            {**head, "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": None}], **tail}
            for delta in self._deltas(turn)
        ]
        last: dict[str, Any] = {"index": 0, "delta": {}, "logprobs": None, "finish_reason": _finish_reason(turn)}
        if self.openrouter:
            last["native_finish_reason"] = _finish_reason(turn)
        chunks.append({**head, "choices": [last], **tail})
        if include_usage:
            chunks.append({**head, "choices": [], "usage": self._usage(turn)})
        if not self.openrouter:
            chunks = [{**chunk, "obfuscation": turn.id("", n, length=8)} for n, chunk in enumerate(chunks)]
        comment = b": OPENROUTER PROCESSING\n\n" if self.openrouter else b""
        return comment + sse([*((None, chunk) for chunk in chunks), (None, "[DONE]")])


_OPENAI, _OPENROUTER = ChatCompletions(openrouter=False), ChatCompletions(openrouter=True)
ROUTES = (
    Route(
        "api.openai.com",
        re.compile("/v1/chat/completions"),
        error_format("openai"),
        parse,
        _OPENAI.respond,
        _OPENAI.stream,
    ),
    Route(
        "openrouter.ai",
        re.compile("/api/v1/chat/completions"),
        error_format("openrouter"),
        parse,
        _OPENROUTER.respond,
        _OPENROUTER.stream,
    ),
)

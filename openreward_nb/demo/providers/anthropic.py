"""Offline Anthropic Messages API (``POST /v1/messages``), JSON and SSE, in the recorded wire format.

With ``thinking`` enabled the reasoning comes as a signed ``thinking`` block; without it,
as a short ``text`` preamble before the tool calls, the way Claude writes one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from ..episode import Action, Episode
from .common import Replay, RequestError, Turn, opaque, pieces, require, result_text, sse, tokens
from .errors import error_format
from .routes import Route

_UNANSWERED = (
    "messages.{n}: `tool_use` ids were found without `tool_result` blocks immediately after: {ids}. "
    "Each `tool_use` block must have a corresponding `tool_result` block in the next message."
)
_ORPHAN = (
    "messages.{n}.content.{k}: unexpected `tool_use_id` found in `tool_result` blocks: {id}. "
    "Each `tool_result` block must have a corresponding `tool_use` block in the previous message."
)


def _blocks(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return [block for block in content or [] if isinstance(block, dict)]


def parse(body: dict[str, Any]) -> Episode:
    """The episode a Messages request carries, or a 400 where the real API refuses it."""
    require(body.get("model"), "model: Field required")
    require(body.get("max_tokens"), "max_tokens: Field required")
    messages: Any = body.get("messages")
    require(isinstance(messages, list) and messages, "messages: Field required")
    replay = Replay()
    for n, message in enumerate(messages):
        blocks = _blocks(message.get("content"))
        if message.get("role") == "assistant":
            require(not replay.unanswered, _UNANSWERED.format(n=n - 1, ids=", ".join(replay.unanswered)))
            replay.turns += 1
            for block in blocks:
                if block.get("type") == "tool_use":
                    replay.calls[block["id"]] = Action(block["name"], dict(block.get("input") or {}))
            continue
        for k, block in enumerate(blocks):
            if block.get("type") == "tool_result":
                call_id = block.get("tool_use_id")
                if not replay.answer(call_id, result_text(block.get("content"))):
                    raise RequestError(_ORPHAN.format(n=n, k=k, id=call_id))
            elif block.get("type") == "text":
                replay.user_text(block.get("text", ""))
        require(not replay.unanswered, _UNANSWERED.format(n=n - 1, ids=", ".join(replay.unanswered)))
    return replay.episode(tool.get("name", "") for tool in body.get("tools") or [] if isinstance(tool, dict))


def _thinking(body: dict[str, Any]) -> bool:
    return (body.get("thinking") or {}).get("type") in ("enabled", "adaptive")


def _content(turn: Turn, body: dict[str, Any]) -> list[dict[str, Any]]:
    step = turn.step
    blocks: list[dict[str, Any]] = []
    if _thinking(body):
        blocks.append({"type": "thinking", "thinking": step.reasoning, "signature": opaque(turn.id("sig"), size=240)})
    elif step.actions:
        blocks.append({"type": "text", "text": step.reasoning})
    if step.text is not None:
        blocks.append({"type": "text", "text": step.text})
    for i, action in enumerate(step.actions):
        blocks.append(
            {
                "type": "tool_use",
                "id": turn.id("toolu_01", i, length=22),
                "name": action.name,
                "input": action.arguments,
            }
        )
    return blocks


def _usage(turn: Turn, output_tokens: int) -> dict[str, Any]:
    return {
        "input_tokens": turn.input_tokens - turn.cached_tokens,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": turn.cached_tokens,
        "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0},
        "output_tokens": output_tokens,
        "service_tier": "standard",
        "inference_geo": "not_available",
    }


def _message(turn: Turn, body: dict[str, Any], content: list[dict[str, Any]], done: bool) -> dict[str, Any]:
    if _thinking(body):
        output_tokens = turn.output_tokens + turn.reasoning_tokens
    else:
        output_tokens = turn.output_tokens + (tokens(turn.step.reasoning) if turn.step.actions else 0)
    return {
        "id": turn.id("msg_01", length=22),
        "type": "message",
        "role": "assistant",
        "model": turn.model,
        "content": content,
        "stop_reason": ("tool_use" if turn.step.actions else "end_turn") if done else None,
        "stop_sequence": None,
        "stop_details": None,
        "usage": _usage(turn, output_tokens if done else 1),
    }


def respond(turn: Turn, body: dict[str, Any]) -> dict[str, Any]:
    """The Message object for a non-streaming request."""
    return _message(turn, body, _content(turn, body), done=True)


def _block_events(index: int, block: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """``content_block_start``, its deltas and ``content_block_stop`` for one content block."""
    kind = block["type"]
    empties: dict[str, dict[str, Any]] = {
        "thinking": {"thinking": "", "signature": ""},
        "text": {"text": ""},
        "tool_use": {"input": {}},
    }
    empty = empties[kind]
    yield {"type": "content_block_start", "index": index, "content_block": {**block, **empty}}
    if index == 0:
        yield {"type": "ping"}
    if kind == "thinking":
        for piece in pieces(block["thinking"], 40):
            yield {
                "type": "content_block_delta",
                "index": index,
                "delta": {"type": "thinking_delta", "thinking": piece},
            }
        yield {
            "type": "content_block_delta",
            "index": index,
            "delta": {"type": "signature_delta", "signature": block["signature"]},
        }
    elif kind == "text":
        for piece in pieces(block["text"]):
            yield {"type": "content_block_delta", "index": index, "delta": {"type": "text_delta", "text": piece}}
    else:
        for piece in pieces(json.dumps(block["input"]), 10):
            yield {
                "type": "content_block_delta",
                "index": index,
                "delta": {"type": "input_json_delta", "partial_json": piece},
            }
    yield {"type": "content_block_stop", "index": index}


def stream(turn: Turn, body: dict[str, Any]) -> bytes:
    """The SSE body for ``stream: true``: ``message_start`` ... ``message_stop``."""
    content = _content(turn, body)
    done = _message(turn, body, content, done=True)
    events: list[dict[str, Any]] = [{"type": "message_start", "message": _message(turn, body, [], done=False)}]
    for index, block in enumerate(content):
        events.extend(_block_events(index, block))
    events.append(
        {
            "type": "message_delta",
            "delta": {"stop_reason": done["stop_reason"], "stop_sequence": None, "stop_details": None},
            "usage": done["usage"],
        }
    )
    events.append({"type": "message_stop"})
    return sse((event["type"], event) for event in events)


ROUTES = (Route("api.anthropic.com", re.compile("/v1/messages"), error_format("anthropic"), parse, respond, stream),)

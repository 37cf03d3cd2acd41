"""Offline OpenAI Responses API (``POST /v1/responses``), JSON and SSE, in the recorded wire format."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from ..episode import Action, Episode
from .common import HEX, Replay, RequestError, Turn, arguments, content_text, now, pieces, require, result_text, sse
from .errors import error_format
from .routes import Route

_ASSISTANT_ITEMS = ("reasoning", "function_call")


def _item_type(item: dict[str, Any]) -> str:
    return item.get("type") or ("message" if "role" in item else "")


def parse(body: dict[str, Any]) -> Episode:
    """The episode a Responses request carries, or a 400 where the real API refuses the request."""
    require(body.get("model"), "Missing required parameter: 'model'.", "model")
    if body.get("previous_response_id"):
        raise RequestError(
            f"Previous response with id '{body['previous_response_id']}' not found.", param="previous_response_id"
        )
    items: Any = body.get("input")
    require(items is not None, "Missing required parameter: 'input'.", "input")
    if isinstance(items, str):
        items = [{"role": "user", "content": items}]
    require(isinstance(items, list), "Invalid type for 'input': expected a string or an array of input items.", "input")
    replay = Replay()
    previous = ""
    for n, item in enumerate(items):
        require(isinstance(item, dict), f"Invalid type for 'input[{n}]': expected an object.", f"input[{n}]")
        kind = _item_type(item)
        assistant_side = kind in _ASSISTANT_ITEMS or (kind == "message" and item.get("role") == "assistant")
        if assistant_side and previous != "assistant":
            replay.turns += 1
        previous = "assistant" if assistant_side else "other"
        if kind == "message" and item.get("role") == "user":
            replay.user_text(content_text(item.get("content")))
        elif kind == "function_call":
            require(item.get("call_id") and item.get("name"), f"Missing required parameter: 'input[{n}].call_id'.")
            replay.calls[item["call_id"]] = Action(
                item["name"], arguments(item.get("arguments"), f"input[{n}].arguments")
            )
        elif kind == "function_call_output":
            call_id = item.get("call_id")
            answered = replay.answer(call_id, result_text(item.get("output")))
            require(answered, f"No tool call found for function call output with call_id {call_id}.", "input")
    missing = replay.unanswered
    require(not missing, f"No tool output found for function call {missing[0] if missing else ''}.", "input")
    return replay.episode(
        t.get("name", "") for t in body.get("tools") or [] if isinstance(t, dict) and t.get("type") == "function"
    )


def _output_items(turn: Turn, body: dict[str, Any]) -> list[dict[str, Any]]:
    step = turn.step
    reasoning: dict[str, Any] = {
        "id": turn.id("rs_", length=48, alphabet=HEX),
        "type": "reasoning",
        "summary": [{"type": "summary_text", "text": f"**{step.title}**\n\n{step.reasoning}"}],
    }
    if "reasoning.encrypted_content" in (body.get("include") or []):
        reasoning["encrypted_content"] = "gAAAAAB" + turn.id("", "encrypted", length=160)
    items = [reasoning]
    for i, action in enumerate(step.actions):
        items.append(
            {
                "arguments": json.dumps(action.arguments),
                "call_id": turn.id("call_", i),
                "id": turn.id("fc_", i, length=48, alphabet=HEX),
                "name": action.name,
                "status": "completed",
                "type": "function_call",
            }
        )
    if step.text is not None:
        items.append(
            {
                "id": turn.id("msg_", length=48, alphabet=HEX),
                "type": "message",
                "role": "assistant",
                "status": "completed",
                "content": [{"type": "output_text", "annotations": [], "logprobs": [], "text": step.text}],
            }
        )
    return items


def _response(turn: Turn, body: dict[str, Any], output: list[dict[str, Any]], done: bool) -> dict[str, Any]:
    reasoning = body.get("reasoning") or {}
    usage = None
    if done:
        output_tokens = turn.output_tokens + turn.reasoning_tokens
        usage = {
            "input_tokens": turn.input_tokens,
            "input_tokens_details": {"cached_tokens": turn.cached_tokens, "cache_write_tokens": 0},
            "output_tokens": output_tokens,
            "output_tokens_details": {"reasoning_tokens": turn.reasoning_tokens},
            "total_tokens": turn.input_tokens + output_tokens,
        }
    return {
        "id": turn.id("resp_", length=48, alphabet=HEX),
        "object": "response",
        "created_at": now(),
        "status": "completed" if done else "in_progress",
        "background": False,
        "error": None,
        "incomplete_details": None,
        "instructions": body.get("instructions"),
        "max_output_tokens": body.get("max_output_tokens"),
        "max_tool_calls": None,
        "model": turn.model,
        "output": output,
        "parallel_tool_calls": body.get("parallel_tool_calls", True),
        "previous_response_id": None,
        "prompt_cache_key": None,
        "reasoning": {"effort": reasoning.get("effort", "medium"), "summary": reasoning.get("summary")},
        "safety_identifier": None,
        "service_tier": "default",
        "store": body.get("store", True),
        "temperature": body.get("temperature", 1.0),
        "text": {"format": {"type": "text"}, "verbosity": "medium"},
        "tool_choice": body.get("tool_choice", "auto"),
        "tools": [{"strict": True, **tool} for tool in body.get("tools") or []],
        "top_logprobs": 0,
        "top_p": body.get("top_p", 1.0),
        "truncation": "disabled",
        "usage": usage,
        "user": None,
        "metadata": body.get("metadata") or {},
    }


def respond(turn: Turn, body: dict[str, Any]) -> dict[str, Any]:
    """The Response object for a non-streaming request."""
    return _response(turn, body, _output_items(turn, body), done=True)


def _item_events(turn: Turn, index: int, item: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The events that stream one output item, between its ``output_item.added`` and ``.done``."""
    where = {"item_id": item["id"], "output_index": index}
    if item["type"] == "reasoning":
        yield "response.output_item.added", {"output_index": index, "item": {**item, "summary": []}}
        for s, part in enumerate(item["summary"]):
            at = {**where, "summary_index": s}
            yield "response.reasoning_summary_part.added", {**at, "part": {"type": "summary_text", "text": ""}}
            for k, delta in enumerate(pieces(part["text"])):
                yield (
                    "response.reasoning_summary_text.delta",
                    {
                        **at,
                        "delta": delta,
                        "obfuscation": turn.id("", index, s, k, length=8),
                    },
                )
            yield "response.reasoning_summary_text.done", {**at, "text": part["text"]}
            yield "response.reasoning_summary_part.done", {**at, "part": part}
    elif item["type"] == "function_call":
        yield (
            "response.output_item.added",
            {
                "output_index": index,
                "item": {**item, "arguments": "", "status": "in_progress"},
            },
        )
        for k, delta in enumerate(pieces(item["arguments"], 8)):
            yield (
                "response.function_call_arguments.delta",
                {
                    **where,
                    "delta": delta,
                    "obfuscation": turn.id("", index, k, length=8),
                },
            )
        yield "response.function_call_arguments.done", {**where, "arguments": item["arguments"]}
    else:
        part = item["content"][0]
        at = {**where, "content_index": 0}
        yield (
            "response.output_item.added",
            {
                "output_index": index,
                "item": {**item, "content": [], "status": "in_progress"},
            },
        )
        yield "response.content_part.added", {**at, "part": {**part, "text": ""}}
        for k, delta in enumerate(pieces(part["text"])):
            yield (
                "response.output_text.delta",
                {
                    **at,
                    "delta": delta,
                    "logprobs": [],
                    "obfuscation": turn.id("", index, k, length=8),
                },
            )
        yield "response.output_text.done", {**at, "text": part["text"], "logprobs": []}
        yield "response.content_part.done", {**at, "part": part}
    yield "response.output_item.done", {"output_index": index, "item": item}


def stream(turn: Turn, body: dict[str, Any]) -> bytes:
    """The SSE body for ``stream: true``: ``response.created`` ... ``response.completed``."""
    items = _output_items(turn, body)
    events: list[tuple[str, dict[str, Any]]] = [
        ("response.created", {"response": _response(turn, body, [], done=False)}),
        ("response.in_progress", {"response": _response(turn, body, [], done=False)}),
    ]
    for index, item in enumerate(items):
        events.extend(_item_events(turn, index, item))
    events.append(("response.completed", {"response": _response(turn, body, items, done=True)}))
    return sse((name, {"type": name, "sequence_number": n, **data}) for n, (name, data) in enumerate(events))


ROUTES = (Route("api.openai.com", re.compile("/v1/responses"), error_format("openai"), parse, respond, stream),)

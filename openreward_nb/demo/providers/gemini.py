"""Offline Gemini API: ``models/{model}:generateContent`` and ``:streamGenerateContent?alt=sse``.

Thought parts appear when ``thinkingConfig.includeThoughts`` is set (as with the real API);
the first function call or answer part carries a ``thoughtSignature`` either way.
"""

from __future__ import annotations

import re
from typing import Any

from ..episode import Action, Episode
from .common import Replay, Turn, opaque, require, result_text, sse
from .errors import error_format
from .routes import Route

_COUNT_MISMATCH = (
    "Please ensure that the number of function response parts is equal to the number of function call parts "
    "of the function call turn."
)
_LOWER_ALPHANUMERIC = "0123456789abcdefghijklmnopqrstuvwxyz"


def _parts(content: Any) -> list[dict[str, Any]]:
    parts = content.get("parts") if isinstance(content, dict) else None
    return [part for part in parts or [] if isinstance(part, dict)]


def parse(body: dict[str, Any]) -> Episode:
    """The episode a generateContent request carries, or a 400 where the real API refuses it."""
    contents: Any = body.get("contents")
    require(isinstance(contents, list) and contents, "* GenerateContentRequest.contents: contents is not specified\n")
    replay = Replay()
    for n, content in enumerate(contents):
        parts = _parts(content)
        if content.get("role") == "model":
            require(not replay.unanswered, _COUNT_MISMATCH)
            replay.turns += 1
            for k, part in enumerate(parts):
                call = part.get("functionCall")
                if isinstance(call, dict):  # calls without an id are answered in order
                    replay.calls[call.get("id") or f"#{n}.{k}"] = Action(
                        call.get("name", ""), dict(call.get("args") or {})
                    )
            continue
        responses = [part["functionResponse"] for part in parts if isinstance(part.get("functionResponse"), dict)]
        require(len(responses) == len(replay.unanswered), _COUNT_MISMATCH)
        for response in responses:
            call_id = response.get("id") if response.get("id") in replay.unanswered else replay.unanswered[0]
            replay.answer(call_id, result_text(response.get("response")))
        texts = [part["text"] for part in parts if isinstance(part.get("text"), str)]
        if texts:
            replay.user_text("".join(texts))
    return replay.episode(
        declaration.get("name", "")
        for tool in body.get("tools") or []
        for declaration in (tool.get("functionDeclarations") or tool.get("function_declarations") or [])
    )


def _include_thoughts(body: dict[str, Any]) -> bool:
    thinking = (body.get("generationConfig") or {}).get("thinkingConfig") or {}
    return bool(thinking.get("includeThoughts") or thinking.get("include_thoughts"))


def _thought_part(turn: Turn) -> dict[str, Any]:
    return {"text": f"**{turn.step.title}**\n\n{turn.step.reasoning}\n\n", "thought": True}


def _answer_parts(turn: Turn) -> list[dict[str, Any]]:
    """The function calls or the answer text; the first one carries the thought signature."""
    parts: list[dict[str, Any]] = [
        {
            "functionCall": {
                "id": turn.id("", i, length=8, alphabet=_LOWER_ALPHANUMERIC),
                "name": action.name,
                "args": action.arguments,
            }
        }
        for i, action in enumerate(turn.step.actions)
    ]
    if turn.step.text is not None:
        parts.append({"text": turn.step.text})
    parts[0]["thoughtSignature"] = opaque(turn.id("thought"), size=180)
    return parts


def _usage(turn: Turn, with_candidates: bool) -> dict[str, Any]:
    usage: dict[str, Any] = {"promptTokenCount": turn.input_tokens}
    if with_candidates:
        usage["candidatesTokenCount"] = turn.output_tokens
    total = turn.input_tokens + turn.reasoning_tokens + (turn.output_tokens if with_candidates else 0)
    usage["totalTokenCount"] = total
    usage["promptTokensDetails"] = [{"modality": "TEXT", "tokenCount": turn.input_tokens}]
    if turn.cached_tokens:
        usage["cachedContentTokenCount"] = turn.cached_tokens
    usage["thoughtsTokenCount"] = turn.reasoning_tokens
    return usage


def _chunk(turn: Turn, parts: list[dict[str, Any]], final: bool) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"parts": parts, "role": "model"}}
    if final:
        candidate["finishReason"] = "STOP"
        if turn.step.actions:
            candidate["finishMessage"] = "Model generated function call(s)."
    candidate["index"] = 0
    return {
        "candidates": [candidate],
        "usageMetadata": _usage(turn, with_candidates=final),
        "modelVersion": turn.model,
        "responseId": turn.id("", length=22),
    }


def respond(turn: Turn, body: dict[str, Any]) -> dict[str, Any]:
    """The GenerateContentResponse for ``generateContent``."""
    thoughts = [_thought_part(turn)] if _include_thoughts(body) else []
    return _chunk(turn, thoughts + _answer_parts(turn), final=True)


def stream(turn: Turn, body: dict[str, Any]) -> bytes:
    """The SSE body for ``streamGenerateContent?alt=sse``: thought chunks, then the answer, the last one final."""
    chunks = []
    if _include_thoughts(body):
        sentences = _thought_part(turn)["text"].split(". ")
        for n, sentence in enumerate(sentences):
            text = sentence + (". " if n < len(sentences) - 1 else "")
            chunks.append(_chunk(turn, [{"text": text, "thought": True}], final=False))
    answer = _answer_parts(turn)
    if turn.step.actions:
        chunks.append(_chunk(turn, answer, final=True))
    else:
        words = answer[0]["text"].split(" ")
        halves = [" ".join(words[: len(words) // 2]) + " ", " ".join(words[len(words) // 2 :])]
        signature = answer[0]["thoughtSignature"]
        chunks.append(_chunk(turn, [{"text": halves[0]}], final=False))
        chunks.append(_chunk(turn, [{"text": halves[1], "thoughtSignature": signature}], final=True))
    return sse(((None, chunk) for chunk in chunks), newline="\r\n", compact=False)


_PATH = re.compile(r"/v1(?:beta|alpha)?/models/(?P<model>[^/:]+):(?:generateContent|(?P<stream>streamGenerateContent))")
ROUTES = (Route("generativelanguage.googleapis.com", _PATH, error_format("gemini"), parse, respond, stream),)

"""The request parameters kept as metadata on a captured call: sampling, limits, tools offered."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def _get(obj: Any, key: str) -> Any:
    if obj is None:
        return None
    if isinstance(obj, dict):
        return obj.get(key)
    return getattr(obj, key, None)


def _plain(value: Any) -> Any:
    """A JSON-ready copy of a small parameter value (pydantic models dumped, odd objects as text)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return _plain(dump(exclude_none=True))
    return str(value)


def _tool_names(tools: Iterable[Any] | None) -> list[str] | None:
    """Names of the tools offered (function names, else the built-in tool's type)."""
    if not tools:
        return None
    names = []
    for tool in tools:
        function = _get(tool, "function")
        declarations = _get(tool, "function_declarations")
        if declarations:
            names.extend(str(_get(d, "name")) for d in declarations)
        elif function is not None:
            names.append(str(_get(function, "name")))
        else:
            names.append(str(_get(tool, "name") or _get(tool, "type") or type(tool).__name__))
    return names


def _pick(source: Any, keys: Iterable[str]) -> dict[str, Any]:
    out = {}
    for key in keys:
        value = _get(source, key)
        if value is not None:
            out[key] = _plain(value)
    return out


def responses_params(body: dict) -> dict[str, Any]:
    """OpenAI Responses request parameters."""
    out = _pick(body, ("model", "temperature", "top_p", "max_output_tokens", "reasoning", "tool_choice", "stream"))
    tools = _tool_names(body.get("tools"))
    return {**out, "tools": tools} if tools else out


def chat_params(body: dict) -> dict[str, Any]:
    """Chat Completions (OpenAI, OpenRouter) request parameters."""
    out = _pick(
        body,
        (
            "model",
            "temperature",
            "top_p",
            "max_tokens",
            "max_completion_tokens",
            "reasoning_effort",
            "reasoning",
            "n",
            "tool_choice",
            "stream",
        ),
    )
    tools = _tool_names(body.get("tools"))
    return {**out, "tools": tools} if tools else out


def anthropic_params(body: dict) -> dict[str, Any]:
    """Anthropic Messages request parameters."""
    out = _pick(body, ("model", "temperature", "top_p", "top_k", "max_tokens", "thinking", "tool_choice", "stream"))
    tools = _tool_names(body.get("tools"))
    return {**out, "tools": tools} if tools else out


def gemini_params(request: dict) -> dict[str, Any]:
    """google-genai generate_content parameters (model plus the config's sampling settings)."""
    config = request.get("config")
    out = {"model": _plain(request.get("model"))}
    out.update(
        _pick(config, ("temperature", "top_p", "top_k", "max_output_tokens", "thinking_config", "candidate_count"))
    )
    tools = _tool_names(_get(config, "tools"))
    return {**out, "tools": tools} if tools else out

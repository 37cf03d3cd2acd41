"""Helpers for the request parameters each endpoint keeps as metadata on a captured call."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def get(obj: Any, key: str) -> Any:
    """A field of a dict or an object (None when absent)."""
    if obj is None:
        return None
    if isinstance(obj, dict):
        return obj.get(key)
    return getattr(obj, key, None)


def plain(value: Any) -> Any:
    """A JSON-ready copy of a small parameter value (pydantic models dumped, odd objects as text)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return plain(dump(exclude_none=True))
    return str(value)


def tool_names(tools: Iterable[Any] | None) -> list[str] | None:
    """Names of the tools offered (function names, else the built-in tool's type)."""
    if not tools:
        return None
    names: list[str] = []
    for tool in tools:
        function = get(tool, "function")
        declarations = get(tool, "function_declarations")
        if declarations:
            names.extend(str(get(d, "name")) for d in declarations)
        elif function is not None:
            names.append(str(get(function, "name")))
        else:
            names.append(str(get(tool, "name") or get(tool, "type") or type(tool).__name__))
    return names


def pick(source: Any, keys: Iterable[str]) -> dict[str, Any]:
    """The ``keys`` of ``source`` that are set, as plain values."""
    out: dict[str, Any] = {}
    for key in keys:
        value = get(source, key)
        if value is not None:
            out[key] = plain(value)
    return out


def with_tools(params: dict[str, Any], tools: Iterable[Any] | None) -> dict[str, Any]:
    """``params`` plus the names of the ``tools`` offered, when there are any."""
    names = tool_names(tools)
    return {**params, "tools": names} if names else params

"""What capture records of an OpenAI Responses call (``responses.create`` / ``parse`` / ``stream``)."""

from __future__ import annotations

from typing import Any

from ...events import Event
from .._params import pick, with_tools
from ..protocol import Endpoint, StainlessRoute
from . import adapter
from .stream import ResponsesStream


def input_events(body: dict[str, Any], keep_raw: bool) -> list[Event]:
    """The request's ``instructions`` and ``input``."""
    return adapter.request_events(body.get("input"), body.get("instructions"), keep_raw)


def output_events(response: Any, keep_raw: bool) -> list[Event]:
    """A whole ``Response``, or the items a stream cut short had finished (a list)."""
    if isinstance(response, list):
        return adapter.to_events(response, keep_raw)
    return adapter.response_events(response, keep_raw)


def request_params(body: dict[str, Any]) -> dict[str, Any]:
    """Sampling, limits, reasoning settings and the tools offered."""
    keys = ("model", "temperature", "top_p", "max_output_tokens", "reasoning", "tool_choice", "stream")
    return with_tools(pick(body, keys), body.get("tools"))


RESPONSES = Endpoint(
    "openai",
    "responses",
    (StainlessRoute("openai", "/responses"),),
    input_events,
    output_events,
    request_params,
    ResponsesStream,
)

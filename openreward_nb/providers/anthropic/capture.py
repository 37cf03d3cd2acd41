"""What capture records of an Anthropic Messages call (``messages.create`` / ``stream``)."""

from __future__ import annotations

from typing import Any

from ...events import Event
from .._params import pick, with_tools
from ..protocol import Endpoint, StainlessRoute
from . import adapter
from .stream import MessageStream


def input_events(body: dict[str, Any], keep_raw: bool) -> list[Event]:
    """The request's ``system`` prompt and ``messages``."""
    return adapter.request_events(body.get("messages"), body.get("system"), keep_raw)


def output_events(message: Any, keep_raw: bool) -> list[Event]:
    """A whole ``Message`` (or a stream's snapshot)."""
    return adapter.response_events(message, keep_raw)


def request_params(body: dict[str, Any]) -> dict[str, Any]:
    """Sampling, limits, thinking settings and the tools offered."""
    keys = ("model", "temperature", "top_p", "top_k", "max_tokens", "thinking", "tool_choice", "stream")
    return with_tools(pick(body, keys), body.get("tools"))


MESSAGES = Endpoint(
    "anthropic",
    "messages",
    (StainlessRoute("anthropic", "/messages"),),
    input_events,
    output_events,
    request_params,
    MessageStream,
)

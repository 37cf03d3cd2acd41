"""What capture records of a Chat Completions call (``chat.completions.create`` / ``parse`` / ``stream``).

Any server the openai SDK talks to (OpenAI, OpenRouter, vLLM, SGLang, Together, Groq,
DeepSeek, LiteLLM proxies) is recorded the same way; streams are merged by :mod:`.stream`.
"""

from __future__ import annotations

from typing import Any

from ...events import Event
from .._params import pick, with_tools
from ..protocol import Endpoint, StainlessRoute
from . import adapter
from .stream import ChatCompletionStream

_PARAMS = (
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
)


def input_events(body: dict[str, Any], keep_raw: bool) -> list[Event]:
    """The request's ``messages``."""
    return adapter.request_events(body.get("messages"), keep_raw)


def output_events(completion: Any, keep_raw: bool) -> list[Event]:
    """A whole ``ChatCompletion`` (or the dict a stream merged into)."""
    return adapter.response_events(completion, keep_raw)


def request_params(body: dict[str, Any]) -> dict[str, Any]:
    """Sampling, limits, reasoning settings and the tools offered."""
    return with_tools(pick(body, _PARAMS), body.get("tools"))


CHAT_COMPLETIONS = Endpoint(
    "openai",
    "chat.completions",
    (StainlessRoute("openai", "/chat/completions"),),
    input_events,
    output_events,
    request_params,
    ChatCompletionStream,
)

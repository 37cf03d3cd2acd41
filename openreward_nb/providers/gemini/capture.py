"""What capture records of a google-genai call.

google-genai calls the model through ``Models._generate_content`` and
``_generate_content_stream`` (and the ``AsyncModels`` twins) for every hop, chats and
automatic function calling included; each receives the request as keyword arguments.
"""

from __future__ import annotations

from typing import Any

from ...events import Event
from .._params import get, pick, plain, with_tools
from ..protocol import Endpoint, MethodRoute
from . import adapter
from .stream import GenerateContentStream


def input_events(request: dict[str, Any], keep_raw: bool) -> list[Event]:
    """The config's ``system_instruction`` and the request's ``contents``."""
    system = get(request.get("config"), "system_instruction")
    return adapter.request_events(request.get("contents"), system, keep_raw)


def output_events(response: Any, keep_raw: bool) -> list[Event]:
    """A whole ``GenerateContentResponse`` (or a stream's chunks merged)."""
    return adapter.response_events(response, keep_raw)


def request_params(request: dict[str, Any]) -> dict[str, Any]:
    """The model, the config's sampling and thinking settings, and the tools offered."""
    config = request.get("config")
    keys = ("temperature", "top_p", "top_k", "max_output_tokens", "thinking_config", "candidate_count")
    params = {"model": plain(request.get("model")), **pick(config, keys)}
    return with_tools(params, get(config, "tools"))


def _routes() -> tuple[MethodRoute, ...]:
    return tuple(
        MethodRoute("google.genai.models", cls, method, is_async=cls == "AsyncModels", stream=method.endswith("stream"))
        for cls in ("Models", "AsyncModels")
        for method in ("_generate_content", "_generate_content_stream")
    )


GENERATE_CONTENT = Endpoint(
    "gemini", "generate_content", _routes(), input_events, output_events, request_params, GenerateContentStream
)

"""OpenAI Responses API: ``rollout.log_openai_response`` and the capture of ``client.responses`` calls."""

from __future__ import annotations

from ..protocol import Provider
from .adapter import NAME, item_events, request_events, response_events, to_events
from .capture import RESPONSES

PROVIDER = Provider(NAME, to_events, (RESPONSES,), log_method="log_openai_response")

__all__ = ["NAME", "PROVIDER", "item_events", "request_events", "response_events", "to_events"]

"""Anthropic Messages: ``rollout.log_anthropic_message`` and the capture of ``client.messages`` calls."""

from __future__ import annotations

from ..protocol import Provider
from .adapter import NAME, message_events, request_events, response_events, to_events
from .capture import MESSAGES

PROVIDER = Provider(NAME, to_events, (MESSAGES,), log_method="log_anthropic_message")

__all__ = ["NAME", "PROVIDER", "message_events", "request_events", "response_events", "to_events"]

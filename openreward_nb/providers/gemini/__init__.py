"""Google Gemini (google-genai): ``rollout.log_gdm_message`` and the capture of ``generate_content`` calls,
streamed, in chats and through ``client.aio``."""

from __future__ import annotations

from ..protocol import Provider
from .adapter import NAME, as_contents, content_events, request_events, response_events, to_events
from .capture import GENERATE_CONTENT

PROVIDER = Provider(NAME, to_events, (GENERATE_CONTENT,), log_method="log_gdm_message")

__all__ = ["NAME", "PROVIDER", "as_contents", "content_events", "request_events", "response_events", "to_events"]

"""Chat Completions (OpenAI and every OpenAI-compatible server): ``rollout.log_openai_completions`` and
the capture of ``client.chat.completions`` calls, streamed ones included."""

from __future__ import annotations

from ..protocol import Provider
from .adapter import NAME, message_events, request_events, response_events, to_events
from .capture import CHAT_COMPLETIONS
from .stream import ChatCompletionStream, merge_chunks

PROVIDER = Provider(NAME, to_events, (CHAT_COMPLETIONS,), log_method="log_openai_completions")

__all__ = [
    "NAME",
    "PROVIDER",
    "ChatCompletionStream",
    "merge_chunks",
    "message_events",
    "request_events",
    "response_events",
    "to_events",
]

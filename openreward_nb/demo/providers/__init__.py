"""Offline model providers: one ``httpx2.MockTransport`` handler answering the OpenAI (Responses and
Chat Completions), OpenRouter, Anthropic and Gemini HTTP APIs with the demo policy's moves.

Each request is parsed like the real API would (the chat history the client re-sends is
the episode's state), so multi-turn agent loops work unchanged; malformed requests get the
provider's 4xx error. ``errors={n: status}`` makes the n-th request (1-based, retries
included) fail with that HTTP status, in the provider's error format.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple, Optional

from . import anthropic, gemini, openai_chat, openai_responses
from .common import RequestError, Turn, json_body
from .errors import Provider, error_body, error_headers

if TYPE_CHECKING:
    import httpx2

_GEMINI_PATH = re.compile(
    r"^/v1(?:beta|alpha)?/models/(?P<model>[^/:]+):(?P<method>generateContent|streamGenerateContent)$"
)
_HOSTS: dict[str, Provider] = {
    "api.openai.com": "openai",
    "openrouter.ai": "openrouter",
    "api.anthropic.com": "anthropic",
    "generativelanguage.googleapis.com": "gemini",
}
_SSE = "text/event-stream; charset=utf-8"


class OfflineProviders:
    """The handler: call it with an ``httpx2.Request``, get the provider's ``httpx2.Response``."""

    def __init__(self, seed: int = 0, errors: Mapping[int, int] | None = None) -> None:
        self.seed = seed
        self.errors = dict(errors or {})
        self.requests = 0
        self._lock = threading.Lock()

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        import httpx2

        provider = _HOSTS.get(request.url.host, "openai")
        with self._lock:
            self.requests += 1
            number = self.requests
        if number in self.errors:
            return _error(provider, self.errors[number])
        try:
            endpoint = _endpoint(provider, request)
            body = json_body(request.content)
            model = endpoint.model or body.get("model")
            streaming = endpoint.streaming if endpoint.streaming is not None else bool(body.get("stream"))
            turn = Turn.answer(str(model), endpoint.api.parse(body), request.content, self.seed)
        except RequestError as exc:
            return _error(provider, exc.status, exc.message, exc.param)
        if streaming:
            return httpx2.Response(200, headers={"content-type": _SSE}, content=endpoint.api.stream(turn, body))
        return httpx2.Response(200, json=endpoint.api.respond(turn, body))


class _Endpoint(NamedTuple):
    api: Any  # parse(body), respond(turn, body), stream(turn, body)
    model: str | None = None  # when the URL names it (Gemini)
    streaming: bool | None = None


def _endpoint(provider: Provider, request: httpx2.Request) -> _Endpoint:
    """The API answering this URL; a 404 for anything the provider does not serve."""
    path = request.url.path
    if request.method == "POST":
        if provider == "gemini" and (match := _GEMINI_PATH.match(path)):
            return _Endpoint(gemini, match["model"], match["method"] == "streamGenerateContent")
        if (provider, path) == ("openai", "/v1/responses"):
            return _Endpoint(openai_responses)
        if (provider, path) in (("openai", "/v1/chat/completions"), ("openrouter", "/api/v1/chat/completions")):
            return _Endpoint(openai_chat.ChatCompletions(openrouter=provider == "openrouter"))
        if (provider, path) == ("anthropic", "/v1/messages"):
            return _Endpoint(anthropic)
    raise RequestError(f"Invalid URL ({request.method} {path})", status=404)


def _error(provider: Provider, status: int, message: str | None = None, param: str | None = None) -> httpx2.Response:
    import httpx2

    return httpx2.Response(
        status, headers=error_headers(provider, status), json=error_body(provider, status, message, param)
    )


def mock_transport(seed: int = 0, errors: Mapping[int, int] | None = None) -> httpx2.MockTransport:
    """An ``httpx2.MockTransport`` serving all four providers offline (for sync and async clients)."""
    import httpx2

    return httpx2.MockTransport(OfflineProviders(seed, errors))

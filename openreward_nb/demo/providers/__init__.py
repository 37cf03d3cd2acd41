"""Offline model providers: one ``httpx2.MockTransport`` handler answering the providers' HTTP APIs with the
demo policy's moves (OpenAI Responses and Chat Completions, OpenRouter, Anthropic, Gemini).

Each provider is served by a module here named like its folder in
:mod:`openreward_nb.providers` and declaring its ``ROUTES`` (:class:`~.routes.Route`);
the handler finds them through the provider registry. Each request is parsed like the
real API would (the chat history the client re-sends is the episode's state), so
multi-turn agent loops work unchanged; malformed requests get the provider's 4xx error.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
from functools import cache
from typing import TYPE_CHECKING

from .common import RequestError, Turn, json_body
from .routes import ErrorFormat, Route

if TYPE_CHECKING:
    import httpx2

_SSE = "text/event-stream; charset=utf-8"
#: A host nobody serves is answered as OpenAI's API (an OpenAI-compatible server at another address).
_DEFAULT_HOST = "api.openai.com"


@cache
def routes() -> tuple[Route, ...]:
    """The routes of every provider served offline (``demo/providers/<provider name>.py``)."""
    from ... import providers

    found: list[Route] = []
    for name in providers.names():
        module = f"{__name__}.{name}"
        if importlib.util.find_spec(module) is not None:
            found.extend(importlib.import_module(module).ROUTES)
    return tuple(found)


def _served(host: str) -> str:
    return host if any(route.host == host for route in routes()) else _DEFAULT_HOST


def _host_errors(host: str) -> ErrorFormat:
    """The error format of the provider at ``host``."""
    served = _served(host)
    return next(route.errors for route in routes() if route.host == served)


def error_response(host: str, status: int, message: str | None = None, param: str | None = None) -> httpx2.Response:
    """The answer with HTTP ``status`` the provider at ``host`` gives, in its error format."""
    import httpx2

    headers, body = _host_errors(host)(status, message, param)
    return httpx2.Response(status, headers=headers, json=body)


class OfflineProviders:
    """The handler: call it with an ``httpx2.Request``, get the provider's ``httpx2.Response``."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        import httpx2

        host, path = request.url.host, request.url.path
        try:
            route, match = _route(request.method, host, path)
            body = json_body(request.content)
            groups = match.groupdict()
            model = groups.get("model") or body.get("model")
            streaming = groups["stream"] is not None if "stream" in groups else bool(body.get("stream"))
            turn = Turn.answer(str(model), route.parse(body), request.content, self.seed)
        except RequestError as exc:
            return error_response(host, exc.status, exc.message, exc.param)
        if streaming:
            return httpx2.Response(200, headers={"content-type": _SSE}, content=route.stream(turn, body))
        return httpx2.Response(200, json=route.respond(turn, body))


def _route(method: str, host: str, path: str) -> tuple[Route, re.Match[str]]:
    """The route answering this request; a 404 for anything the provider does not serve."""
    host = _served(host)
    if method == "POST":
        for route in routes():
            match = route.path.fullmatch(path) if route.host == host else None
            if match is not None:
                return route, match
    raise RequestError(f"Invalid URL ({method} {path})", status=404)


def mock_transport(seed: int = 0) -> httpx2.MockTransport:
    """An ``httpx2.MockTransport`` serving every provider offline (for sync and async clients)."""
    import httpx2

    return httpx2.MockTransport(OfflineProviders(seed))

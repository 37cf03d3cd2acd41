"""Error responses shaped like each provider's, so the SDKs raise their own exception types."""

from __future__ import annotations

from typing import Any, Literal

from .common import ident
from .routes import ErrorFormat

#: The error formats here: OpenAI's, OpenRouter's, Anthropic's and Gemini's.
Service = Literal["openai", "openrouter", "anthropic", "gemini"]

_OPENAI = {
    400: ("invalid_request_error", None, "Invalid request."),
    401: ("invalid_request_error", "invalid_api_key", "Incorrect API key provided."),
    404: ("invalid_request_error", None, "Not found."),
    429: (
        "tokens",
        "rate_limit_exceeded",
        "Rate limit reached for requests per min (RPM): Limit 500, Used 500, Requested 1. "
        "Please try again in 120ms. Visit https://platform.openai.com/account/rate-limits to learn more.",
    ),
    500: ("server_error", None, "The server had an error while processing your request. Sorry about that!"),
    503: ("server_error", None, "The engine is currently overloaded, please try again later."),
}
_ANTHROPIC = {
    400: ("invalid_request_error", "Invalid request."),
    401: ("authentication_error", "invalid x-api-key"),
    404: ("not_found_error", "Not found."),
    429: (
        "rate_limit_error",
        "This request would exceed the rate limit for your organization. Please try again later.",
    ),
    500: ("api_error", "Internal server error"),
    529: ("overloaded_error", "Overloaded"),
}
_GEMINI = {
    400: ("INVALID_ARGUMENT", "Request contains an invalid argument."),
    401: ("UNAUTHENTICATED", "API key not valid. Please pass a valid API key."),
    404: ("NOT_FOUND", "Requested entity was not found."),
    429: ("RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota)."),
    500: (
        "INTERNAL",
        "An internal error has occurred. Please retry or report in "
        "https://developers.generativeai.google/guide/troubleshooting",
    ),
    503: ("UNAVAILABLE", "The model is overloaded. Please try again later."),
}


def error_body(provider: Service, status: int, message: str | None = None, param: str | None = None) -> dict[str, Any]:
    """The JSON error body ``provider`` answers with for HTTP ``status``."""
    if provider == "anthropic":
        kind, default = _ANTHROPIC.get(status, _ANTHROPIC[500 if status >= 500 else 400])
        return {
            "type": "error",
            "error": {"type": kind, "message": message or default},
            "request_id": "req_011" + ident("request", status, message, length=21),
        }
    if provider == "gemini":
        kind, default = _GEMINI.get(status, _GEMINI[500 if status >= 500 else 400])
        return {"error": {"code": status, "message": message or default, "status": kind}}
    kind, code, default = _OPENAI.get(status, _OPENAI[500 if status >= 500 else 400])
    if provider == "openrouter":
        return {"error": {"code": status, "message": message or default, "metadata": {"provider_name": None}}}
    return {"error": {"message": message or default, "type": kind, "param": param, "code": code}}


def error_headers(provider: Service, status: int) -> dict[str, str]:
    """Response headers of an error: the request id, and a short retry hint on 429 and 5xx (the SDKs honour it)."""
    headers = {"request-id" if provider == "anthropic" else "x-request-id": "req_" + ident("headers", status)}
    if status == 429 or status >= 500:
        headers["retry-after-ms"] = "20"
    return headers


def error_format(service: Service) -> ErrorFormat:
    """The :data:`ErrorFormat` of ``service``: its headers and body for an HTTP status."""

    def answer(status: int, message: str | None, param: str | None) -> tuple[dict[str, str], dict[str, Any]]:
        return error_headers(service, status), error_body(service, status, message, param)

    return answer

"""One POST of a batch to ``/v1/rollouts``, with the answer sorted into: done, retry later, refused, or stop.

Connection errors, timeouts, 408, 425, 429 and 5xx are worth retrying; 413 means the batch
is too big; other 4xx mean the server refuses what the batch holds; 3xx, 401 and 403 mean
no batch can get through (wrong URL or key), so the whole upload stops.
"""

from __future__ import annotations

import json
import random
from typing import Any

from ..extras import needs_extra

with needs_extra("sync", "Uploading to OpenReward"):
    import httpx2

from .._version import __version__

USER_AGENT = f"openreward-nb/{__version__}"
RETRY_STATUSES = frozenset({408, 425, 429})


class Retryable(Exception):
    """The batch did not get through this time (network, timeout, overload); ``retry_after`` seconds if the server said."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class Refused(Exception):
    """The server answered 4xx about what the batch holds; ``status`` and the server's message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status


class Fatal(Exception):
    """No batch can get through (3xx, 401, 403): the upload stops with this message."""


def make_client(url: str, api_key: str, concurrency: int, timeout: float) -> httpx2.AsyncClient:
    """The HTTP client of one upload: keep-alive connections to ``url``, the key on every request."""
    return httpx2.AsyncClient(
        base_url=url,
        headers={"x-api-key": api_key, "user-agent": USER_AGENT},
        timeout=httpx2.Timeout(timeout, connect=min(timeout, 10.0)),
        limits=httpx2.Limits(max_connections=concurrency + 1, max_keepalive_connections=concurrency + 1),
    )


def server_message(response: httpx2.Response) -> str:
    """What the server said about a failure: its JSON ``message`` / ``error`` / ``detail``, else its text."""
    text = response.text
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        for key in ("message", "error", "detail"):
            if data.get(key):
                return str(data[key])[:1000]
    return text.strip()[:1000] or response.reason_phrase


def _retry_after(response: httpx2.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    try:
        return min(60.0, max(0.0, float(value)))
    except ValueError:
        return None


def check(response: httpx2.Response) -> None:
    """Return if the answer is 2xx, else raise Retryable, Refused or Fatal."""
    status = response.status_code
    if 200 <= status < 300:
        return
    message = server_message(response)
    if status in RETRY_STATUSES or status >= 500:
        raise Retryable(f"{status}: {message}", _retry_after(response))
    if status in (401, 403):
        raise Fatal(f"the API refused the key ({status}: {message}); check OPENREWARD_API_KEY")
    if status < 400:
        where = response.headers.get("location", "?")
        raise Fatal(f"the API answered {status} (redirect to {where}); set OPENREWARD_API_URL to the API's address")
    raise Refused(status, message)


async def post(http: httpx2.AsyncClient, body: bytes) -> None:
    """POST one ``{"events": [...]}`` body; raises as :func:`check` does, Retryable on network trouble."""
    try:
        response = await http.post("/v1/rollouts", content=body, headers={"content-type": "application/json"})
    except httpx2.TransportError as exc:
        raise Retryable(f"{type(exc).__name__}: {exc or 'no answer'}") from exc
    check(response)


async def get_json(http: httpx2.AsyncClient, path: str) -> Any:
    """GET a JSON document; None when the server answers 4xx; Retryable on network trouble or 5xx."""
    try:
        response = await http.get(path)
    except httpx2.TransportError as exc:
        raise Retryable(f"{type(exc).__name__}: {exc or 'no answer'}") from exc
    if 400 <= response.status_code < 500 and response.status_code not in RETRY_STATUSES:
        return None
    check(response)
    try:
        return response.json()
    except ValueError:
        return None


def backoff(attempt: int, base: float = 0.2, cap: float = 10.0) -> float:
    """Seconds to wait before retry ``attempt`` (1, 2, ...): exponential, capped, with jitter."""
    return min(cap, base * 2 ** (attempt - 1)) * random.uniform(0.5, 1.0)

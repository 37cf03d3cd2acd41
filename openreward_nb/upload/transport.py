"""One request to the OpenReward API, with the answer sorted into: done, retry later, refused, or stop.

Connection errors, timeouts, 408, 425, 429 and 5xx are worth retrying; 413 means the batch
is too big; other 4xx mean the server refuses what the batch holds; 3xx, 401 and 403 mean
no batch can get through (wrong URL or key), so the whole upload stops.

A peer is not trusted to behave: every request has an overall deadline (a server that
sends one byte every few seconds restarts a read timeout for ever, not this one), only
a bounded prefix of any answer is read (a 400 MB reply costs 64 KB), and what the server
says is made inert (:func:`~openreward_nb.safe_text.terminal_line`) before it is kept in
an error, stored in the store, or printed.
"""

from __future__ import annotations

import asyncio
import functools
import json
import random
import ssl
from collections.abc import AsyncIterator, Iterator
from typing import Any

from ..extras import needs_extra

with needs_extra("sync", "Uploading to OpenReward"):
    import httpx2

from .._version import __version__
from ..safe_text import terminal_line

USER_AGENT = f"openreward-nb/{__version__}"
RETRY_STATUSES = frozenset({408, 425, 429})
#: the most read of an answer to an upload: only its status and a message are used
MAX_REPLY_BYTES = 64 * 1024
#: the most read of an answer holding a JSON document (an environment look-up)
MAX_JSON_BYTES = 1024 * 1024
#: the longest server message kept in an error
MAX_MESSAGE_CHARS = 500


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
    """No batch can get through (3xx, 401, 403, an answer that makes no sense): the upload stops with this message."""


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The TLS context every upload of the process shares: building one loads the CA bundle (tens of
    milliseconds), and ``upload=True`` starts an upload whenever a rollout is created."""
    return httpx2.create_ssl_context()


def make_client(url: str, api_key: str, concurrency: int, timeout: float) -> httpx2.AsyncClient:
    """The HTTP client of one upload: keep-alive connections to ``url``, the key on every request."""
    return httpx2.AsyncClient(
        base_url=url,
        headers={"x-api-key": api_key, "user-agent": USER_AGENT},
        timeout=httpx2.Timeout(timeout, connect=min(timeout, 10.0)),
        limits=httpx2.Limits(max_connections=concurrency + 1, max_keepalive_connections=concurrency + 1),
        verify=tls_context(),
    )


def transport_problem(exc: BaseException) -> str:
    """A network failure as one inert line."""
    return terminal_line(f"{type(exc).__name__}: {exc or 'no answer'}", 300)


def server_message(response: httpx2.Response, body: bytes) -> str:
    """What the server said about a failure (its JSON ``message`` / ``error`` / ``detail``, else its text), inert."""
    text = body.decode("utf-8", "replace")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        data = None
    if isinstance(data, dict):
        for key in ("message", "error", "detail"):
            if data.get(key):
                return terminal_line(data[key], MAX_MESSAGE_CHARS)
    return terminal_line(text.strip(), MAX_MESSAGE_CHARS) or terminal_line(response.reason_phrase, 100)


def _retry_after(response: httpx2.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    try:
        return min(60.0, max(0.0, float(value)))
    except ValueError:
        return None


def check(response: httpx2.Response, body: bytes) -> None:
    """Return if the answer is 2xx, else raise Retryable, Refused or Fatal (``body``: what was read of it)."""
    status = response.status_code
    if 200 <= status < 300:
        return
    message = server_message(response, body)
    if status in RETRY_STATUSES or status >= 500:
        raise Retryable(f"{status}: {message}", _retry_after(response))
    if status in (401, 403):
        raise Fatal(f"the API refused the key ({status}: {message}); check OPENREWARD_API_KEY")
    if status < 400:
        where = terminal_line(response.headers.get("location", "?"), 200)
        raise Fatal(f"the API answered {status} (redirect to {where}); set OPENREWARD_API_URL to the API's address")
    raise Refused(status, message)


async def _prefix(chunks: AsyncIterator[bytes], limit: int) -> tuple[bytes, bool]:
    """At most ``limit`` bytes from ``chunks``, and whether that was all of them."""
    got = bytearray()
    async for chunk in chunks:
        got += chunk[: limit - len(got)]
        if len(got) >= limit:
            return bytes(got), False
    return bytes(got), True


def prefix(chunks: Iterator[bytes], limit: int) -> tuple[bytes, bool]:
    """The blocking form of :func:`_prefix`."""
    got = bytearray()
    for chunk in chunks:
        got += chunk[: limit - len(got)]
        if len(got) >= limit:
            return bytes(got), False
    return bytes(got), True


async def request(
    http: httpx2.AsyncClient, method: str, path: str, *, deadline: float, limit: int, **kwargs: Any
) -> tuple[httpx2.Response, bytes, bool]:
    """Send one request; (response, at most ``limit`` bytes of its body, whether that is all of it).

    Everything (connect, send, the whole answer) happens within ``deadline`` seconds, else
    Retryable; a network failure is Retryable too. A longer answer is cut off unread.
    """
    try:
        async with asyncio.timeout(deadline), http.stream(method, path, **kwargs) as response:
            body, whole = await _prefix(response.aiter_bytes(), limit)
    except TimeoutError:
        raise Retryable(f"no whole answer within {deadline:g} s") from None
    except httpx2.TransportError as exc:
        raise Retryable(transport_problem(exc)) from exc
    return response, body, whole


async def post(http: httpx2.AsyncClient, body: bytes, deadline: float) -> None:
    """POST one ``{"events": [...]}`` body; raises as :func:`check` does, Retryable on network trouble or past ``deadline``."""
    headers = {"content-type": "application/json"}
    response, reply, _ = await request(
        http, "POST", "/v1/rollouts", deadline=deadline, limit=MAX_REPLY_BYTES, content=body, headers=headers
    )
    check(response, reply)


class NoDocument(Exception):
    """The server answered 4xx: it has no such document."""


async def get_json(http: httpx2.AsyncClient, path: str, deadline: float) -> Any:
    """GET a JSON document; NoDocument on 4xx; Retryable on network trouble, 5xx or past ``deadline``;
    Fatal when the answer is too large or not JSON."""
    response, body, whole = await request(http, "GET", path, deadline=deadline, limit=MAX_JSON_BYTES)
    status = response.status_code
    if 400 <= status < 500 and status not in RETRY_STATUSES:
        raise NoDocument(f"{status}: {server_message(response, body)}")
    check(response, body)
    if not whole:
        raise Fatal(f"the API's answer to GET {terminal_line(path, 200)} is larger than {MAX_JSON_BYTES:,} bytes")
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        shown = terminal_line(body[:80].decode("utf-8", "replace"), 80)
        raise Fatal(f"the API's answer to GET {terminal_line(path, 200)} is not JSON: {shown!r}") from None


def backoff(attempt: int, base: float = 0.2, cap: float = 10.0) -> float:
    """Seconds to wait before retry ``attempt`` (1, 2, ...): exponential, capped, with jitter."""
    return min(cap, base * 2.0 ** (attempt - 1)) * random.uniform(0.5, 1.0)

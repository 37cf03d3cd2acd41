"""What one ingest server holds at once, and how long a client may take: the bounds that keep it up under load.

Memory: a request body is read, parsed and stored only once its bytes fit in a shared
budget (:class:`BodyBudget`); past it, the request waits a little, then is answered 503
with ``Retry-After``. Six 27 MB batches at once are then handled two by two instead of
holding six parsed copies. Time: a body must arrive within a grace period plus what a
slow but honest link needs for its size (:func:`read_body`), so a client that drips one
byte at a time is answered 408 and dropped; heads and idle connections are bounded by
the connection protocol (:mod:`.connections`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from starlette.requests import Request

from .decode import BadRequest


@dataclass(frozen=True)
class ServerLimits:
    """The ingest server's bounds (``openreward-nb serve`` flags; defaults suit loopback and a LAN)."""

    #: the largest request body accepted (413 past it)
    max_body: int = 32 * 1024 * 1024
    #: bytes of bodies read, parsed and stored at once (a body waits for room, see ``busy_wait``)
    body_budget: int = 64 * 1024 * 1024
    #: seconds a request waits for room in the budget before it is answered 503 + Retry-After
    busy_wait: float = 10.0
    #: seconds for a request's head to arrive, and a body's grace period
    request_timeout: float = 5.0
    #: the slowest a body may arrive (bytes/s) beyond its grace period
    min_body_rate: int = 256 * 1024
    #: seconds an idle keep-alive connection stays open
    keep_alive: int = 5
    #: connections (and requests in progress) at once; more are answered 503
    max_connections: int = 256

    def __post_init__(self) -> None:
        if self.max_body > self.body_budget:
            object.__setattr__(self, "body_budget", self.max_body)

    def body_seconds(self, size: int) -> float:
        """How long a body of ``size`` bytes may take to arrive."""
        return self.request_timeout + size / self.min_body_rate


class Busy(Exception):
    """No room for another body within the wait: the client should retry later."""


class BodyBudget:
    """Bytes of request bodies held at once (read, parsed, being stored), shared by all requests."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.used = 0
        self._room = asyncio.Condition()

    @asynccontextmanager
    async def hold(self, size: int, wait: float) -> AsyncIterator[None]:
        """Hold ``size`` bytes (at most the capacity) for the block; Busy if there is no room within ``wait`` s."""
        size = min(max(size, 1), self.capacity)
        async with self._room:
            try:
                await asyncio.wait_for(self._room.wait_for(lambda: self.used + size <= self.capacity), wait)
            except TimeoutError:
                raise Busy from None
            self.used += size
        try:
            yield
        finally:
            async with self._room:
                self.used -= size
                self._room.notify_all()


def declared_length(request: Request, limit: int) -> int | None:
    """The body size the request declares (None: not said, chunked); BadRequest if bad or over ``limit``."""
    declared = request.headers.get("content-length")
    if declared is None:
        return None
    if not declared.isdigit():
        raise BadRequest(f"content-length: not a byte count: {declared[:40]!r}", 400)
    if int(declared) > limit:
        raise BadRequest(f"body: {int(declared):,} bytes is more than this server accepts ({limit:,})", 413)
    return int(declared)


async def read_body(request: Request, limits: ServerLimits, declared: int | None) -> bytes:
    """The request body, refused (413) past ``limits.max_body`` and (408) when it arrives too slowly.

    The deadline is the grace period plus the declared size (or, without one, the bytes so
    far) at the slowest rate allowed: it does not restart with each byte.
    """
    clock = asyncio.get_running_loop().time
    started = clock()
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout_at(started + limits.body_seconds(declared or 0)) as deadline:
            async for chunk in request.stream():
                size += len(chunk)
                if size > limits.max_body:
                    raise BadRequest(f"body: more than this server accepts ({limits.max_body:,} bytes)", 413)
                chunks.append(chunk)
                if declared is None:
                    deadline.reschedule(started + limits.body_seconds(size))
    except TimeoutError:
        raise BadRequest(
            f"body: {size:,} of {declared if declared is not None else '?'} bytes arrived in "
            f"{clock() - started:.1f} s; too slow",
            408,
        ) from None
    return b"".join(chunks)

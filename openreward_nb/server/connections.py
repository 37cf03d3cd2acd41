"""The HTTP connection side of the ingest server: uvicorn's HTTP/1.1 protocol with a deadline for each request head.

uvicorn closes a keep-alive connection after ``timeout_keep_alive`` seconds without a
byte, but any byte restarts that wait, and a new connection has no deadline at all: a
client that sends a head one byte every few seconds (or nothing) holds a connection for
ever. Here a request head must arrive whole within ``request_timeout`` seconds of the
connection opening or of its first byte; the body's deadline is the app's
(:func:`.bounds.read_body`). The protocol is uvicorn's httptools one when httptools is
installed (``openreward-nb[server]``: a C parser), else its h11 one. Imported only when
the server starts (it loads uvicorn).
"""

from __future__ import annotations

import asyncio
from typing import Any


class HeadDeadline:
    """Mixed into a uvicorn HTTP protocol: a connection waiting for a request head is closed once ``head_timeout`` passes.

    Relies on what both of uvicorn's HTTP/1.1 protocols have: ``cycle`` (the request being
    handled, None before the first) with its ``response_complete``, ``loop`` and ``transport``.
    """

    head_timeout = 5.0
    cycle: Any
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._waiting_for_head() and self._head_timer is None:
            self._arm()  # the first byte of a new request on a kept-alive connection
        super().data_received(data)  # type: ignore[misc]
        if not self._waiting_for_head():
            self._disarm()  # the head is in: the app reads the body under its own deadline

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)  # type: ignore[misc]

    def _waiting_for_head(self) -> bool:
        return self.cycle is None or bool(self.cycle.response_complete)

    def _arm(self) -> None:
        self._disarm()
        self._head_timer = self.loop.call_later(self.head_timeout, self._expire)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _expire(self) -> None:
        self._head_timer = None
        if self._waiting_for_head() and not self.transport.is_closing():
            self.transport.close()


def protocol_with(head_timeout: float) -> type[asyncio.Protocol]:
    """The protocol class uvicorn instantiates per connection, with this head deadline."""
    base: type[asyncio.Protocol]
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

        base = HttpToolsProtocol
    except ImportError:  # httptools is not installed
        from uvicorn.protocols.http.h11_impl import H11Protocol

        base = H11Protocol
    return type("HeadDeadlineProtocol", (HeadDeadline, base), {"head_timeout": head_timeout})

"""The protocol a provider folder implements; the rest of the package iterates over it.

A provider is one folder, ``openreward_nb/providers/<name>/``, whose ``__init__`` defines
``PROVIDER`` (a :class:`Provider`). ``rollout.log_*`` normalizes with its ``to_events``;
capture wraps the SDK methods its endpoints' routes name, reads each call with the
endpoint's functions and rebuilds streamed responses with its stream accumulator; the
offline demo serves the provider when ``openreward_nb/demo/providers/<name>.py`` exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from ..events import Event

#: A call's request as capture sees it: the JSON body sent (Stainless SDKs) or the method's keyword arguments.
Request = dict[str, Any]


class ToEvents(Protocol):
    """Events for what a user hands to ``rollout.log_*``: a whole response, one message or item, or a list."""

    def __call__(self, x: Any, keep_raw: bool = True, keep_empty: bool = False, /) -> list[Event]: ...


class StreamAccumulator(Protocol):
    """Rebuilds the response a streamed call would have returned unstreamed, from the stream's items."""

    def add(self, item: Any) -> None:
        """Take one item of the stream, in order."""
        ...

    def result(self) -> Any:
        """The response assembled so far (the whole one once the stream ended); None before any item."""
        ...


@dataclass(frozen=True)
class StainlessRoute:
    """Calls made through a Stainless-generated SDK (``openai``, ``anthropic``).

    Every API call of such an SDK passes its client's ``request`` method with the JSON body
    as sent; this route is the POST whose URL path ends with ``path``.
    """

    sdk: str
    path: str


@dataclass(frozen=True)
class MethodRoute:
    """Calls made through one method of an SDK class that takes the request as keyword arguments.

    ``stream``: the method returns an iterator of chunks (an async one when ``is_async``).
    """

    module: str
    cls: str
    method: str
    is_async: bool = False
    stream: bool = False


Route = StainlessRoute | MethodRoute


@dataclass(frozen=True)
class Endpoint:
    """One kind of model call, and how capture records it.

    ``provider`` and ``name`` are the ``provider`` / ``endpoint`` metadata of the call's first
    event; ``input_events`` reads the request's messages, ``output_events`` the response (or
    what a stream accumulated), ``request_params`` the sampling settings and tools offered.
    """

    provider: str
    name: str
    routes: tuple[Route, ...]
    input_events: Callable[[Request, bool], list[Event]]
    output_events: Callable[[Any, bool], list[Event]]
    request_params: Callable[[Request], dict[str, Any]]
    stream: Callable[[Request], StreamAccumulator]


@dataclass(frozen=True)
class Provider:
    """A provider API: how its objects become events, and the calls capture records.

    ``name`` is the folder's name (also the ``provider`` of each event's raw payload).
    ``log_method`` is the name of the ``Rollout`` method the OpenReward SDK gives this
    provider, when it has one; any provider is also logged by ``rollout.log_provider(name, ...)``.
    """

    name: str
    to_events: ToEvents
    endpoints: tuple[Endpoint, ...] = ()
    log_method: str | None = None

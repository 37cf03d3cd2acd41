"""Providers: each provider API in one folder, behind one small protocol (:mod:`.protocol`).

``openreward_nb/providers/<name>/`` holds everything about one provider API::

    adapter.py   its objects -> events: to_events (what rollout.log_* receives), request_events,
                 response_events, one message / item / content
    capture.py   its Endpoint(s): the SDK methods capture wraps (routes), how a call's request
                 and response become events, the request parameters kept as metadata
    stream.py    its stream accumulator: a streamed call's items -> the unstreamed response
    __init__.py  PROVIDER = Provider(name, to_events, endpoints, log_method)

The rest of the package only iterates over :func:`registered`: ``rollout.log_*`` and
``rollout.log_provider(name, ...)`` call ``to_events``; capture installs the routes of
every endpoint; the offline demo serves a provider that has ``demo/providers/<name>.py``;
the contract tests run for each. Adding a provider is a new folder (found by its name,
nothing to register) plus its tests.

Adapters only read the objects they get (by attribute or key), so no provider SDK is
imported. Unknown item types are recorded with their raw payload and an
:class:`UnknownItemWarning` (once per type and process); input that is not a message at
all raises TypeError or ValueError.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from types import ModuleType

from ..errors import UnknownProviderError
from ._common import UnknownItemWarning
from ._raw import Raw
from .protocol import Endpoint, MethodRoute, Provider, StainlessRoute, StreamAccumulator

__all__ = [
    "Endpoint",
    "MethodRoute",
    "Provider",
    "Raw",
    "StainlessRoute",
    "StreamAccumulator",
    "UnknownItemWarning",
    "get",
    "names",
    "registered",
]


@cache
def names() -> tuple[str, ...]:
    """The providers' names: the folders of this package (sorted)."""
    return tuple(sorted(m.name for m in pkgutil.iter_modules(__path__) if m.ispkg and not m.name.startswith("_")))


def _module(name: str) -> ModuleType:
    if name not in names():
        raise UnknownProviderError(f"no provider named {name!r}; the providers are {', '.join(names())}")
    return importlib.import_module(f"{__name__}.{name}")


def get(name: str) -> Provider:
    """The provider named ``name`` (its folder is imported on first use)."""
    provider: Provider = _module(name).PROVIDER
    return provider


def registered() -> list[Provider]:
    """Every provider, in name order."""
    return [get(name) for name in names()]


def __getattr__(name: str) -> ModuleType:
    """``providers.openai_chat`` and friends, imported when first named."""
    if name in names():
        return _module(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

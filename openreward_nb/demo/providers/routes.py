"""What an offline provider module declares: the HTTP routes it answers, and how.

A module ``openreward_nb/demo/providers/<name>.py``, named like the provider folder it
serves (``openreward_nb/providers/<name>/``), defines ``ROUTES``; the demo's transport
finds it through the provider registry, so serving a new provider offline is that one file.
The servers live here rather than in the provider folders because they play the demo's
game (they replay the episode a request carries and answer with the demo policy's move):
the recording core must not depend on the demo.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..episode import Episode
from .common import Turn

#: (headers, JSON body) of the provider's error answer for an HTTP status, with an optional message and param.
ErrorFormat = Callable[[int, str | None, str | None], tuple[dict[str, str], dict[str, Any]]]


@dataclass(frozen=True)
class Route:
    """POSTs to ``host`` whose path matches ``path`` (a regex matched whole).

    The regex may name the model (``(?P<model>...)``) and whether the call streams
    (``(?P<stream>...)``: it streams when that group matched), as Gemini's URLs do;
    otherwise both come from the JSON body. ``parse`` reads the episode a request replays
    (raising ``RequestError`` where the real API refuses it); ``respond`` and ``stream``
    give the JSON answer and the SSE body; ``errors`` shapes error answers.
    """

    host: str
    path: re.Pattern[str]
    errors: ErrorFormat
    parse: Callable[[dict[str, Any]], Episode]
    respond: Callable[[Turn, dict[str, Any]], dict[str, Any]]
    stream: Callable[[Turn, dict[str, Any]], bytes]

"""The text around a match, on one line, with where the match is in it (for highlighting).

Plain text: every view escapes it (HTML) or makes it inert (a terminal) where it shows it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: characters of context before a match
BEFORE = 60
#: characters a snippet holds at most (context and match, ellipses aside)
WIDTH = 220
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Snippet:
    """``text`` with the match at ``text[start:end]``."""

    text: str
    start: int
    end: int

    @property
    def match(self) -> str:
        return self.text[self.start : self.end]


def _flat(text: str) -> str:
    return _SPACE.sub(" ", text)


def make_snippet(text: str, start: int, end: int) -> Snippet:
    """The match ``text[start:end]`` with up to :data:`BEFORE` characters before it and the rest of
    :data:`WIDTH` after, runs of white space shown as one space, cuts shown as an ellipsis."""
    match = _flat(text[start:end])
    if len(match) > WIDTH - BEFORE:
        match = match[: WIDTH - BEFORE - 1] + "…"
    before = _flat(text[max(0, start - 4 * BEFORE) : start])
    cut_before = start > 4 * BEFORE or len(before) > BEFORE
    before = ("…" + before[-(BEFORE - 1) :]) if cut_before else before
    room = max(0, WIDTH - len(before) - len(match))
    after = _flat(text[end : end + 4 * room + 8])
    if len(after) > room or end + 4 * room + 8 < len(text):
        after = after[: max(0, room - 1)] + "…"
    return Snippet(before + match + after, len(before), len(before) + len(match))

"""A search query: checked once, then asked where it matches in a text.

A plain query matches a substring in any case (``str.lower`` on both sides), punctuation and
all. ``regex=True`` takes a Python regular expression as written (``(?i)`` for any case).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import InvalidArgumentError
from .needles import Need, plain_needles, regex_needles

#: longest query taken
MAX_QUERY_CHARS = 1_000


@dataclass(frozen=True)
class Query:
    """What to look for, the needles the index narrows the search with (three characters or more),
    and those a scan narrows its reads with (any length)."""

    text: str
    regex: bool
    needles: Need | None
    scan_needles: Need | None
    pattern: re.Pattern[str] | None = None

    @property
    def lowered(self) -> str:
        return self.text.lower()

    def find(self, text: str) -> tuple[int, int] | None:
        """Where the query first matches in ``text`` (start, end), or None."""
        if self.pattern is not None:
            found = self.pattern.search(text)
            return None if found is None else found.span()
        return _find_lowered(text, self.lowered)


def parse_query(text: object, *, regex: bool = False) -> Query:
    """``text`` as a :class:`Query`; :class:`InvalidArgumentError` says what is wrong with it."""
    if not isinstance(text, str):
        raise InvalidArgumentError(f"a search query is text, got {type(text).__name__} {text!r:.60}")
    if not text.strip():
        raise InvalidArgumentError("the search query is empty: give the text to look for")
    if len(text) > MAX_QUERY_CHARS:
        raise InvalidArgumentError(
            f"the search query has {len(text):,} characters; at most {MAX_QUERY_CHARS:,} are taken"
        )
    if "\x00" in text:
        raise InvalidArgumentError("the search query holds a NUL character, which no stored text can contain")
    if not regex:
        return Query(text, False, plain_needles(text), plain_needles(text, 1))
    try:
        pattern = re.compile(text)
    except re.error as exc:
        where = f" at position {exc.pos}" if exc.pos is not None else ""
        raise InvalidArgumentError(f"invalid regular expression {text!r:.200}: {exc.msg}{where}") from None
    except (RecursionError, OverflowError) as exc:  # nested too deep, or a repeat count too large
        raise InvalidArgumentError(f"regular expression {text!r:.200} is too complex ({exc})") from None
    return Query(text, True, regex_needles(text), regex_needles(text, 1), pattern)


def _find_lowered(text: str, needle: str) -> tuple[int, int] | None:
    """(start, end) in ``text`` of the first place its lowercase holds ``needle``."""
    low = text.lower()
    at = low.find(needle)
    if at < 0:
        return None
    if len(low) == len(text):
        return at, at + len(needle)
    # a character whose lowercase is longer (İ -> i̇): walk to the original positions
    pos, start = 0, None
    for i, ch in enumerate(text):
        if start is None and pos + len(ch.lower()) > at:
            start = i
        pos += len(ch.lower())
        if start is not None and pos >= at + len(needle):
            return start, i + 1
    return (start or 0), len(text)

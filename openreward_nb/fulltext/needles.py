"""What text a match must contain: the query itself, or the literal parts of a regular expression.

The index narrows a search to the events holding every needle (any of an :class:`AnyOf`); each
event it returns is then checked with the query itself, so needles may ask for less than the
query (never more). ``None`` asks for nothing: the search reads every event.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from .text import MIN_INDEXED

#: most needles a search asks the index for (more would cost more than they narrow)
MAX_NEEDLES = 16


@dataclass(frozen=True)
class AllOf:
    """Every part must be there."""

    parts: tuple[Need, ...]


@dataclass(frozen=True)
class AnyOf:
    """At least one part must be there."""

    parts: tuple[Need, ...]


Need = str | AllOf | AnyOf

# the parsed form of a pattern (what its parts are) is published only in these modules of ``re``
_parser: Any = importlib.import_module("re._parser")
c: Any = importlib.import_module("re._constants")

_REPEATS = (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", c.MAX_REPEAT))
_GROUPS = (c.SUBPATTERN, getattr(c, "ATOMIC_GROUP", c.SUBPATTERN))


def plain_needles(text: str, shortest: int = MIN_INDEXED) -> Need | None:
    """A plain query needs itself, when it is long enough to look up (the index: three characters)."""
    return text if len(text) >= shortest else None


def regex_needles(pattern: str, shortest: int = MIN_INDEXED) -> Need | None:
    """The literal text any match of ``pattern`` must contain, in runs of at least ``shortest``
    characters (None when there is none)."""
    need = _sequence(list(_parser.parse(pattern)), shortest)
    return need if need is None or _count(need) <= MAX_NEEDLES else _trim(need)


def all_of(parts: list[Need | None]) -> Need | None:
    """Parts that must all be there (the ones asking for nothing dropped)."""
    kept = tuple(p for p in parts if p is not None)
    if not kept:
        return None
    return kept[0] if len(kept) == 1 else AllOf(kept)


def any_of(parts: list[Need | None]) -> Need | None:
    """Parts of which one must be there; nothing when one of them asks for nothing."""
    if not parts or any(p is None for p in parts):
        return None
    kept = tuple(p for p in parts if p is not None)
    return kept[0] if len(kept) == 1 else AnyOf(kept)


def _case_variants(items: list[tuple[Any, Any]]) -> str | None:
    """The one character a set like ``[Ff]`` stands for in a case-insensitive index, if it is one."""
    chars = {chr(value).lower() for op, value in items if op is c.LITERAL}
    if len(chars) == 1 and all(op is c.LITERAL for op, _ in items):
        return chars.pop()
    return None


def _sequence(items: list[tuple[Any, Any]], shortest: int) -> Need | None:
    """What a sequence of parsed items needs: its runs of literal characters, and what its parts need."""
    parts: list[Need | None] = []
    run: list[str] = []

    def cut() -> None:
        if len(run) >= shortest:
            parts.append("".join(run))
        run.clear()

    for op, arg in _flatten(items):
        if op is c.LITERAL:
            run.append(chr(arg))
            continue
        char = _case_variants(arg) if op is c.IN else None
        if char is not None:
            run.append(char)
            continue
        cut()
        if op is c.BRANCH:
            parts.append(any_of([_sequence(list(alt), shortest) for alt in arg[1]]))
        elif op in _REPEATS and arg[0] >= 1:
            parts.append(_sequence(list(arg[2]), shortest))
        elif op is c.ASSERT and arg[0] >= 0:  # a lookahead's text is there too (lookbehind: skipped)
            parts.append(_sequence(list(arg[1]), shortest))
    cut()
    return all_of(parts)


def _flatten(items: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Groups opened in place: ``(abc)d`` reads as ``abcd``."""
    out: list[tuple[Any, Any]] = []
    for op, arg in items:
        if op is c.SUBPATTERN:
            out.extend(_flatten(list(arg[3])))
        elif op in _GROUPS:  # an atomic group: its one argument is the sequence
            out.extend(_flatten(list(arg)))
        else:
            out.append((op, arg))
    return out


def _count(need: Need) -> int:
    return 1 if isinstance(need, str) else sum(_count(p) for p in need.parts)


def _trim(need: Need) -> Need | None:
    """Fewer needles: the longest parts an AllOf asks for (dropping one asks for less, which is safe);
    an AnyOf too big to look up asks for nothing."""
    if isinstance(need, str):
        return need
    if isinstance(need, AnyOf):
        return need if _count(need) <= MAX_NEEDLES else None
    kept: list[Need] = []
    for part in sorted(need.parts, key=lambda p: -len(p) if isinstance(p, str) else 0):
        trimmed = _trim(part)
        if trimmed is not None and _count(trimmed) + sum(map(_count, kept)) <= MAX_NEEDLES:
            kept.append(trimmed)
    return all_of(list(kept))

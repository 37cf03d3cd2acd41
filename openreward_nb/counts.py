"""Counts in words, as people write them: ``1 run``, ``2 runs``, ``1,024 events``."""

from __future__ import annotations


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and ``noun``, the noun plural unless ``n`` is 1 (``plural`` when adding an s is wrong)."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"

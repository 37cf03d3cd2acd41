"""One matching event as every view shows it: where it is, and the snippet of text around its match."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .query import Query
from .snippet import make_snippet
from .text import FIELDS

#: what a search reads of each event (``seq`` first: results come in its order)
SELECT = (
    "e.seq, r.run_name, e.rollout_id, r.rollout_name, e.idx, e.type, e.name, e.reward, r.total_reward, "
    + ", ".join(f"e.{f}" for f in FIELDS)
)
_FIRST_FIELD = 9
#: longest matched text a hit carries (what the timeline highlights)
MATCH_CHARS = 200


@dataclass(frozen=True, slots=True)
class Hit:
    """An event that matches: its place, the field the match is in, and the snippet around it
    (the match at ``snippet[start:end]``; ``matched`` is the text matched, for highlighting)."""

    seq: int
    run: str
    rollout_id: str
    rollout_name: str | None
    idx: int
    type: str
    name: str | None
    reward: float | None
    total_reward: float | None
    field: str
    snippet: str
    start: int
    end: int
    matched: str

    def payload(self) -> dict[str, Any]:
        """As the search view's browser side reads it (plain data, shown there as text only)."""
        return {
            "seq": self.seq,
            "run": self.run,
            "rid": self.rollout_id,
            "rn": self.rollout_name,
            "i": self.idx,
            "t": self.type,
            "nm": self.name,
            "r": self.reward,
            "tr": self.total_reward,
            "f": self.field,
            "s": self.snippet,
            "a": self.start,
            "b": self.end,
            "m": self.matched,
        }


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):  # a value an older or foreign writer stored as bytes
        return bytes(value).decode("utf-8", "replace")
    return str(value)


def hit_of(row: tuple[Any, ...], query: Query) -> Hit | None:
    """The hit a row of :data:`SELECT` makes, or None when none of its fields matches."""
    for k, field in enumerate(FIELDS):
        text = _text(row[_FIRST_FIELD + k])
        if not text:
            continue
        span = query.find(text)
        if span is None:
            continue
        snip = make_snippet(text, *span)
        return Hit(
            seq=int(row[0]),
            run=row[1],
            rollout_id=row[2],
            rollout_name=row[3],
            idx=int(row[4]),
            type=row[5],
            name=row[6],
            reward=row[7],
            total_reward=row[8],
            field=field,
            snippet=snip.text,
            start=snip.start,
            end=snip.end,
            matched=text[span[0] : span[1]][:MATCH_CHARS],
        )
    return None

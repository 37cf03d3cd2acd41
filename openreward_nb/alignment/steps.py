"""Each event of a rollout reduced to what alignment compares, read from the store a page at a time.

A rollout may hold megabyte tool outputs, so only small columns and the first
:data:`HEAD_CHARS` characters of a text travel. A step's key is a digest of its type, tool
name, error flag and normalised content (JSON laid out canonically: key order and whitespace
do not count). A content longer than :data:`HEAD_CHARS` is known by its length, head and
tail; two such steps that look equal are confirmed by :meth:`ContentReader.same`, which lets the
database compare them when both rollouts share a store.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ..records import RolloutRecord
from ..store.base import Store

#: characters of a content (and of a summary) read for every event: the whole of most contents
HEAD_CHARS = 4_000
#: characters of the end of a longer content read to tell long contents apart
TAIL_CHARS = 256
#: characters of a step's normalised content its similarity to another is measured on
PROBE_CHARS = 600
#: events read per query
PAGE = 2_000
#: event types whose content is JSON more often than not (tool arguments and outputs)
JSON_TYPES = frozenset({"tool_call", "tool_result"})
_WORDS = re.compile(r"\w+")

_STEPS_SQL = (
    "SELECT idx, type, name, is_error, reward, is_finished, LENGTH(content), "
    f"SUBSTR(content, 1, {HEAD_CHARS}), SUBSTR(summary, 1, {HEAD_CHARS}), LENGTH(summary), "
    f"CASE WHEN LENGTH(content) > {HEAD_CHARS} THEN SUBSTR(content, LENGTH(content) - {TAIL_CHARS - 1}, {TAIL_CHARS}) END "
    "FROM events WHERE rollout_id = ? AND idx >= ? ORDER BY idx LIMIT ?"
)
_SAME_SQL = (
    "SELECT COALESCE(a.content, '') = COALESCE(b.content, '') AND COALESCE(a.summary, '') = COALESCE(b.summary, '') "
    "FROM events a, events b WHERE a.rollout_id = ? AND a.idx = ? AND b.rollout_id = ? AND b.idx = ?"
)
_FULL_SQL = "SELECT content, summary FROM events WHERE rollout_id = ? AND idx = ?"


@dataclass(slots=True)
class Step:
    """One event as alignment sees it."""

    idx: int
    type: str
    name: str | None
    reward: float | None
    finished: bool
    #: digest of everything that makes two steps the same
    key: bytes
    #: the content is longer than :data:`HEAD_CHARS`: ``key`` holds its length, head and tail only
    long: bool
    #: the start of the normalised content (and summary), for similarity
    probe: str
    _words: Counter[str] | None = field(default=None, repr=False)

    @property
    def words(self) -> Counter[str]:
        """The probe's words (runs of letters and digits), counted (once, for the steps that are compared)."""
        if self._words is None:
            self._words = Counter(_WORDS.findall(self.probe))
        return self._words


def canonical(event_type: str, text: str) -> str:
    """``text`` normalised for comparison: JSON of tool arguments and outputs laid out canonically
    (sorted keys, no whitespace); anything else as it is."""
    if event_type in JSON_TYPES and text[:1] in ("{", "["):
        try:
            value = json.loads(text)
        except ValueError:
            return text
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text


def make_step(
    idx: int,
    event_type: str,
    name: str | None,
    is_error: Any,
    reward: float | None,
    is_finished: Any,
    length: int | None,
    head: str | None,
    summary: str | None,
    summary_length: int | None,
    tail: str | None,
) -> Step:
    """A step from one row of the steps query (``head``: the first :data:`HEAD_CHARS` of the content)."""
    long = (length or 0) > HEAD_CHARS or (summary_length or 0) > HEAD_CHARS
    text = head or ""
    body = f"\x00long:{length}:{summary_length}:{text}\x00{tail or ''}" if long else canonical(event_type, text)
    digest = hashlib.blake2b(digest_size=16)
    for part in (event_type, name or "", "1" if is_error else "0", summary or "", body):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00\x01")
    probe = ((summary or "") + "\n" + (text if long else body))[: PROBE_CHARS + 1]
    return Step(
        idx=int(idx),
        type=event_type,
        name=name,
        reward=None if reward is None else float(reward),
        finished=bool(is_finished),
        key=digest.digest(),
        long=long,
        probe=probe,
    )


def read_steps(record: RolloutRecord) -> list[Step]:
    """Every event of ``record`` as a :class:`Step`, in index order, :data:`PAGE` at a time."""
    store = record.store()
    sql = store.translate(_STEPS_SQL)
    steps: list[Step] = []
    position = 0
    while True:
        rows = store.query(sql, (record.id, position, PAGE))
        steps.extend(make_step(*row) for row in rows)
        if len(rows) < PAGE:
            return steps
        position = steps[-1].idx + 1


class ContentReader:
    """Compares the whole contents of long steps, the database doing the work when it can."""

    def __init__(self, a: RolloutRecord, b: RolloutRecord) -> None:
        self.a, self.b = a, b

    @cached_property
    def _shared(self) -> Store | None:
        store_a, store_b = self.a.store(), self.b.store()
        return store_a if store_a is store_b else None

    def same(self, a_idx: int, b_idx: int) -> bool:
        """True when event ``a_idx`` of A and ``b_idx`` of B have the same content and summary."""
        store = self._shared
        if store is not None:
            rows = store.query(store.translate(_SAME_SQL), (self.a.id, a_idx, self.b.id, b_idx))
            return bool(rows and rows[0][0])
        return _full(self.a, a_idx) == _full(self.b, b_idx)


def _full(record: RolloutRecord, idx: int) -> tuple[Any, ...]:
    store = record.store()
    rows = store.query(store.translate(_FULL_SQL), (record.id, idx))
    return tuple(rows[0]) if rows else ()

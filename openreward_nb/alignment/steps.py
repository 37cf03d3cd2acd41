"""Each event of a rollout reduced to what alignment compares, read from the store a page at a time.

A rollout may hold megabyte tool outputs, so only small columns and the first
:data:`HEAD_CHARS` characters of a content travel. A step's key is a digest of its type, tool
name, error flag, summary and normalised content (JSON laid out canonically: key order and
white space do not count). A content longer than :data:`HEAD_CHARS` is keyed by its head;
two long steps that align as equal are confirmed by :meth:`ContentReader.same`, which lets
the database compare them whole when both rollouts share a store. (Its length is not read:
SQLite counts a text's characters by reading all of it.)
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from functools import cached_property
from typing import Any

import msgspec

from ..records import RolloutRecord
from ..store.base import Store

#: characters of a content (and of a summary) read for every event: the whole of most contents
HEAD_CHARS = 4_000
#: characters of a step's normalised content its similarity to another is measured on
PROBE_CHARS = 600
#: events read per query
PAGE = 2_000
#: pairs of long contents compared per query
SAME_BATCH = 100
#: event types whose content is JSON more often than not (tool arguments and outputs)
JSON_TYPES = frozenset({"tool_call", "tool_result"})
_WORDS = re.compile(r"\w+")

_STEPS_SQL = (
    "SELECT idx, type, name, is_error, reward, is_finished, "
    f"SUBSTR(content, 1, {HEAD_CHARS + 1}), SUBSTR(summary, 1, {HEAD_CHARS + 1}) "
    "FROM events WHERE rollout_id = ? AND idx >= ? ORDER BY idx LIMIT ?"
)
_SAME_SQL = (
    "SELECT a.idx, b.idx FROM events a JOIN events b ON b.rollout_id = ? AND b.idx = ? "
    "WHERE a.rollout_id = ? AND a.idx = ? "
    "AND COALESCE(a.content, '') = COALESCE(b.content, '') AND COALESCE(a.summary, '') = COALESCE(b.summary, '')"
)
_FULL_SQL = "SELECT content, summary FROM events WHERE rollout_id = ? AND idx = ?"


class Step(msgspec.Struct, frozen=True, gc=False):
    """One event as alignment sees it (a struct the garbage collector need not track: a rollout has many)."""

    idx: int
    type: str
    name: str | None
    reward: float | None
    finished: bool
    #: digest of everything that makes two steps the same
    key: bytes
    #: the content or summary is longer than :data:`HEAD_CHARS`: ``key`` holds its head only
    long: bool
    #: the start of the normalised content (and summary), for similarity
    probe: str

    @property
    def kind(self) -> tuple[str, str | None]:
        """What a step must share with another to face it as one changed step: its type, and a call's tool."""
        return (self.type, self.name if self.type == "tool_call" else None)

    def words(self) -> frozenset[str]:
        """The probe's words (runs of letters and digits)."""
        return frozenset(_WORDS.findall(self.probe))


def canonical(event_type: str, text: str) -> str:
    """``text`` normalised for comparison: JSON of tool arguments and outputs laid out canonically
    (sorted keys, no white space); anything else as it is."""
    if event_type in JSON_TYPES and text[:1] in ("{", "["):
        try:
            return msgspec.json.encode(msgspec.json.decode(text), order="sorted").decode()
        except (msgspec.DecodeError, msgspec.EncodeError, ValueError, TypeError):
            return text
    return text


def make_step(
    idx: int,
    event_type: str,
    name: str | None,
    is_error: Any,
    reward: float | None,
    is_finished: Any,
    head: str | None,
    summary: str | None,
) -> Step:
    """A step from one row of the steps query (``head`` and ``summary``: their first :data:`HEAD_CHARS`
    characters and one more, which tells a longer text)."""
    text, summary = head or "", summary or ""
    long = len(text) > HEAD_CHARS or len(summary) > HEAD_CHARS
    body = "\x00long\x00" + text[:HEAD_CHARS] if long else canonical(event_type, text)
    flag = "1" if is_error else "0"
    material = "\x00\x01".join((event_type, name or "", flag, summary[:HEAD_CHARS], body))
    probe = (summary + "\n" + body)[: PROBE_CHARS + 1]
    return Step(
        idx=int(idx),
        type=event_type,
        name=name,
        reward=None if reward is None else float(reward),
        finished=bool(is_finished),
        key=hashlib.blake2b(material.encode("utf-8", "surrogatepass"), digest_size=16).digest(),
        long=long,
        probe=probe,
    )


def read_steps(record: RolloutRecord) -> list[Step]:
    """Every event of ``record`` as a :class:`Step`, in index order, :data:`PAGE` at a time."""
    store = record.store
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
        store_a, store_b = self.a.store, self.b.store
        return store_a if store_a is store_b else None

    def same(self, pairs: Sequence[tuple[int, int]]) -> set[tuple[int, int]]:
        """Of the (A's index, B's index) ``pairs``, those whose events have the same content and summary."""
        store = self._shared
        if store is None:
            return {(i, j) for i, j in pairs if _full(self.a, i) == _full(self.b, j)}
        found: set[tuple[int, int]] = set()
        for at in range(0, len(pairs), SAME_BATCH):
            batch = pairs[at : at + SAME_BATCH]
            sql = store.translate(" UNION ALL ".join([_SAME_SQL] * len(batch)))
            params = [v for i, j in batch for v in (self.b.id, j, self.a.id, i)]
            found.update((int(i), int(j)) for i, j in store.query(sql, params))
        return found


def _full(record: RolloutRecord, idx: int) -> tuple[Any, ...]:
    store = record.store
    rows = store.query(store.translate(_FULL_SQL), (record.id, idx))
    return tuple(rows[0]) if rows else ()

"""Two rollouts aligned step by step: which steps are the same, which changed, which only one has.

The steps (:mod:`.steps`) of both rollouts are diffed on their keys (:mod:`.sequence`), the
blocks where they differ are paired by similarity (:mod:`.pairing`). Parallel tool calls of one
model turn (consecutive ``tool_call`` events), and their results, may come in any order: each
such run is put in key order before the diff and its rows back in the rollout's order after.
A pair with the same key but another reward or end flag is *changed* (similarity 1).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import msgspec

from ..records import RolloutRecord
from .pairing import pair_block
from .sequence import opcodes
from .steps import ContentReader, Step, read_steps

Op = Literal["equal", "changed", "only_a", "only_b"]
OPS: tuple[Op, ...] = ("equal", "changed", "only_a", "only_b")
#: event types whose consecutive runs are one model turn's parallel calls (or their results)
PARALLEL_TYPES = frozenset({"tool_call", "tool_result"})
#: runs of at least this many equal steps fold into one block ("12 identical steps")
FOLD_MIN = 3
#: of (A's index, B's index) pairs of long steps that look equal, those equal throughout
SameLong = Callable[[Sequence[tuple[int, int]]], set[tuple[int, int]]]


class Row(msgspec.Struct, frozen=True, gc=False):
    """One aligned pair: A's event index and B's (None where that side has no such step). A struct the
    garbage collector need not track: its passes over tens of thousands of rows made the cost grow faster
    than the rollouts."""

    op: Op
    a: int | None
    b: int | None
    #: 1 for equal steps, how alike a changed pair is (see pairing.similarity), None for one side alone
    similarity: float | None


@dataclass(frozen=True, slots=True)
class Block:
    """What a view draws as one item: a fold of ``FOLD_MIN`` or more equal rows, or one row."""

    #: rows ``start <= k < stop``
    start: int
    stop: int
    fold: bool


class Alignment:
    """The step-by-step alignment of rollout ``a`` with rollout ``b``."""

    def __init__(
        self, a: RolloutRecord, b: RolloutRecord, steps_a: list[Step], steps_b: list[Step], rows: list[Row]
    ) -> None:
        self.a, self.b = a, b
        self.steps_a = {s.idx: s for s in steps_a}
        self.steps_b = {s.idx: s for s in steps_b}
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    def __repr__(self) -> str:
        counts = ", ".join(f"{op}={n}" for op, n in self.counts.items())
        return f"<Alignment {self.a.id} vs {self.b.id}: {counts}>"

    @cached_property
    def counts(self) -> dict[Op, int]:
        """How many rows of each op."""
        found = dict.fromkeys(OPS, 0)
        for row in self.rows:
            found[row.op] += 1
        return found

    @cached_property
    def first(self) -> int | None:
        """The row of the first divergence (the first row that is not equal), None when none is."""
        return next((k for k, row in enumerate(self.rows) if row.op != "equal"), None)

    @cached_property
    def blocks(self) -> list[Block]:
        """The rows as a view draws them: runs of :data:`FOLD_MIN` or more equal rows folded."""
        out: list[Block] = []
        k, n = 0, len(self.rows)
        while k < n:
            if self.rows[k].op != "equal":
                out.append(Block(k, k + 1, False))
                k += 1
                continue
            end = k
            while end < n and self.rows[end].op == "equal":
                end += 1
            if end - k >= FOLD_MIN:
                out.append(Block(k, end, True))
            else:
                out.extend(Block(r, r + 1, False) for r in range(k, end))
            k = end
        return out

    @cached_property
    def first_block(self) -> int | None:
        """The block holding the first divergence."""
        return None if self.first is None else self.block_of(self.first)

    def block_of(self, row: int) -> int:
        """The block holding row ``row`` (clamped to the rows there are; 0 when there are none)."""
        starts = self._block_starts
        return max(0, bisect_right(starts, max(0, row)) - 1)

    @cached_property
    def _block_starts(self) -> list[int]:
        return [blk.start for blk in self.blocks]

    def rewards(self, side: Literal["a", "b"]) -> list[tuple[int, float]]:
        """(row, reward) of each step of ``side`` that carries a reward, in row order."""
        steps = self.steps_a if side == "a" else self.steps_b
        found = [
            (k, steps[idx].reward)
            for k, row in enumerate(self.rows)
            if (idx := row.a if side == "a" else row.b) is not None
        ]
        return [(k, r) for k, r in found if r is not None]


def align(a: RolloutRecord, b: RolloutRecord) -> Alignment:
    """Align rollout ``a`` with rollout ``b`` (both read from their stores a page at a time)."""
    steps_a, steps_b = read_steps(a), read_steps(b)
    rows = align_steps(steps_a, steps_b, ContentReader(a, b).same)
    return Alignment(a, b, steps_a, steps_b, rows)


def align_steps(steps_a: Sequence[Step], steps_b: Sequence[Step], same_long: SameLong | None = None) -> list[Row]:
    """The rows aligning two step lists. ``same_long`` confirms which long contents that look equal
    (the same head) are equal throughout (without it, they are taken as equal)."""
    order_a, groups_a = _canonical_order(steps_a)
    order_b, groups_b = _canonical_order(steps_b)
    seq_a = [steps_a[i] for i in order_a]
    seq_b = [steps_b[j] for j in order_b]
    interned: dict[bytes, int] = {}
    keys_a = [interned.setdefault(s.key, len(interned)) for s in seq_a]
    keys_b = [interned.setdefault(s.key, len(interned)) for s in seq_b]
    rows: list[Row] = []
    for tag, i1, i2, j1, j2 in opcodes(keys_a, keys_b):
        if tag == "equal":
            rows.extend(_equal(seq_a[i1 + k], seq_b[j1 + k]) for k in range(i2 - i1))
            continue
        for i, j, sim in pair_block(seq_a[i1:i2], seq_b[j1:j2]):
            sa = None if i is None else seq_a[i1 + i]
            sb = None if j is None else seq_b[j1 + j]
            if sa is not None and sb is not None:
                rows.append(Row("changed", sa.idx, sb.idx, sim))
            elif sa is not None:
                rows.append(Row("only_a", sa.idx, None, None))
            elif sb is not None:
                rows.append(Row("only_b", None, sb.idx, None))
    if same_long is not None:
        rows = _confirm_long(rows, steps_a, same_long)
    group_a = {steps_a[i].idx: g for i, g in groups_a.items()}
    group_b = {steps_b[j].idx: g for j, g in groups_b.items()}
    return _rows_in_rollout_order(rows, group_a, group_b)


def _equal(sa: Step, sb: Step) -> Row:
    if sa.reward != sb.reward or sa.finished != sb.finished:
        return Row("changed", sa.idx, sb.idx, 1.0)
    return Row("equal", sa.idx, sb.idx, 1.0)


def _confirm_long(rows: list[Row], steps_a: Sequence[Step], same_long: SameLong) -> list[Row]:
    """Equal rows of long steps whose contents differ past their heads become changed."""
    long_a = {s.idx for s in steps_a if s.long}
    pairs = [(r.a, r.b) for r in rows if r.op == "equal" and r.a in long_a and r.b is not None]
    if not pairs:
        return rows
    same = same_long(pairs)
    return [
        Row("changed", r.a, r.b, 1.0) if r.op == "equal" and r.a in long_a and (r.a, r.b) not in same else r
        for r in rows
    ]


def _canonical_order(steps: Sequence[Step]) -> tuple[list[int], dict[int, int]]:
    """Positions of ``steps`` with each run of parallel calls (or results) in key order, and the run
    (its first position) of each position of a parallel type, runs of one included."""
    order: list[int] = []
    groups: dict[int, int] = {}
    k, n = 0, len(steps)
    while k < n:
        end = k + 1
        if steps[k].type in PARALLEL_TYPES:
            while end < n and steps[end].type == steps[k].type:
                end += 1
            groups.update(dict.fromkeys(range(k, end), k))
        order.extend(sorted(range(k, end), key=lambda p: steps[p].key))
        k = end
    return order, groups


def _rows_in_rollout_order(rows: list[Row], group_a: dict[int, int], group_b: dict[int, int]) -> list[Row]:
    """Rows of one run of parallel calls put back in A's order (B's steps alone after them)."""
    out: list[Row] = []
    for stretch in _stretches(rows, group_a, group_b):
        if len(stretch) > 1:
            stretch.sort(key=lambda r: (r.a is None, r.a if r.a is not None else r.b))
        out.extend(stretch)
    return out


def _stretches(rows: list[Row], group_a: dict[int, int], group_b: dict[int, int]) -> Iterator[list[Row]]:
    """Consecutive rows whose steps all belong to one run of tool calls (or results) of A and one of B;
    any other row alone."""
    current: list[Row] = []
    ga: int | None = None
    gb: int | None = None
    for row in rows:
        ha = None if row.a is None else group_a.get(row.a)
        hb = None if row.b is None else group_b.get(row.b)
        grouped = (row.a is None or ha is not None) and (row.b is None or hb is not None)
        joins = (
            grouped
            and bool(current)
            and (ha is None or ga is None or ha == ga)
            and (hb is None or gb is None or hb == gb)
        )
        if not joins:
            if current:
                yield current
            current, ga, gb = [], None, None
        current.append(row)
        if not grouped:
            yield current
            current = []
            continue
        ga = ha if ha is not None else ga
        gb = hb if hb is not None else gb
    if current:
        yield current

"""The diff of two sequences of keys, at a cost that follows the differences, not the lengths' product.

1. The common prefix and suffix are matched in one pass.
2. What is left goes to Myers' greedy algorithm, O((N+M)·D) for D differences, when D can
   be small: the keys both sides share bound D from below (``N + M - 2·shared``), and a run
   stops once it has done :data:`MYERS_WORK` steps.
3. Otherwise, keys found exactly once on each side anchor the two ranges (patience diff: the
   longest increasing run of such pairs, O(K log K)); the gaps between anchors start again at 1.
4. A range with no anchor is left as one ``replace`` block, for :mod:`.pairing` to refine.

Myers gives the shortest edit script, so a long run of identical steps stays whole when one
side repeats a call once more: the repeat is one insertion. The result is difflib's opcode
format: ``(tag, i1, i2, j1, j2)`` with tags ``equal``, ``delete``, ``insert``, ``replace``.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Hashable, Sequence

#: most steps one Myers run may take (diagonals tried plus snake steps) before patience takes over
MYERS_WORK = 400_000

Opcode = tuple[str, int, int, int, int]


def opcodes(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[Opcode]:
    """The edit script turning ``a`` into ``b``, as difflib's ``get_opcodes`` (adjacent deletes and
    inserts merged into ``replace``)."""
    out: list[Opcode] = []
    _diff(a, b, 0, len(a), 0, len(b), out)
    return _merged(out)


def _diff(
    a: Sequence[Hashable], b: Sequence[Hashable], alo: int, ahi: int, blo: int, bhi: int, out: list[Opcode]
) -> None:
    start_a, start_b = alo, blo
    while alo < ahi and blo < bhi and a[alo] == b[blo]:
        alo, blo = alo + 1, blo + 1
    if alo > start_a:
        out.append(("equal", start_a, alo, start_b, blo))
    end_a, end_b = ahi, bhi
    while ahi > alo and bhi > blo and a[ahi - 1] == b[bhi - 1]:
        ahi, bhi = ahi - 1, bhi - 1
    tail: Opcode | None = ("equal", ahi, end_a, bhi, end_b) if ahi < end_a else None
    if alo == ahi or blo == bhi:
        _gap(alo, ahi, blo, bhi, out)
    elif not _myers(a, b, alo, ahi, blo, bhi, out):
        _patience(a, b, alo, ahi, blo, bhi, out)
    if tail is not None:
        out.append(tail)


def _gap(alo: int, ahi: int, blo: int, bhi: int, out: list[Opcode]) -> None:
    if alo < ahi and blo < bhi:
        out.append(("replace", alo, ahi, blo, bhi))
    elif alo < ahi:
        out.append(("delete", alo, ahi, blo, blo))
    elif blo < bhi:
        out.append(("insert", alo, alo, blo, bhi))


def _least_distance(a: Sequence[Hashable], b: Sequence[Hashable], alo: int, ahi: int, blo: int, bhi: int) -> int:
    """A lower bound on the edit distance: whatever the two ranges do not share must be deleted or inserted."""
    shared = Counter(a[alo:ahi]) & Counter(b[blo:bhi])
    return (ahi - alo) + (bhi - blo) - 2 * sum(shared.values())


def _myers(
    a: Sequence[Hashable], b: Sequence[Hashable], alo: int, ahi: int, blo: int, bhi: int, out: list[Opcode]
) -> bool:
    """Myers' greedy diff of the two ranges into ``out``; False (nothing added) when it would take
    more than :data:`MYERS_WORK` steps."""
    n, m = ahi - alo, bhi - blo
    least = _least_distance(a, b, alo, ahi, blo, bhi)
    if least * least > MYERS_WORK:
        return False
    work = 0
    reach: dict[int, int] = {1: 0}  # diagonal k = x - y -> furthest x
    trace: list[dict[int, int]] = []
    for d in range(n + m + 1):
        trace.append(dict(reach))
        for k in range(-d, d + 1, 2):
            if k == -d or (k != d and reach[k - 1] < reach[k + 1]):
                x = reach[k + 1]
            else:
                x = reach[k - 1] + 1
            y = x - k
            start = x
            while x < n and y < m and a[alo + x] == b[blo + y]:
                x, y = x + 1, y + 1
            work += 1 + x - start
            reach[k] = x
            if x >= n and y >= m:
                _backtrack(trace, n, m, alo, blo, out)
                return True
        if work > MYERS_WORK:
            return False
    raise AssertionError("unreachable: D never exceeds N + M")


def _backtrack(trace: list[dict[int, int]], n: int, m: int, alo: int, blo: int, out: list[Opcode]) -> None:
    """Walk the furthest-reaching paths back from (n, m): each step is one snake and one edit."""
    moves: list[Opcode] = []
    x, y = n, m
    for d in range(len(trace) - 1, 0, -1):
        reach = trace[d]
        k = x - y
        if k == -d or (k != d and reach[k - 1] < reach[k + 1]):
            prev_k = k + 1
            prev_x = reach[prev_k]
            prev_y = prev_x - prev_k
            mid_x, mid_y = prev_x, prev_y + 1  # an insertion: one step down
        else:
            prev_k = k - 1
            prev_x = reach[prev_k]
            prev_y = prev_x - prev_k
            mid_x, mid_y = prev_x + 1, prev_y  # a deletion: one step right
        if x > mid_x:
            moves.append(("equal", alo + mid_x, alo + x, blo + mid_y, blo + y))
        if mid_x > prev_x:
            moves.append(("delete", alo + prev_x, alo + mid_x, blo + prev_y, blo + prev_y))
        else:
            moves.append(("insert", alo + prev_x, alo + prev_x, blo + prev_y, blo + mid_y))
        x, y = prev_x, prev_y
    if x > 0:
        moves.append(("equal", alo, alo + x, blo, blo + y))
    out.extend(reversed(moves))


def _patience(
    a: Sequence[Hashable], b: Sequence[Hashable], alo: int, ahi: int, blo: int, bhi: int, out: list[Opcode]
) -> None:
    """Anchor the ranges on keys unique to each side, in an order both share; recurse between anchors."""
    anchors = _anchors(a, b, alo, ahi, blo, bhi)
    if not anchors:
        out.append(("replace", alo, ahi, blo, bhi))
        return
    for i, j in anchors:
        _diff(a, b, alo, i, blo, j, out)
        out.append(("equal", i, i + 1, j, j + 1))
        alo, blo = i + 1, j + 1
    _diff(a, b, alo, ahi, blo, bhi, out)


def _anchors(
    a: Sequence[Hashable], b: Sequence[Hashable], alo: int, ahi: int, blo: int, bhi: int
) -> list[tuple[int, int]]:
    """The longest run of (i, j) pairs, increasing in both, of keys found once in each range."""
    count_a = Counter(a[alo:ahi])
    count_b = Counter(b[blo:bhi])
    where_b = {b[j]: j for j in range(blo, bhi) if count_b[b[j]] == 1 and count_a.get(b[j]) == 1}
    pairs = [(i, where_b[a[i]]) for i in range(alo, ahi) if a[i] in where_b]
    # longest increasing subsequence of the j's (patience sorting, with back links)
    tops: list[int] = []  # smallest j ending a run of each length
    ends: list[int] = []  # index into pairs of that run's end
    back: list[int] = []
    for p, (_, j) in enumerate(pairs):
        at = bisect_left(tops, j)
        if at == len(tops):
            tops.append(j)
            ends.append(p)
        else:
            tops[at], ends[at] = j, p
        back.append(ends[at - 1] if at else -1)
    chain: list[tuple[int, int]] = []
    p = ends[-1] if ends else -1
    while p >= 0:
        chain.append(pairs[p])
        p = back[p]
    return chain[::-1]


def _merged(ops: list[Opcode]) -> list[Opcode]:
    """Adjacent opcodes of one kind joined; a delete next to an insert becomes one replace."""
    out: list[Opcode] = []
    for tag, i1, i2, j1, j2 in ops:
        if i1 == i2 and j1 == j2:
            continue
        if out:
            ptag, p1, _, q1, _ = out[-1]
            edit = {ptag, tag} <= {"delete", "insert", "replace"}
            if ptag == tag or (edit and tag != "equal"):
                out[-1] = ("replace" if ptag != tag else tag, p1, i2, q1, j2)
                continue
        out.append((tag, i1, i2, j1, j2))
    return out

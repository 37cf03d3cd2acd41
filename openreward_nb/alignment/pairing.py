"""Inside a block where two rollouts differ, which step of one faces which step of the other.

Two steps can face each other when they are of one type (and, for tool calls, call the same
tool: :attr:`.steps.Step.kind`); such a pair is a *changed* step, the rest stand alone. The pairs are chosen by dynamic
programming that keeps both orders and takes as many pairs as it can, the most similar
first. A block larger than :data:`WINDOW` steps a side is cut into windows along its
diagonal, so the cost stays O((N+M)·WINDOW) however large the block.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import ceil

from .steps import Step

#: most steps of one side in one window of the pairing
WINDOW = 32


def similarity(a: Step, b: Step, words_a: frozenset[str] | None = None, words_b: frozenset[str] | None = None) -> float:
    """How alike two steps' contents are, from 0 to 1: Dice's coefficient of the words of their probes
    (the first characters of the normalised content), 1 for the same key. ``words_a`` / ``words_b``:
    their words when already made."""
    if a.key == b.key:
        return 1.0
    wa = a.words() if words_a is None else words_a
    wb = b.words() if words_b is None else words_b
    if not wa and not wb:
        return 1.0 if a.probe == b.probe else 0.0
    return 2 * len(wa & wb) / (len(wa) + len(wb))


def pair_block(a: Sequence[Step], b: Sequence[Step]) -> list[tuple[int | None, int | None, float | None]]:
    """Positions in ``a`` and ``b`` as rows in both orders: (i, j, similarity) for a pair, (i, None,
    None) or (None, j, None) for a step standing alone."""
    rows: list[tuple[int | None, int | None, float | None]] = []
    windows = max(1, ceil(max(len(a), len(b)) / WINDOW))
    for w in range(windows):
        a_lo, a_hi = len(a) * w // windows, len(a) * (w + 1) // windows
        b_lo, b_hi = len(b) * w // windows, len(b) * (w + 1) // windows
        for i, j, sim in _pair_window(a[a_lo:a_hi], b[b_lo:b_hi]):
            rows.append((None if i is None else a_lo + i, None if j is None else b_lo + j, sim))
    return rows


def _pair_window(a: Sequence[Step], b: Sequence[Step]) -> list[tuple[int | None, int | None, float | None]]:
    """The order-keeping pairing with the most pairs, then the most similarity (each pair scores 1 + similarity)."""
    n, m = len(a), len(b)
    kinds_b = [s.kind for s in b]
    words_a = [s.words() for s in a]
    words_b = [s.words() for s in b]
    score = [[0.0] * (m + 1) for _ in range(n + 1)]
    sims: dict[tuple[int, int], float] = {}
    for i in range(n - 1, -1, -1):
        row, below, kind = score[i], score[i + 1], a[i].kind
        for j in range(m - 1, -1, -1):
            best = below[j] if below[j] >= row[j + 1] else row[j + 1]
            if kind == kinds_b[j]:
                sim = sims[i, j] = similarity(a[i], b[j], words_a[i], words_b[j])
                paired = below[j + 1] + 1.0 + sim
                if paired > best:
                    best = paired
            row[j] = best
    out: list[tuple[int | None, int | None, float | None]] = []
    i = j = 0
    while i < n and j < m:
        here = score[i][j]
        pair_sim = sims.get((i, j))
        if pair_sim is not None and here == score[i + 1][j + 1] + 1.0 + pair_sim:
            out.append((i, j, pair_sim))
            i, j = i + 1, j + 1
        elif here == score[i + 1][j]:
            out.append((i, None, None))
            i += 1
        else:
            out.append((None, j, None))
            j += 1
    out.extend((k, None, None) for k in range(i, n))
    out.extend((None, k, None) for k in range(j, m))
    return out

"""Checks on what a store holds, written once for both backends."""

from __future__ import annotations

from openreward_nb.store import open_store


def contiguous_counts(store_url: str) -> dict[str, int]:
    """Events per rollout, asserting each rollout's indices run 0..n-1 without gaps or repeats."""
    out = {}
    sql = "SELECT rollout_id, COUNT(*), COUNT(DISTINCT idx), MIN(idx), MAX(idx) FROM events GROUP BY rollout_id"
    for rid, n, distinct, lo, hi in open_store(store_url).query(sql):
        assert (distinct, lo, hi) == (n, 0, n - 1), f"rollout {rid} has gaps or repeats: {n} events, idx {lo}..{hi}"
        out[rid] = n
    return out

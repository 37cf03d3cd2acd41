"""Lean read queries the views need beyond paged events: counts, reward series, turn starts, search.

They read only small columns, so a rollout with megabyte tool outputs stays cheap to summarize.
"""

from __future__ import annotations

from ..events import MODEL_SIDE_TYPES
from ..store.base import Store


def type_counts(store: Store, rollout_id: str) -> dict[str, int]:
    """Event count per type."""
    rows = store.query(
        store.translate("SELECT type, COUNT(*) FROM events WHERE rollout_id = ? GROUP BY type"), (rollout_id,)
    )
    return {t: int(n) for t, n in rows}


def reward_points(store: Store, rollout_id: str, start: int = 0, stop: int = 2**62) -> list[tuple[int, float]]:
    """(idx, reward) of every event with ``start <= idx < stop`` that carries a reward, in order."""
    sql = "SELECT idx, reward FROM events WHERE rollout_id = ? AND idx >= ? AND idx < ? AND reward IS NOT NULL ORDER BY idx"
    return [(int(i), float(r)) for i, r in store.query(store.translate(sql), (rollout_id, start, stop))]


def finished_index(store: Store, rollout_id: str) -> int | None:
    """Index of the first event that ended the episode, if any."""
    sql = "SELECT MIN(idx) FROM events WHERE rollout_id = ? AND is_finished = 1"
    rows = store.query(store.translate(sql), (rollout_id,))
    return None if not rows or rows[0][0] is None else int(rows[0][0])


def turn_starts(
    store: Store, rollout_id: str, start: int = 0, stop: int = 2**62, previous_type: str | None = None
) -> tuple[list[int], str | None]:
    """Indices in ``[start, stop)`` where a model turn begins (a model-side event after a non-model one),
    and the type of the last event scanned.

    ``previous_type`` is the type of event ``start - 1`` when a scan resumes mid-rollout.
    """
    sql = "SELECT idx, type FROM events WHERE rollout_id = ? AND idx >= ? AND idx < ? ORDER BY idx"
    starts: list[int] = []
    last = previous_type
    for idx, etype in store.query(store.translate(sql), (rollout_id, start, stop)):
        if etype in MODEL_SIDE_TYPES and last not in MODEL_SIDE_TYPES:
            starts.append(int(idx))
        last = etype
    return starts, last


def search(store: Store, rollout_id: str, text: str, limit: int = 500) -> list[int]:
    """Indices of events whose content, summary, tool name or metadata contains ``text`` (any case)."""
    needle = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    like = f"%{needle}%"
    fields = " OR ".join(f"LOWER({c}) LIKE ? ESCAPE '\\'" for c in ("content", "summary", "name", "metadata"))
    sql = f"SELECT idx FROM events WHERE rollout_id = ? AND ({fields}) ORDER BY idx LIMIT ?"
    return [int(r[0]) for r in store.query(store.translate(sql), (rollout_id, like, like, like, like, limit))]


def blob_heads(store: Store, shas: list[str], size: int = 16) -> dict[str, bytes]:
    """The first ``size`` bytes of each stored attachment in ``shas`` (what tells an image from a file)."""
    found: dict[str, bytes] = {}
    unique = sorted(set(shas))
    for at in range(0, len(unique), 200):
        chunk = unique[at : at + 200]
        marks = ", ".join("?" * len(chunk))
        sql = f"SELECT sha256, substr(data, 1, {int(size)}) FROM blobs WHERE sha256 IN ({marks})"
        found.update((sha, bytes(head)) for sha, head in store.query(store.translate(sql), chunk))
    return found

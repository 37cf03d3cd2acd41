"""SQL conditions selecting rollouts ``r`` by the labels they were given as a whole (the frames' ``label=`` filters)."""

from __future__ import annotations

from collections.abc import Sequence

_LABELLED = "SELECT 1 FROM annotations l WHERE l.rollout_id = r.id AND l.idx IS NULL AND l.label IS NOT NULL"


def carrying(labels: Sequence[str]) -> str:
    """Rollouts carrying any of ``labels`` (one ``?`` per label); none when ``labels`` is empty."""
    if not labels:
        return "1 = 0"
    return f"EXISTS ({_LABELLED} AND l.label IN ({', '.join('?' * len(labels))}))"


def labelled(yes: bool) -> str:
    """Rollouts with at least one label (``yes``), or with none: not yet labelled."""
    return f"{'' if yes else 'NOT '}EXISTS ({_LABELLED})"

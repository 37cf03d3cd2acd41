"""A heat map cell's rollouts as compact cards: reward, advantage, steps and the last message.

The last message is a rollout's last assistant message (its last event when it has none), as
the timeline draws events: the payload of :mod:`.payload`, so it looks as the presentation
table says and untrusted text stays text.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from ..records import EventRecord
from ..store.base import Store
from .payload import event_payload
from .presentation import reward_tone

#: most cards drawn for one cell (the best ones; the title says how many were left out)
MAX_CARDS = 24
#: characters of a card's last message
CARD_CHARS = 600


def _number(value: Any) -> float | None:
    return (
        None
        if value is None or value is pd.NA or (isinstance(value, float) and not math.isfinite(value))
        else float(value)
    )


def _last_indices(store: Store, rollout_ids: list[str], assistant_only: bool) -> dict[str, int]:
    """rollout id -> index of its last event (of its last assistant message, with ``assistant_only``)."""
    marks = ", ".join("?" * len(rollout_ids))
    only = "AND type = 'assistant_message' " if assistant_only else ""
    sql = f"SELECT rollout_id, MAX(idx) FROM events WHERE rollout_id IN ({marks}) {only}GROUP BY rollout_id"
    return {rid: int(idx) for rid, idx in store.query(store.translate(sql), rollout_ids)}


def last_messages(store: Store, rollout_ids: Sequence[str]) -> dict[str, EventRecord]:
    """Each rollout's last assistant message, else its last event (rollouts without events are left out)."""
    ids = list(rollout_ids)
    found = _last_indices(store, ids, assistant_only=True) if ids else {}
    rest = [r for r in ids if r not in found]
    if rest:
        found.update(_last_indices(store, rest, assistant_only=False))
    events = {}
    for rollout_id, idx in found.items():
        rows = store.events_page(rollout_id, start=idx, stop=idx + 1, limit=1)
        if rows:
            events[rollout_id] = EventRecord.from_row(rows[0], store)
    return events


def card(row: dict[str, Any], last: EventRecord | None) -> dict[str, Any]:
    """One rollout's card as the browser draws it (every string is set as text there)."""
    step = _number(row.get("step"))
    reward = _number(row.get("reward"))
    return {
        "id": row["rollout_id"],
        "name": row.get("rollout_name") or row["rollout_id"][:8],
        "status": row.get("status"),
        "reward": reward,
        "tone": None if reward is None else reward_tone(reward),
        "adv": _number(row.get("advantage")),
        "advn": _number(row.get("advantage_norm")),
        "step": step,
        "turns": int(row["n_turns"]),
        "tools": int(row["n_tool_calls"]),
        "last": None if last is None else event_payload(last, CARD_CHARS),
    }


def group_cards(store: Store, group: pd.DataFrame, limit: int = MAX_CARDS) -> list[dict[str, Any]]:
    """Cards of the first ``limit`` rollouts of ``group`` (already best first)."""
    rows = group.head(limit).to_dict("records")
    messages = last_messages(store, [r["rollout_id"] for r in rows])
    return [card(r, messages.get(r["rollout_id"])) for r in rows]

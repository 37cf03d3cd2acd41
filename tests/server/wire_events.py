"""Events as an SDK sends them to ``POST /v1/rollouts`` (camelCase, the OpenReward wire format)."""

from __future__ import annotations

import uuid
from typing import Any


def start(rid: str, run: str = "hostile", **fields: object) -> dict[str, Any]:
    """A ``rollout`` event opening rollout ``rid`` in ``run``; ``fields`` add or replace wire fields."""
    return {"eventId": rid, "timestamp": 1700000000000, "runName": run, "eventType": "rollout", **fields}


def message(rid: str, idx: int, **fields: object) -> dict[str, Any]:
    """A user message at ``idx`` of rollout ``rid`` (its id derived from both: a resent one is the same event)."""
    base = {
        "eventId": str(uuid.uuid5(uuid.NAMESPACE_OID, f"{rid}/{idx}")),
        "timestamp": 1700000000000 + idx,
        "index": idx,
        "rolloutEventId": rid,
        "type": "user_message",
        "content": f"m{idx}",
        "isFinished": False,
        "metadata": {},
        "eventType": "message",
    }
    return {**base, **fields}

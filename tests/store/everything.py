"""One recording that uses every kind of queued op, and what a store holds of it, to compare stores.

Used in this process and in child processes (``from tests.store.everything import ...``):
a rescued-then-imported recording must read back exactly as one written directly.
"""

from __future__ import annotations

import base64
import dataclasses
from typing import Any

from openreward_nb import (
    AssistantMessage,
    OpenReward,
    ReasoningItem,
    RolloutInfo,
    RunInfo,
    SystemMessage,
    ToolCall,
    ToolResult,
    UserMessage,
)
from openreward_nb.records import RolloutsAPI
from openreward_nb.store import open_store
from openreward_nb.store.ops import PatchOp

RUN = "everything"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
#: events in rollout "c", left open until the client closes
C_EVENTS = 300


def record_everything(client: OpenReward) -> None:
    """Rollout creation, every message kind, metadata, rewards, info, an attachment with its raw payload,
    a patch, a failed end, and a rollout left for closing to end."""
    a = client.rollout.create(
        RUN,
        rollout_name="a",
        environment="env/A",
        variant="v1",
        split="train",
        metadata={"model": "m-1", "nested": {"k": [1, 2.5, None]}, "nan": float("nan")},
        task_spec={"id": 7, "text": "find the flag"},
        run_info=RunInfo(model_name="model-x", lr=1e-5),
    )
    a.log(SystemMessage("you are an agent"))
    a.log(UserMessage("find the flag"), metadata={"turn": 0})
    a.log(ReasoningItem(content="thinking", summary="plan: ls", content_reference="rs_1"))
    a.log(ToolCall(name="bash", content='{"cmd": "ls"}', call_id="c1"))
    a.log(ToolResult(content="flag.txt", call_id="c1"), reward=0.5, rollout_info=RolloutInfo(task_index=3))
    image = {"type": "base64", "media_type": "image/png", "data": base64.b64encode(PNG).decode()}
    message = {"role": "user", "content": [{"type": "image", "source": image}, {"type": "text", "text": "look"}]}
    a.log_anthropic_message(message, reward=1.0, rollout_info=RolloutInfo(task_index=3, current_step=2))
    client.rollout.writer.put(PatchOp(a.id, 1, 2.0, True, {"patched": True}))  # a reward set on a stored event
    a.finish()
    b = client.rollout.create(RUN, rollout_name="b")
    b.log(AssistantMessage("oops \u202e \x00 done"))
    b.finish("KeyError: boom")
    c = client.rollout.create(RUN, rollout_name="c")
    for i in range(C_EVENTS):
        c.log(UserMessage(f"line {i}"), reward=0.25 if i % 3 == 0 else None)


def _fields(record: Any, leave_out: set[str]) -> dict[str, Any]:
    return {f.name: getattr(record, f.name) for f in dataclasses.fields(record) if f.name not in leave_out}


def contents(store_url: str) -> dict[str, Any]:
    """What a store holds of :func:`record_everything`, by rollout name: every field but ids and times,
    with each event's raw payload and attachment bytes."""
    store = open_store(store_url)
    out = {}
    for rec in RolloutsAPI(store).iter(run=RUN):
        row = _fields(rec, {"seq", "id", "created_at", "ended_at", "last_event_at", "_store"})
        events = []
        for ev in rec.events():
            fields = _fields(ev, {"rollout_id", "ts", "_store"})
            fields["raw"] = ev.raw()
            fields["attachment_bytes"] = [ev.attachment_bytes(i) for i in range(len(ev.attachments))]
            events.append(fields)
        out[rec.rollout_name] = {"rollout": row, "events": events}
    return out

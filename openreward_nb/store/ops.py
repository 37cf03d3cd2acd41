"""What the recording side queues for the writer, and how a batch of it becomes SQL rows.

Ops are plain tuples (cheap to build on the caller's thread); :func:`plan_batch` turns a
batch into row lists and per-rollout aggregate deltas without touching the database, so a
failed transaction can be retried from the same ops.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from .._future import Future
from .._jsonable import to_jsonable
from ..events import MODEL_SIDE_TYPES, Event, clean_text, resolve_raw

# Op codes: the first element of every queued tuple.
OP_EVENT = 0  # (OP_EVENT, rollout_id, idx, ts, Event, reward, is_finished, metadata)
OP_ROLLOUT = 1  # (OP_ROLLOUT, run_name, row tuple in ROLLOUT_INSERT_COLUMNS order)
OP_INFO = 2  # (OP_INFO, rollout_id, rollout_info_json)
OP_END = 3  # (OP_END, rollout_id, status, error, ended_at)
OP_PATCH = 4  # (OP_PATCH, rollout_id, idx, reward, is_finished, metadata) -- set fields of a stored event


def dumps(value: Any) -> str | None:
    """JSON text for a value already made JSON-ready (None stays None)."""
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def encode_raw(raw: Any) -> str | None:
    """Serialize a raw provider payload (a deferred one is built first); never raises (an odd object
    falls back to its repr)."""
    if raw is None:
        return None
    if isinstance(raw, str):
        return clean_text(raw)
    try:
        raw = resolve_raw(raw)
        dump_json = getattr(raw, "model_dump_json", None)
        if callable(dump_json):
            return clean_text(dump_json(warnings=False))
        return clean_text(json.dumps(to_jsonable(raw, "raw"), ensure_ascii=False, separators=(",", ":")))
    except Exception:  # the raw payload is a best-effort copy; the event itself is kept
        return json.dumps({"repr": repr(raw)[:100_000]})


class _Delta:
    """Aggregate changes one batch makes to one rollout."""

    __slots__ = (
        "errors",
        "final",
        "finished",
        "has_reward",
        "last_ts",
        "model",
        "n",
        "rmax",
        "rsum",
        "tokens",
        "tools",
        "turns",
    )

    def __init__(self) -> None:
        self.n = self.tools = self.turns = self.errors = 0
        self.rsum = 0.0
        self.has_reward = 0
        self.final: float | None = None
        self.rmax: float | None = None
        self.finished = 0
        self.last_ts = 0.0
        self.model: str | None = None
        self.tokens = [0, 0, 0, 0, 0]

    def params(self, rollout_id: str) -> tuple:
        has = self.has_reward
        return (
            self.n,
            self.tools,
            self.turns,
            self.errors,
            has,
            self.rsum,
            self.final,
            has,
            self.rmax,
            self.rmax,
            self.finished,
            self.finished,
            self.last_ts,
            self.last_ts,
            self.model,
            *self.tokens,
            rollout_id,
        )


class BatchPlan:
    """Rows and aggregate deltas for one write transaction."""

    __slots__ = (
        "blobs",
        "deltas",
        "ends",
        "events",
        "infos",
        "markers",
        "patches",
        "rollouts",
        "runs",
        "side",
        "weight",
    )

    def __init__(self) -> None:
        self.runs: dict[str, float] = {}
        self.rollouts: list[tuple] = []
        self.events: list[tuple] = []
        self.blobs: dict[str, tuple] = {}
        self.deltas: dict[str, _Delta] = {}
        self.infos: list[tuple] = []
        self.ends: list[tuple] = []
        self.patches: list[tuple] = []
        self.markers: list[Future] = []
        self.side: dict[str, bool] = {}
        self.weight = 0

    def aggregate_params(self) -> list[tuple]:
        return [d.params(rid) for rid, d in self.deltas.items()]


def event_weight(event: Event) -> int:
    """Bytes an event holds beyond its small fields (content and attachment data)."""
    size = len(event.content) if event.content else 0
    if event.attachments:
        size += sum(len(a.data) for a in event.attachments if a.data is not None)
    return size


def _name(value: Any) -> str | None:
    """A short text field (name, id, model...) as clean text: every store can hold it (no NUL bytes)."""
    if value is None:
        return None
    return clean_text(value if isinstance(value, str) else str(value))


def _event_row(rollout_id: str, idx: int, ts: float, ev: Event, reward, finished, metadata, plan: BatchPlan) -> tuple:
    usage = ev.usage
    content = ev.content
    summary = ev.summary
    attachments = None
    if ev.attachments:
        refs = []
        for att in ev.attachments:
            if att.data is not None:
                digest = att.digest()
                if digest not in plan.blobs:
                    plan.blobs[digest] = (digest, att.mime, len(att.data), att.data)
            refs.append(att.ref())
        attachments = dumps(refs)
    return (
        rollout_id,
        idx,
        ts,
        ev.type,
        _name(ev.kind),
        None if content is None else clean_text(content),
        _name(ev.content_reference),
        None if summary is None else clean_text(summary),
        _name(ev.name),
        _name(ev.call_id),
        reward,
        1 if finished else 0,
        None if ev.is_error is None else int(ev.is_error),
        None if metadata is None else dumps(metadata),
        _name(ev.model),
        None if usage is None else usage.input_tokens,
        None if usage is None else usage.output_tokens,
        None if usage is None else usage.reasoning_tokens,
        None if usage is None else usage.cached_tokens,
        None if usage is None else usage.cache_write_tokens,
        ev.latency_ms,
        _name(ev.stop_reason),
        attachments,
        None if ev.raw is None else encode_raw(ev.raw),
    )


def plan_batch(ops: Iterable[Any], last_side: dict[str, bool]) -> BatchPlan:
    """Turn queued ops into rows; ``last_side`` (rollout -> last event was the model's) is read, not changed."""
    plan = BatchPlan()
    side = plan.side
    deltas = plan.deltas
    events = plan.events
    for op in ops:
        if isinstance(op, Future):
            plan.markers.append(op)
            continue
        code = op[0]
        if code == OP_EVENT:
            _, rid, idx, ts, ev, reward, finished, metadata = op
            events.append(_event_row(rid, idx, ts, ev, reward, finished, metadata, plan))
            d = deltas.get(rid)
            if d is None:
                d = deltas[rid] = _Delta()
            d.n += 1
            etype = ev.type
            model_side = etype in MODEL_SIDE_TYPES
            prev = side.get(rid)
            if prev is None:
                prev = last_side.get(rid, False)
            if model_side and not prev:
                d.turns += 1
            side[rid] = model_side
            if etype == "tool_call":
                d.tools += 1
            if ev.is_error:
                d.errors += 1
            if reward is not None:
                d.has_reward = 1
                d.rsum += reward
                d.final = reward
                if d.rmax is None or reward > d.rmax:
                    d.rmax = reward
            if finished:
                d.finished = 1
            if ts > d.last_ts:
                d.last_ts = ts
            if ev.model and d.model is None:
                d.model = _name(ev.model)
            usage = ev.usage
            if usage is not None:
                tok = d.tokens
                tok[0] += usage.input_tokens or 0
                tok[1] += usage.output_tokens or 0
                tok[2] += usage.reasoning_tokens or 0
                tok[3] += usage.cached_tokens or 0
                tok[4] += usage.cache_write_tokens or 0
        elif code == OP_ROLLOUT:
            _, run_name, row = op
            row = (row[0], *(_name(v) for v in row[1:6]), *row[6:])  # run, rollout, environment, variant, split
            plan.runs.setdefault(row[1], row[-1])
            plan.rollouts.append(row)
        elif code == OP_INFO:
            plan.infos.append((op[2], op[1]))
        elif code == OP_END:
            _, rid, status, error, ended_at = op
            plan.ends.append((status, _name(error), ended_at, rid))
        elif code == OP_PATCH:
            _, rid, idx, reward, finished, metadata = op
            plan.patches.append((reward, 1 if finished else 0, dumps(metadata), rid, idx))
        else:  # pragma: no cover - a programming error, not user input
            raise ValueError(f"unknown store op code {code!r}")
    return plan

"""What the recording side queues for the writer, and how a batch of it becomes SQL rows.

Each op is a small typed struct (a ``msgspec.Struct``: built in C, about 45 ns, array-like
and untracked by the garbage collector, so it costs the caller's thread little more than
a tuple). :func:`plan_batch` turns a batch into rows and per-rollout aggregate deltas
without touching the database, so a failed transaction can be retried from the same ops.
The same structs, tagged, are the records of a rescue file (:mod:`.rescue`).
"""

from __future__ import annotations

import json
import math
import operator
from collections.abc import Iterable, Sequence
from typing import Any

import msgspec

from .._future import Future
from .._jsonable import to_jsonable
from ..events import MODEL_SIDE_TYPES, Event, clean_text
from ..limits import MAX_TOKENS
from . import raw_codec


class EventOp(msgspec.Struct, tag="event", array_like=True, gc=False):
    """Store one event at index ``idx`` of a rollout (``ts``: seconds since 1970, when it was logged)."""

    rollout_id: str
    idx: int
    ts: float
    event: Event
    reward: float | None
    is_finished: bool
    metadata: dict[str, Any] | None


class RolloutOp(msgspec.Struct, tag="rollout", array_like=True, gc=False):
    """Create a rollout (and its run): the fields are :data:`schema.ROLLOUT_INSERT_COLUMNS`, in order.

    ``metadata``, ``task_spec``, ``run_info`` and ``rollout_info`` are JSON text.
    """

    id: str
    run_name: str
    rollout_name: str | None
    environment: str | None
    variant: str | None
    split: str | None
    metadata: str | None
    task_spec: str | None
    run_info: str | None
    rollout_info: str | None
    created_at: float


class InfoOp(msgspec.Struct, tag="info", array_like=True, gc=False):
    """Replace a rollout's ``rollout_info`` (JSON text)."""

    rollout_id: str
    rollout_info: str | None


class EndOp(msgspec.Struct, tag="end", array_like=True, gc=False):
    """End a rollout: ``status`` 'finished' or 'failed' (with ``error``), at ``ended_at``."""

    rollout_id: str
    status: str
    error: str | None
    ended_at: float


class PatchOp(msgspec.Struct, tag="patch", array_like=True, gc=False):
    """Set fields of an event already logged (a reward, the end flag, metadata): set ones win."""

    rollout_id: str
    idx: int
    reward: float | None
    is_finished: bool
    metadata: dict[str, Any] | None


#: everything a writer queue holds besides flush markers
Op = EventOp | RolloutOp | InfoOp | EndOp | PatchOp


class RawJSON(str):
    """A raw payload already encoded as JSON text (read back from a rescue file): stored as it is."""

    __slots__ = ()


def dumps(value: Any) -> str | None:
    """JSON text for a value already made JSON-ready (None stays None); never writes NaN or Infinity."""
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def encode_raw(raw: Any, columns: Sequence[str | None] = ()) -> str | None:
    """Serialize a raw provider payload as valid JSON for the raw column of a
    row whose :data:`.raw_codec.REF_COLUMNS` hold ``columns`` (the strings they hold are not stored twice);
    never raises (an odd object falls back to its repr)."""
    if raw is None:
        return None
    if type(raw) is RawJSON:
        return raw
    try:
        raw_json = getattr(raw, "raw_json", None)  # a provider payload (providers._raw.Raw) encodes itself
        return raw_json(columns) if callable(raw_json) else raw_codec.encode(to_jsonable(raw, "raw"), columns)
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

    def params(self, rollout_id: str) -> dict[str, Any]:
        """The named parameters of ``update_aggregates`` in :mod:`.base`."""
        tokens = self.tokens
        return {
            "id": rollout_id,
            "n_events": self.n,
            "n_tool_calls": self.tools,
            "n_turns": self.turns,
            "n_errors": self.errors,
            "has_reward": self.has_reward,
            "reward_sum": self.rsum,
            "final_reward": self.final,
            "max_reward": self.rmax,
            "finished": self.finished,
            "last_event_at": self.last_ts,
            "model": self.model,
            "input_tokens": min(tokens[0], MAX_TOKENS),
            "output_tokens": min(tokens[1], MAX_TOKENS),
            "reasoning_tokens": min(tokens[2], MAX_TOKENS),
            "cached_tokens": min(tokens[3], MAX_TOKENS),
            "cache_write_tokens": min(tokens[4], MAX_TOKENS),
        }


class BatchPlan:
    """Rows and aggregate deltas for one write transaction.

    Inserts are positional rows in their table's column order (the column lists in
    :mod:`.schema`); updates are dicts of named parameters.
    """

    __slots__ = ("blobs", "deltas", "ends", "events", "infos", "markers", "patches", "rollouts", "runs", "side")

    def __init__(self) -> None:
        self.runs: dict[str, float] = {}
        self.rollouts: list[tuple[Any, ...]] = []
        self.events: list[tuple[Any, ...]] = []
        self.blobs: dict[str, tuple[str, str | None, int, bytes]] = {}
        self.deltas: dict[str, _Delta] = {}
        self.infos: list[dict[str, Any]] = []
        self.ends: list[dict[str, Any]] = []
        self.patches: list[dict[str, Any]] = []
        self.markers: list[Future] = []
        self.side: dict[str, bool] = {}

    def aggregate_params(self) -> list[dict[str, Any]]:
        return [d.params(rid) for rid, d in self.deltas.items()]

    def patched_rollouts(self) -> list[str]:
        """Rollouts with a patched event (their aggregates are rebuilt)."""
        return list({p["rollout_id"]: None for p in self.patches})


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


def _count(value: Any) -> int | None:
    """A token count as every store and reader can hold it: a whole number in 0..2**63-1, else None."""
    if type(value) is not int:
        if value is None or isinstance(value, bool):
            return None
        try:
            value = operator.index(value)  # numpy integers
        except TypeError:
            if not (isinstance(value, float) and value.is_integer()):
                return None
            value = int(value)
    return value if 0 <= value <= MAX_TOKENS else None


def _finite(value: Any) -> float | None:
    """A measurement (latency) as a finite float, else None."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
        return number if math.isfinite(number) else None
    return None


def _event_row(op: EventOp, plan: BatchPlan) -> tuple[Any, ...]:
    ev = op.event
    usage = ev.usage
    content = ev.content
    summary = ev.summary
    attachments = None
    if ev.attachments:
        refs = []
        for att in ev.attachments:
            if att.data is not None:
                digest = att.digest()
                if digest is not None and digest not in plan.blobs:
                    plan.blobs[digest] = (digest, _name(att.mime), len(att.data), att.data)
            refs.append(att.ref())
        attachments = dumps(refs)
    metadata = op.metadata
    # Most of these fields are None in most events, and most text is clean ASCII: each is checked here first,
    # sparing a call of _name or clean_text for it.
    if content is not None and not (type(content) is str and content.isascii() and "\x00" not in content):
        content = clean_text(content)
    reference = ev.content_reference
    reference = None if reference is None else _name(reference)
    summary = None if summary is None else clean_text(summary)
    name = ev.name
    name = None if name is None else _name(name)
    call_id = ev.call_id
    call_id = None if call_id is None else _name(call_id)
    kind = ev.kind
    model = ev.model
    stop_reason = ev.stop_reason
    raw = ev.raw
    return (
        op.rollout_id,
        op.idx,
        op.ts,
        ev.type,
        None if kind is None else _name(kind),
        content,
        reference,
        summary,
        name,
        call_id,
        op.reward,
        1 if op.is_finished else 0,
        None if ev.is_error is None else int(bool(ev.is_error)),
        None if metadata is None else dumps(metadata),
        None if model is None else _name(model),
        None if usage is None else _count(usage.input_tokens),
        None if usage is None else _count(usage.output_tokens),
        None if usage is None else _count(usage.reasoning_tokens),
        None if usage is None else _count(usage.cached_tokens),
        None if usage is None else _count(usage.cache_write_tokens),
        None if ev.latency_ms is None else _finite(ev.latency_ms),
        None if stop_reason is None else _name(stop_reason),
        attachments,
        None if raw is None else encode_raw(raw, (content, reference, summary, name, call_id)),
    )


def _add_event(op: EventOp, plan: BatchPlan, last_side: dict[str, bool]) -> None:
    """The event's row, and what it adds to its rollout's aggregates."""
    plan.events.append(_event_row(op, plan))
    rid = op.rollout_id
    ev = op.event
    d = plan.deltas.get(rid)
    if d is None:
        d = plan.deltas[rid] = _Delta()
    d.n += 1
    etype = ev.type
    model_side = etype in MODEL_SIDE_TYPES
    side = plan.side
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
    reward = op.reward
    if reward is not None:
        d.has_reward = 1
        d.rsum += reward
        d.final = reward
        if d.rmax is None or reward > d.rmax:
            d.rmax = reward
    if op.is_finished:
        d.finished = 1
    if op.ts > d.last_ts:
        d.last_ts = op.ts
    if ev.model and d.model is None:
        d.model = _name(ev.model)
    usage = ev.usage
    if usage is not None:
        tok = d.tokens
        tok[0] += _count(usage.input_tokens) or 0
        tok[1] += _count(usage.output_tokens) or 0
        tok[2] += _count(usage.reasoning_tokens) or 0
        tok[3] += _count(usage.cached_tokens) or 0
        tok[4] += _count(usage.cache_write_tokens) or 0


def plan_batch(ops: Iterable[Op | Future], last_side: dict[str, bool]) -> BatchPlan:
    """Turn queued ops into rows; ``last_side`` (rollout -> last event was the model's) is read, not changed."""
    plan = BatchPlan()
    for op in ops:
        if isinstance(op, EventOp):
            _add_event(op, plan, last_side)
        elif isinstance(op, Future):
            plan.markers.append(op)
        elif isinstance(op, RolloutOp):
            row = msgspec.structs.astuple(op)
            row = (row[0], *(_name(v) for v in row[1:6]), *row[6:])  # run, rollout, environment, variant, split
            plan.runs.setdefault(row[1], op.created_at)
            plan.rollouts.append(row)
        elif isinstance(op, InfoOp):
            plan.infos.append({"rollout_info": op.rollout_info, "id": op.rollout_id})
        elif isinstance(op, EndOp):
            plan.ends.append(
                {"status": op.status, "error": _name(op.error), "ended_at": op.ended_at, "id": op.rollout_id}
            )
        elif isinstance(op, PatchOp):
            plan.patches.append(
                {
                    "reward": op.reward,
                    "finished": 1 if op.is_finished else 0,
                    "metadata": dumps(op.metadata),
                    "rollout_id": op.rollout_id,
                    "idx": op.idx,
                }
            )
        else:  # pragma: no cover - a programming error, not user input
            raise TypeError(f"unknown store op {op!r}")
    return plan

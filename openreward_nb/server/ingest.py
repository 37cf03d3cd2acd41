"""Writing a checked batch into the store: all of it in one transaction, or none of it.

Events are de-duplicated by (rollout id, index), so a client that retries a batch the
server already committed (its answer was lost) neither stores nor counts anything twice.
Aggregates are added incrementally when events arrive in order, and rebuilt from the
events (``Store.recompute``) for a rollout whose events arrived out of order.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..errors import StoreUnavailable
from ..events import MODEL_SIDE_TYPES
from ..store.base import Store
from ..store.dbapi import close_quietly, fetch
from ..store.ops import BatchPlan, EventOp, InfoOp, Op, RolloutOp, plan_batch
from .decode import BadRequest, Batch, Message, Start, Update, json_text

_IN_CHUNK = 500
log = logging.getLogger("openreward_nb.server")

_KNOWN = "SELECT id, rollout_info FROM rollouts WHERE id IN ({marks})"
_LAST = "SELECT idx, type FROM events WHERE rollout_id = ? ORDER BY idx DESC LIMIT 1"
_EXISTING = "SELECT idx FROM events WHERE rollout_id = ? AND idx >= ? AND idx <= ?"


class _Race(StoreUnavailable):
    """Another process stored some of the batch's events between our look and our write."""


@dataclass
class Outcome:
    """What a batch did: events newly stored and events the store already had."""

    stored: int
    duplicates: int


def _is_integrity_error(exc: BaseException) -> bool:
    return any(cls.__name__ == "IntegrityError" for cls in type(exc).__mro__)


class Ingestor:
    """Applies batches to one store, one at a time per process, each in its own transaction."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._conn: Any = None
        sql = store.translate
        self._last_sql, self._existing_sql = sql(_LAST), sql(_EXISTING)

    def apply(self, batch: Batch) -> Outcome:
        """Store a batch; raises BadRequest (nothing stored) or StoreUnavailable (retry later)."""
        with self._lock:
            try:
                stale, outcome = self._write(batch)
            except _Race:
                stale, outcome = self._write(batch)  # look again: now those events count as duplicates
            if stale:
                self._recompute(stale)
            return outcome

    def _write(self, batch: Batch) -> tuple[list[str], Outcome]:
        conn = self._connection()
        try:
            plan, stale, outcome = self._plan(conn, batch)
            self.store.write(conn, plan)
        except BadRequest:
            raise
        except Exception as exc:
            self._drop()
            if self.store.is_transient(exc):
                raise StoreUnavailable(self.store.describe_error(exc)) from exc
            if _is_integrity_error(exc):
                raise _Race(str(exc)) from exc
            raise
        return stale, outcome

    def _recompute(self, rollout_ids: list[str]) -> None:
        """Rebuild aggregates after out-of-order events; the events are committed whatever happens here."""
        try:
            self.store.recompute(self._connection(), rollout_ids)
        except Exception as exc:
            self._drop()
            log.warning("could not rebuild the aggregates of %d rollout(s): %s", len(rollout_ids), exc)

    # --- planning ----------------------------------------------------------------------
    def _plan(self, conn: Any, batch: Batch) -> tuple[BatchPlan, list[str], Outcome]:
        starts: dict[str, Start] = {}
        for start in batch.starts:
            starts.setdefault(start.rollout_id, start)
        referenced = {m.rollout_id for m in batch.messages} | {u.rollout_id for u in batch.updates}
        known = self._known(conn, referenced | starts.keys())
        if referenced - known.keys() - starts.keys():
            _refuse_unknown(batch, known, starts)
        ops: list[Op] = [_rollout_op(s) for rid, s in starts.items() if rid not in known]
        last_side: dict[str, bool] = {}
        stale: list[str] = []
        new_events = 0
        for rid, messages in _by_rollout(batch.messages).items():
            last_idx, last_type = self._last(conn, rid) if rid in known else (-1, None)
            seen = self._existing(conn, rid, messages[0].idx, min(messages[-1].idx, last_idx))
            fresh = []
            for m in messages:
                if m.idx not in seen:
                    seen.add(m.idx)
                    fresh.append(EventOp(rid, m.idx, m.ts, m.event, m.reward, m.is_finished, m.metadata))
            if fresh and fresh[0].idx <= last_idx:
                stale.append(rid)
            last_side[rid] = last_type in MODEL_SIDE_TYPES
            ops.extend(fresh)
            new_events += len(fresh)
        ops.extend(self._infos(batch, known, starts))
        return plan_batch(ops, last_side), stale, Outcome(new_events, len(batch.messages) - new_events)

    @staticmethod
    def _infos(batch: Batch, known: dict[str, str | None], starts: dict[str, Start]) -> Iterable[InfoOp]:
        merged: dict[str, dict[str, Any]] = {}
        for update in batch.updates:
            rid = update.rollout_id
            if rid not in merged:
                merged[rid] = _stored_info(rid, known, starts)
            merged[rid].update(update.rollout_info)
        return [InfoOp(rid, json_text(info)) for rid, info in merged.items()]

    # --- reads ---------------------------------------------------------------------------
    def _known(self, conn: Any, ids: set[str]) -> dict[str, str | None]:
        """Rollout id -> stored rollout_info, for the ids that exist."""
        found: dict[str, str | None] = {}
        pending = sorted(ids)
        for i in range(0, len(pending), _IN_CHUNK):
            chunk = tuple(pending[i : i + _IN_CHUNK])
            sql = self.store.translate(_KNOWN.format(marks=", ".join("?" * len(chunk))))
            found.update(fetch(conn, sql, chunk))
        return found

    def _last(self, conn: Any, rollout_id: str) -> tuple[int, str | None]:
        rows = fetch(conn, self._last_sql, (rollout_id,))
        return (rows[0][0], rows[0][1]) if rows else (-1, None)

    def _existing(self, conn: Any, rollout_id: str, low: int, high: int) -> set[int]:
        if high < low:
            return set()
        return {row[0] for row in fetch(conn, self._existing_sql, (rollout_id, low, high))}

    # --- connection ------------------------------------------------------------------------
    def _connection(self) -> Any:
        if self._conn is None:
            self._conn = self.store.connect()
        return self._conn

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        close_quietly(conn)


def _refuse_unknown(batch: Batch, known: dict[str, str | None], starts: dict[str, Start]) -> None:
    """Raise BadRequest naming the first event of a rollout the store has not heard of."""
    items: list[Message | Update] = [*batch.messages, *batch.updates]
    for item in sorted(items, key=lambda x: x.position):
        if item.rollout_id not in known and item.rollout_id not in starts:
            field = "rolloutEventId" if isinstance(item, Message) else "eventId"
            raise BadRequest(
                f"events[{item.position}].{field}: no rollout {item.rollout_id!r}; "
                'its "rollout" event must come first (in this batch or an earlier one)'
            )


def _by_rollout(messages: list[Message]) -> dict[str, list[Message]]:
    groups: dict[str, list[Message]] = {}
    for m in messages:
        groups.setdefault(m.rollout_id, []).append(m)
    for group in groups.values():
        group.sort(key=lambda m: m.idx)
    return groups


def _stored_info(rollout_id: str, known: dict[str, str | None], starts: dict[str, Start]) -> dict[str, Any]:
    """The rollout_info an update merges into: the stored one, else the one its start in this batch carries."""
    if rollout_id in known:
        text = known[rollout_id]
        return json.loads(text) if text else {}
    return dict(starts[rollout_id].rollout_info or {})


def _rollout_op(s: Start) -> RolloutOp:
    return RolloutOp(
        s.rollout_id,
        s.run_name,
        s.rollout_name,
        s.environment,
        s.variant,
        s.split,
        s.metadata,
        s.task_spec,
        s.run_info,
        json_text(s.rollout_info),
        s.created_at,
    )

"""The background writer: batches queued ops into transactions, retries failures, never drops.

The caller's side is a lock-free ``deque.append`` (backpressure only when the queue is
full); flushes are futures placed in the same FIFO queue, resolved once everything before
them is committed, or failed with :class:`StoreWriteError` when the write fails (the ops
stay queued and are retried).
"""

from __future__ import annotations

import os
import threading
import time
import warnings
import weakref
from collections import deque
from typing import Any, Optional

from .._future import Future
from ..errors import StoreWriteError
from .base import Store
from .ops import OP_END, OP_EVENT, event_weight, plan_batch

HEAVY_EVENT_BYTES = 64 * 1024

_WRITERS: "weakref.WeakSet[Writer]" = weakref.WeakSet()


class Writer:
    """Owns one connection and one thread that write a store's queued ops in batches."""

    def __init__(
        self,
        store: Store,
        *,
        max_queue: int = 20_000,
        max_heavy_bytes: int = 256 * 1024 * 1024,
        batch_size: int = 2_000,
        interval: float = 0.1,
        backpressure_timeout: float = 60.0,
        idle_close_after: float = 10.0,
    ) -> None:
        self.store = store
        self.max_queue = max_queue
        self.max_heavy_bytes = max_heavy_bytes
        self.batch_size = batch_size
        self.interval = interval
        self.backpressure_timeout = backpressure_timeout
        #: seconds without work after which the connection is released (reopened on the next write)
        self.idle_close_after = idle_close_after
        #: ops the store refused for good (bad data, not a failing disk); kept, never silently dropped
        self.rejected: list[tuple[Any, str]] = []
        self._init_state()
        _WRITERS.add(self)

    def _init_state(self) -> None:
        self._q: deque = deque()
        self._wake = threading.Event()
        self._room = threading.Condition()
        self._waiting = 0
        self._inflight = 0
        self._heavy_bytes = 0
        self._last_side: dict[str, bool] = {}
        self._error: Optional[StoreWriteError] = None
        self._flushes: list[Future] = []
        self._flushes_lock = threading.Lock()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="openreward_nb-writer", daemon=True)
        self._thread.start()

    # --- caller side -----------------------------------------------------------------
    def put(self, op: Any) -> None:
        """Queue an op; waits only when the queue is full."""
        q = self._q
        if len(q) >= self.max_queue:
            self._wait_for_room(lambda: len(self._q) < self.max_queue)
        q.append(op)
        if len(q) >= self.batch_size and not self._wake.is_set():
            self._wake.set()

    def put_heavy(self, op: Any, weight: int) -> None:
        """Queue an op holding ``weight`` bytes, keeping queued heavy bytes under the limit."""
        with self._room:
            fits = lambda: self._heavy_bytes == 0 or self._heavy_bytes + weight <= self.max_heavy_bytes  # noqa: E731
            if not fits():
                self._wait_for_room(fits, locked=True)
            self._heavy_bytes += weight
        self.put(op)

    def _wait_for_room(self, has_room, locked: bool = False) -> None:
        self._wake.set()
        started = time.monotonic()
        if not locked:
            self._room.acquire()
        self._waiting += 1
        try:
            while not has_room():
                if not self._thread.is_alive():
                    raise StoreWriteError(f"the writer for {self.store.url} has stopped; nothing more can be queued")
                if self._error is not None and time.monotonic() - started > self.backpressure_timeout:
                    raise StoreWriteError(
                        f"{self._error} The queue has been full for {self.backpressure_timeout:.0f}s, "
                        "so this item was NOT recorded; everything queued before it is kept."
                    )
                self._room.wait(0.1)
        finally:
            self._waiting -= 1
            if not locked:
                self._room.release()

    def flush_future(self) -> Future:
        """A future resolved once everything queued so far is committed."""
        fut: Future = Future()
        if not self._thread.is_alive():
            fut.set_exception(StoreWriteError(f"the writer for {self.store.url} has stopped"))
            return fut
        with self._flushes_lock:
            self._flushes = [f for f in self._flushes if not f.done()]
            self._flushes.append(fut)
        self._q.append(fut)
        self._wake.set()
        return fut

    def flush(self, timeout: Optional[float] = None) -> None:
        """Block until everything queued so far is on disk; raise StoreWriteError if the write fails."""
        self.flush_future().result(timeout)

    def close(self, timeout: Optional[float] = None) -> None:
        """Flush, then stop the thread once the queue is empty."""
        fut = self.flush_future()
        self._stopping = True
        self._wake.set()
        fut.result(timeout)
        self._thread.join(timeout)

    @property
    def pending(self) -> int:
        """Items queued or being written, not yet committed (approximate)."""
        return len(self._q) + self._inflight

    @property
    def error(self) -> Optional[StoreWriteError]:
        """The failure the writer is currently retrying, if any."""
        return self._error

    # --- writer thread ---------------------------------------------------------------
    def _run(self) -> None:
        conn = None
        pending: list[Any] = []
        backoff = 0.0
        q = self._q
        last_write = time.monotonic()
        while True:
            if not pending and not q:
                if self._stopping:
                    break
                if conn is not None and time.monotonic() - last_write > self.idle_close_after:
                    conn = self._drop_connection(conn)
                self._wake.wait(self.interval)
                self._wake.clear()
                continue
            room = self.batch_size - len(pending)
            while room > 0 and q:
                pending.append(q.popleft())
                room -= 1
            self._inflight = len(pending)
            if self._waiting:
                with self._room:
                    self._room.notify_all()
            try:
                if conn is None:
                    conn = self.store.connect()
                plan = plan_batch(pending, self._last_side)
                self.store.write(conn, plan)
            except Exception as exc:  # noqa: BLE001 - every failure is reported through flush()
                conn = self._drop_connection(conn)
                if not self.store.is_transient(exc):
                    pending = self._isolate_rejects(pending, exc)
                    continue
                self._error = StoreWriteError(
                    f"could not write to the store ({self.store.describe_error(exc)}); "
                    f"{len(pending) + len(q)} logged items stay queued in memory and are retried, nothing was "
                    "dropped. Flush again once the problem is fixed."
                )
                self._error.__cause__ = exc
                pending = self._fail_flushes(pending, self._error)
                backoff = min(2.0, backoff * 2 or 0.05)
                self._wake.wait(backoff)
                self._wake.clear()
                continue
            backoff = 0.0
            last_write = time.monotonic()
            self._error = None
            self._committed(pending, plan)
            pending = []
            self._inflight = 0
        if conn is not None:
            conn.close()

    def _committed(self, ops: list[Any], plan) -> None:
        self._last_side.update(plan.side)
        released = 0
        for op in ops:
            if type(op) is tuple:
                if op[0] == OP_EVENT:
                    weight = event_weight(op[4])
                    if weight >= HEAVY_EVENT_BYTES:
                        released += weight
                elif op[0] == OP_END:
                    self._last_side.pop(op[1], None)
        if released:
            with self._room:
                self._heavy_bytes = max(0, self._heavy_bytes - released)
                self._room.notify_all()
        for marker in plan.markers:
            if not marker.done():
                marker.set_result(None)

    def _fail_flushes(self, ops: list[Any], error: BaseException) -> list[Any]:
        """Fail every waiting flush (each waits on ops that could not be written); return the ops to retry."""
        with self._flushes_lock:
            waiting, self._flushes = self._flushes, []
        for fut in waiting:
            if not fut.done():
                fut.set_exception(error)
        return [op for op in ops if not isinstance(op, Future)]

    @staticmethod
    def _drop_connection(conn: Any) -> None:
        if conn is not None:
            try:
                conn.close()
            except Exception:  # noqa: BLE001 - the connection may already be broken
                pass
        return None

    def _isolate_rejects(self, ops: list[Any], exc: BaseException) -> list[Any]:
        """A batch failed for a reason retrying won't fix: write op by op and set refused ones aside.

        Returns the ops still to write (non-empty only if the failure turned transient).
        """
        conn = self.store.connect()
        refused = 0
        try:
            for pos, op in enumerate(ops):
                if isinstance(op, Future):
                    if refused:
                        op.set_exception(StoreWriteError(f"the store refused {refused} item(s): {exc}"))
                    else:
                        op.set_result(None)
                    continue
                try:
                    plan = plan_batch([op], self._last_side)
                    self.store.write(conn, plan)
                except Exception as op_exc:  # noqa: BLE001
                    if self.store.is_transient(op_exc):
                        return ops[pos:]
                    refused += 1
                    self.rejected.append((op, f"{type(op_exc).__name__}: {op_exc}"))
                    warnings.warn(
                        f"openreward_nb: the store refused one item ({type(op_exc).__name__}: {op_exc}); "
                        "it is kept in memory on the writer's .rejected list",
                        RuntimeWarning,
                        stacklevel=1,
                    )
                else:
                    self._committed([op], plan)
        finally:
            conn.close()
        return []

    def _reset_in_child(self) -> None:
        self.store.reset_after_fork()
        self._init_state()


def _after_fork_in_child() -> None:
    for writer in list(_WRITERS):
        writer._reset_in_child()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)

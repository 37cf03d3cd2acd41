"""The background writer: batches queued ops into transactions, retries failures, never drops.

The caller's side is a lock-free ``deque.append`` (backpressure only when the queue is
full); flushes are futures placed in the same FIFO queue, resolved once everything before
them is committed. A batch that fails for a reason that may pass (locked, disk full,
connection lost) is retried as it is, under the same token, so a store that can lose the
answer to a COMMIT applies it once. Once it has failed for the store's ``retry_deadline``,
waiting flushes fail with :class:`StoreWriteError`; the ops stay queued and go out with
the next successful write. A batch the store refuses for good is written op by op, and
the ops it refuses are set aside on ``Writer.rejected``.
"""

from __future__ import annotations

import os
import threading
import time
import warnings
import weakref
from collections import deque
from typing import Any

from .._future import Future
from ..errors import StoreWriteError
from .base import BatchToken, Store
from .dbapi import close_quietly
from .ops import OP_END, OP_EVENT, BatchPlan, event_weight, plan_batch

HEAVY_EVENT_BYTES = 64 * 1024

_WRITERS: weakref.WeakSet[Writer] = weakref.WeakSet()


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
        self._error: StoreWriteError | None = None
        self._flushes: list[Future] = []
        self._flushes_lock = threading.Lock()
        self._stopping = False
        #: why flushes fail while the ops of a refused batch are written one by one (None otherwise)
        self._refused: str | None = None
        self._n_refused = 0
        self._solo = 0  # ops still to write one at a time, to find the ones the store refuses
        self._failing_since: float | None = None
        self._backoff = 0.0
        self._writer_id = os.urandom(12).hex()
        self._batch_no = 0
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

    def flush(self, timeout: float | None = None) -> None:
        """Block until everything queued so far is on disk; raise StoreWriteError if the write fails."""
        self.flush_future().result(timeout)

    def close(self, timeout: float | None = None) -> None:
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
    def error(self) -> StoreWriteError | None:
        """The failure the writer is currently retrying, if any."""
        return self._error

    # --- writer thread ---------------------------------------------------------------
    def _run(self) -> None:
        try:
            self._write_loop()
        except BaseException as exc:  # a bug, not a store failure: waiting flushes must not hang
            self._fail_flushes(
                [],
                StoreWriteError(
                    f"the writer for {self.store.url} stopped ({type(exc).__name__}: {exc}); "
                    f"{len(self._q) + self._inflight} queued items were not written"
                ),
            )
            raise

    def _write_loop(self) -> None:
        conn = None
        batch: list[Any] = []  # the ops being written: kept as they are until committed or set aside
        token: BatchToken = ("", 0)
        last_write = time.monotonic()
        while True:
            if not batch:
                if not self._q:
                    if self._stopping:
                        break
                    if conn is not None and time.monotonic() - last_write > self.idle_close_after:
                        conn = close_quietly(conn)
                    self._wake.wait(self.interval)
                    self._wake.clear()
                    continue
                batch, token = self._take_batch()
            started = time.monotonic()
            try:
                plan = plan_batch(batch, self._last_side)
                if not all(isinstance(op, Future) for op in batch):
                    if conn is None:
                        conn = self.store.connect()
                    self.store.write(conn, plan, token)
            except Exception as exc:
                conn = close_quietly(conn)
                if self.store.is_transient(exc):
                    batch = self._retry_later(batch, exc, started)
                    continue
                self._set_aside(batch, exc)
            else:
                self._committed(batch, plan)
                last_write = time.monotonic()
            self._solo = max(0, self._solo - 1)
            if not self._solo:
                self._refused, self._n_refused = None, 0
            batch = []
            self._inflight = 0
        if conn is not None:
            conn.close()

    def _take_batch(self) -> tuple[list[Any], BatchToken]:
        """The next ops to write in one transaction (one at a time while looking for refused ones)."""
        size = 1 if self._solo else self.batch_size
        q = self._q
        batch = [q.popleft() for _ in range(min(size, len(q)))]
        self._batch_no += 1
        self._inflight = len(batch)
        if self._waiting:
            with self._room:
                self._room.notify_all()
        return batch, (self._writer_id, self._batch_no)

    def _retry_later(self, batch: list[Any], exc: BaseException, started: float) -> list[Any]:
        """After a failure that may pass: wait, then retry the same batch; past the deadline, fail flushes."""
        if self._failing_since is None:
            self._failing_since = started
        failing_for = time.monotonic() - self._failing_since
        self._error = self._write_error(exc, len(batch) + len(self._q), failing_for)
        if failing_for >= self.store.retry_deadline:
            batch = self._fail_flushes(batch, self._error)
        self._backoff = min(2.0, self._backoff * 2 or 0.05)
        self._wake.wait(self._backoff)
        self._wake.clear()
        return batch

    def _set_aside(self, batch: list[Any], exc: BaseException) -> None:
        """After a failure retrying won't fix: refuse a lone op, or write the batch's ops one at a time."""
        if self._solo or sum(not isinstance(op, Future) for op in batch) <= 1:
            self._refuse(batch, exc)
        else:
            self._solo = len(batch) + 1
            self._q.extendleft(reversed(batch))

    def _write_error(self, exc: BaseException, queued: int, failing_for: float) -> StoreWriteError:
        waited = f" for {failing_for:.0f} s" if self.store.retry_deadline else ""
        error = StoreWriteError(
            f"could not write to the store{waited} ({self.store.describe_error(exc)}); {queued} logged items "
            "stay queued in memory and are retried, nothing was dropped. Flush again once the problem is fixed."
        )
        error.__cause__ = exc
        return error

    def _committed(self, ops: list[Any], plan: BatchPlan) -> None:
        self._failing_since, self._backoff, self._error = None, 0.0, None
        self._last_side.update(plan.side)
        self._release(ops, written=True)
        for marker in plan.markers:
            if not marker.done():
                if self._refused is None:
                    marker.set_result(None)
                else:
                    marker.set_exception(StoreWriteError(self._refused))

    def _refuse(self, ops: list[Any], exc: BaseException) -> None:
        """Set aside ops the store refused for good (bad data, not a failing disk); fail their flushes."""
        reason = f"{type(exc).__name__}: {exc}"
        items = [op for op in ops if not isinstance(op, Future)]
        for op in items:
            self.rejected.append((op, reason))
            warnings.warn(
                f"openreward_nb: the store refused one item ({reason}); it is kept in memory on the writer's "
                ".rejected list",
                RuntimeWarning,
                stacklevel=1,
            )
        self._n_refused += len(items)
        self._refused = f"the store refused {self._n_refused} item(s), the last because of {reason}"
        self._release(items, written=False)
        for op in ops:
            if isinstance(op, Future) and not op.done():
                op.set_exception(StoreWriteError(self._refused))

    def _release(self, ops: list[Any], *, written: bool) -> None:
        """Ops left the queue: free the room their heavy events held; forget rollouts whose end was written."""
        released = 0
        for op in ops:
            if type(op) is tuple:
                if op[0] == OP_EVENT:
                    weight = event_weight(op[4])
                    if weight >= HEAVY_EVENT_BYTES:
                        released += weight
                elif written and op[0] == OP_END:
                    self._last_side.pop(op[1], None)
        if released:
            with self._room:
                self._heavy_bytes = max(0, self._heavy_bytes - released)
                self._room.notify_all()

    def _fail_flushes(self, ops: list[Any], error: BaseException) -> list[Any]:
        """Fail every waiting flush (each waits on ops that could not be written); return the ops to retry."""
        with self._flushes_lock:
            waiting, self._flushes = self._flushes, []
        for fut in waiting:
            if not fut.done():
                fut.set_exception(error)
        return [op for op in ops if not isinstance(op, Future)]

    def _reset_in_child(self) -> None:
        self.store.reset_after_fork()
        self._init_state()


def _after_fork_in_child() -> None:
    for writer in list(_WRITERS):
        writer._reset_in_child()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)

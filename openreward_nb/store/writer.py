"""The background writer: batches queued ops into transactions, retries failures, never drops.

The caller's side is a lock-free ``deque.append`` (backpressure only when the queue is
full); flushes are futures placed in the same FIFO queue, resolved once everything before
them is committed.

What is held stays bounded in time as well as in count: the writer measures how many ops
it commits per second (on full batches) and splits one flush interval of them between the
batch being written and the queue; a full queue makes the caller wait. So at any logging
rate the ops a crash can lose were logged within about one interval (plus one batch
commit, when the measurement lags behind a change of pace).

Log calls and the writer share the GIL. A log call waiting for room is let in when the store
has the batch's rows and starts the part of its write that runs without the GIL (moving them
into place, committing), not while the writer still builds and binds them; and while that part
runs, log calls yield the GIL every :data:`YIELD_EVERY` ops, so the writer gets it back as soon
as its statement returns rather than after CPython's switch interval.

In its idle time (nothing queued for :data:`UPKEEP_AFTER_S` after a commit) the writer keeps the
store's search index current, a short slice at a time
(:func:`openreward_nb.fulltext.index.keep_current`): logging never waits for it, and new ops are
taken between slices. A slice that fails is left for later (a search reads what the index lacks).

A batch that fails for a reason that may pass (locked, disk full, connection lost) is
retried as it is, under the same token, so a store that can lose the answer to a COMMIT
applies it once. Once it has failed for the store's ``retry_deadline``, waiting flushes
fail with :class:`StoreWriteError`. A permanent fault (a corrupt or read-only store, a
missing table) fails them at once. Either way the ops stay queued and are retried; if the
process ends first they are saved to a rescue file (:mod:`.rescue`), imported the next
time a writer opens the store. A batch the store refuses for good (bad data) is written op
by op, and the ops it refuses are set aside on ``Writer.rejected``.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
import time
import warnings
import weakref
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .._future import Future
from ..errors import StoreWriteError
from ..fulltext.index import keep_current
from ..safe_text import terminal_line
from .base import BatchToken, Fault, Store
from .dbapi import close_quietly
from .ops import BatchPlan, EndOp, EventOp, Op, RolloutOp, event_weight, plan_batch

HEAVY_EVENT_BYTES = 64 * 1024
#: the fewest ops the queue always has room for, however slow the store
MIN_ROOM = 16
#: longest wait between two retries of a failing write
MAX_BACKOFF_S = 2.0
#: how long the exit hook waits for a writer that is not failing to finish its queue
EXIT_FLUSH_TIMEOUT_S = 30.0
#: while the writer is in the store's GIL-free part of a write, every this many queued ops a log call yields
#: the GIL: else the writer, its statement done, waits out CPython's switch interval (5 ms) to get it back
YIELD_EVERY = 128
#: seconds without anything to write before the writer does its idle-time work
UPKEEP_AFTER_S = 0.25

_WRITERS: weakref.WeakSet[Writer] = weakref.WeakSet()

Queued = Op | Future


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
        import_rescued: bool = True,
    ) -> None:
        self.store = store
        self._max_queue = max_queue
        self.max_heavy_bytes = max_heavy_bytes
        #: the most ops one transaction holds
        self.batch_size = batch_size
        self._interval = interval
        self.backpressure_timeout = backpressure_timeout
        #: seconds without work after which the connection is released (reopened on the next write)
        self.idle_close_after = idle_close_after
        #: ops the store refused for good (bad data, not a failing disk), with the reason
        self.rejected: list[tuple[Op, str]] = []
        self._refused_reason = ""
        self._import_rescued = import_rescued
        self._init_state()
        _WRITERS.add(self)

    def _init_state(self) -> None:
        self._q: deque[Queued] = deque()
        self._wake = threading.Event()
        self._room = threading.Condition()
        self._waiting = 0
        #: the writer is in the store's GIL-free part of a write: log calls yield the GIL now and then
        self._in_store = False
        self._batch: list[Queued] = []  # the ops being written: kept as they are until committed or set aside
        self._heavy_bytes = 0
        self._last_side: dict[str, bool] = {}
        #: creation of each rollout written and not yet ended, to make a rescue file self-contained
        self._created: dict[str, RolloutOp] = {}
        self._error: StoreWriteError | None = None
        self._flushes: list[Future] = []
        self._flushes_lock = threading.Lock()
        self._stopping = False
        #: set by the thread as it ends after close(), its queue empty: a flush then has nothing to wait for
        self._stopped = False
        self._abandoning = False
        #: why flushes fail while the ops of a refused batch are written one by one (None otherwise)
        self._refused: str | None = None
        self._n_refused = 0
        self._solo = 0  # ops still to write one at a time, to find the ones the store refuses
        self._failing_since: float | None = None
        self._backoff = 0.0
        #: ops committed per second of writing, measured on full batches (at first: two batches an interval)
        self._rate = 2 * self.batch_size / self._interval
        self._cap = self._limit = 0
        self._plan_room()
        #: idle-time work is due: set by a commit, cleared when the search index has caught up
        self._upkeep_due = False
        #: why the last slice of idle-time work failed (it is tried again after the next commit)
        self.upkeep_error: BaseException | None = None
        self._writer_id = os.urandom(12).hex()
        self._batch_no = 0
        self._thread = threading.Thread(target=self._run, name="openreward_nb-writer", daemon=True)
        self._thread.start()

    @property
    def max_queue(self) -> int:
        """The most items the queue holds, whatever the store's speed."""
        return self._max_queue

    @max_queue.setter
    def max_queue(self, value: int) -> None:
        self._max_queue = value
        self._plan_room()

    @property
    def interval(self) -> float:
        """Seconds of logging the writer holds at most (queued and being written): what a crash can lose."""
        return self._interval

    @interval.setter
    def interval(self, value: float) -> None:
        self._interval = value
        self._plan_room()

    # --- caller side -----------------------------------------------------------------
    def put(self, op: Op) -> None:
        """Queue an op; waits only when the queue is full."""
        q = self._q
        if len(q) >= self._limit:
            self._wait_for_room(lambda: len(self._q) < self._limit)
        q.append(op)
        if self._in_store and not len(q) % YIELD_EVERY:
            time.sleep(0)  # lets the writer back onto the GIL as soon as its store call returns
        if len(q) >= self.batch_size and not self._wake.is_set():
            self._wake.set()

    def put_last(self, op: Op) -> None:
        """Queue an op without waiting for room: one of the last ops of a process being terminated."""
        self._q.append(op)
        self._wake.set()

    def put_heavy(self, op: Op, weight: int) -> None:
        """Queue an op holding ``weight`` bytes, keeping queued heavy bytes under the limit."""
        with self._room:

            def fits() -> bool:
                return self._heavy_bytes == 0 or self._heavy_bytes + weight <= self.max_heavy_bytes

            if not fits():
                self._wait_for_room(fits, locked=True)
            self._heavy_bytes += weight
        self.put(op)

    def _wait_for_room(self, has_room: Callable[[], bool], locked: bool = False) -> None:
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
        with self._flushes_lock:  # the thread decides to stop under this lock, with its queue empty
            if self._stopped or not self._thread.is_alive():
                if self.pending or self._error is not None:
                    fut.set_exception(StoreWriteError(f"the writer for {self.store.url} has stopped"))
                else:  # it stopped with everything written: there is nothing to wait for
                    fut.set_result(None)
                return fut
            self._flushes = [f for f in self._flushes if not f.done()]
            self._flushes.append(fut)
            self._q.append(fut)
        self._wake.set()  # also cuts a retry's backoff short: a flush tries the store now
        return fut

    def flush(self, timeout: float | None = None) -> None:
        """Block until everything queued so far is on disk; raise StoreWriteError if the write fails."""
        self.flush_future().result(timeout)

    def close_future(self) -> Future:
        """Flush, then stop the thread (and its idle-time work) once the queue is empty, without
        waiting; the future resolves when everything queued so far is committed."""
        fut = self.flush_future()
        self._stopping = True
        self._wake.set()
        return fut

    def close(self, timeout: float | None = None) -> None:
        """Flush, then stop the thread once the queue is empty."""
        self.close_future().result(timeout)
        self._thread.join(timeout)

    @property
    def pending(self) -> int:
        """Items queued or being written, not yet committed (approximate)."""
        return len(self._q) + len(self._batch)

    @property
    def error(self) -> StoreWriteError | None:
        """The failure the writer is currently retrying, if any."""
        return self._error

    @property
    def queue_limit(self) -> int:
        """How many items the queue takes now before a log call waits (about one interval of writing)."""
        return self._limit

    # --- rescue -------------------------------------------------------------------------
    def rescue(self, reason: str, *, timeout: float = 10.0) -> tuple[Path | None, int, int]:
        """Stop writing and save every op not yet committed (and those set aside) to a rescue file.

        For a process about to end with ops the store would not take: returns the file's
        path (None when there was nothing to save), and how many ops were queued and set
        aside. Waiting flushes fail, naming the file.
        """
        from .rescue import save

        creations, ops, refused = self.abandon(timeout)
        if not ops and not refused:
            return None, 0, 0
        try:
            path = save(self.store, [*creations, *ops], refused, reason)
        except OSError:
            self._q.extendleft(reversed(ops))  # still here, as they were: nothing is dropped by trying
            self.rejected[:0] = refused
            raise
        with self._flushes_lock:
            waiting, self._flushes = self._flushes, []
        for fut in waiting:
            if not fut.done():
                fut.set_exception(StoreWriteError(f"{reason}; the unwritten items were saved to {path}"))
        return path, len(ops), len(refused)

    def rescue_at_exit(self, flush_timeout: float = EXIT_FLUSH_TIMEOUT_S) -> None:
        """At interpreter exit, with ops still here: try once more for ``flush_timeout`` seconds (unless the
        store is failing), then save what is left to a rescue file and say where."""
        if self._error is None and self.pending and flush_timeout > 0:
            try:
                self.flush(flush_timeout)
            except Exception:
                pass
            if not self.pending and not self.rejected:
                return
        error = self._error
        if error is None:
            reason = "the process ended before they were written"
        else:
            reason = self.store.describe_error(error.__cause__) if error.__cause__ is not None else str(error)
        url = terminal_line(self.store.url)
        try:
            path, queued, refused = self.rescue(reason)
        except Exception as exc:
            print(
                f"openreward_nb: {self.pending} logged items could not be written to {url} nor saved to a "
                f"rescue file ({terminal_line(exc)}); they are lost.",
                file=sys.stderr,
            )
            return
        if path is None:
            return
        what = [f"{queued} logged items could not be written to {url} ({terminal_line(reason, 300)})"] if queued else []
        if refused:
            what.append(f"{refused} items were refused by {url} ({terminal_line(self._refused_reason, 300)})")
        print(
            f"openreward_nb: {'; '.join(what)}. They are saved in {terminal_line(path)} and will be imported "
            f"the next time this store is opened for writing (or: openreward-nb rescue import {terminal_line(path)}).",
            file=sys.stderr,
        )

    def abandon(self, timeout: float) -> tuple[list[RolloutOp], list[Op], list[tuple[Op, str]]]:
        """Stop the thread; (the creation of rollouts already written that the rest refers to, every op
        not yet committed, those set aside with the reason)."""
        self._abandoning = True
        self._wake.set()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout)
        queued = [op for op in [*self._batch, *self._q] if not isinstance(op, Future)]
        refused, self.rejected = self.rejected, []
        self._batch, self._q = [], deque()
        known = {op.id for op in queued if isinstance(op, RolloutOp)}
        creations = []
        for op in [*queued, *(op for op, _ in refused)]:
            rid = op.id if isinstance(op, RolloutOp) else op.rollout_id
            if rid not in known and rid in self._created:
                known.add(rid)
                creations.append(self._created[rid])
        return creations, queued, refused

    # --- writer thread ---------------------------------------------------------------
    def _run(self) -> None:
        try:
            if self._import_rescued:
                self._import_rescue_files()
            self._write_loop()
        except BaseException as exc:  # a bug, not a store failure: waiting flushes must not hang
            self._fail_flushes(
                [],
                StoreWriteError(
                    f"the writer for {self.store.url} stopped ({type(exc).__name__}: {exc}); "
                    f"{self.pending} queued items were not written"
                ),
            )
            raise

    def _import_rescue_files(self) -> None:
        """Before anything new: what earlier processes could not write to this store."""
        try:
            from .rescue import import_pending

            import_pending(self.store)
        except Exception as exc:  # never keep the writer from starting
            warnings.warn(f"openreward_nb: could not look for rescue files: {exc}", RuntimeWarning, stacklevel=1)

    def _write_loop(self) -> None:
        conn = None
        token: BatchToken = ("", 0)
        last_write = time.monotonic()
        while not self._abandoning:
            if not self._batch:
                if not self._q:
                    if self._stopping:
                        if self._stop_if_empty():
                            break
                        continue
                    if self._upkeep_due and conn is not None:
                        idle = time.monotonic() - last_write
                        if idle >= UPKEEP_AFTER_S:
                            conn = self._upkeep(conn)
                        else:  # an op logged meanwhile is still written within the interval
                            self._wake.wait(min(UPKEEP_AFTER_S - idle, self._interval))
                            self._wake.clear()
                        continue
                    if conn is not None and time.monotonic() - last_write > self.idle_close_after:
                        close_quietly(conn)
                        conn = None
                    self._wake.wait(self._interval)
                    self._wake.clear()
                    continue
                token = self._take_batch()
            batch = self._batch
            started = time.monotonic()
            try:
                plan = plan_batch(batch, self._last_side)
                if not all(isinstance(op, Future) for op in batch):
                    if conn is None:
                        conn = self.store.connect(one_pass=True)
                    try:
                        self.store.write(conn, plan, token, self._rows_handed_over)
                    finally:
                        self._in_store = False
            except Exception as exc:
                self._let_callers_in()
                close_quietly(conn)
                conn = None
                fault = self.store.classify(exc)
                if fault != "refused":
                    self._retry_later(exc, fault, started)
                    continue
                self._set_aside(batch, exc)
            else:
                if not plan.events:  # then the store had no rows to tell it by
                    self._let_callers_in()
                self._committed(batch, plan, time.monotonic() - started)
                last_write = time.monotonic()
            self._solo = max(0, self._solo - 1)
            if not self._solo:
                self._refused, self._n_refused = None, 0
            self._batch = []
        if conn is not None:
            conn.close()

    def _stop_if_empty(self) -> bool:
        """After close(): end the thread unless a flush came in meanwhile (checked under the flushes' lock)."""
        with self._flushes_lock:
            self._stopped = not self._q
            return self._stopped

    def _upkeep(self, conn: Any) -> Any:
        """One slice of idle-time work (the search index); returns the connection, None if it broke.

        A failure never stops writing, nor warns from this thread: the index is only behind (a
        search reads what it lacks, and catches it up when much is missing). It is kept on
        :attr:`upkeep_error` and tried again after the next commit.
        """
        try:
            self._upkeep_due = keep_current(self.store, conn)
            self.upkeep_error = None
        except Exception as exc:
            self._upkeep_due = False
            self.upkeep_error = exc
            if self.store.is_broken(conn):
                close_quietly(conn)
                return None
        return conn

    def _take_batch(self) -> BatchToken:
        """The next ops to write in one transaction: at most one interval's worth at the measured rate
        (one at a time while looking for refused ones)."""
        size = 1 if self._solo else self._cap
        take = self._q.popleft
        self._batch = [take() for _ in range(min(size, len(self._q)))]
        self._batch_no += 1
        return (self._writer_id, self._batch_no)

    def _rows_handed_over(self) -> None:
        """Told by the store as the GIL-free part of its write begins: log calls may run beside it now.

        Woken earlier, waiting log calls would take turns on the GIL with the batch's row
        building and binding, which hold it.
        """
        self._in_store = True
        self._let_callers_in()

    def _let_callers_in(self) -> None:
        """Wake the log calls waiting for room: the batch being written has left the queue."""
        if self._waiting:
            with self._room:
                self._room.notify_all()

    def _plan_room(self) -> None:
        """Split one interval of writing at the measured rate between the batch being written and the queue.

        An op then waits at most about one interval from being logged to being committed,
        whatever the logging rate: a full queue makes the caller wait instead.
        """
        per_interval = max(2, int(self._rate * self._interval))
        self._cap = max(1, min(self.batch_size, per_interval // 2))
        self._limit = min(self._max_queue, max(MIN_ROOM, per_interval - self._cap))

    def _retry_later(self, exc: BaseException, fault: Fault, started: float) -> None:
        """After a failure: wait, then retry the same batch. A permanent fault fails waiting flushes
        at once, a transient one once it has lasted the store's retry deadline."""
        if self._failing_since is None:
            self._failing_since = started
        failing_for = time.monotonic() - self._failing_since
        queued = sum(not isinstance(op, Future) for op in (*self._batch, *self._q))
        self._error = self._write_error(exc, fault, queued, failing_for)
        if fault == "permanent" or failing_for >= self.store.retry_deadline:
            self._batch = self._fail_flushes(self._batch, self._error)
        self._backoff = min(MAX_BACKOFF_S, self._backoff * 2 or 0.05)
        self._wake.wait(self._backoff)
        self._wake.clear()

    def _set_aside(self, batch: list[Queued], exc: BaseException) -> None:
        """After a failure retrying won't fix: refuse a lone op, or write the batch's ops one at a time."""
        if self._solo or sum(not isinstance(op, Future) for op in batch) <= 1:
            self._refuse(batch, exc)
        else:
            self._solo = len(batch) + 1
            self._q.extendleft(reversed(batch))

    def _write_error(self, exc: BaseException, fault: Fault, queued: int, failing_for: float) -> StoreWriteError:
        what = self.store.describe_error(exc)
        if fault == "permanent":
            text = (
                f"cannot write to the store ({what}): this will not pass by itself. {queued} logged items stay "
                "queued in memory and are retried, nothing was dropped; if this process ends first, they are "
                "saved to a rescue file and imported once the store can be written again."
            )
        else:
            waited = f" for {failing_for:.0f} s" if self.store.retry_deadline else ""
            text = (
                f"could not write to the store{waited} ({what}); {queued} logged items stay queued in memory "
                "and are retried, nothing was dropped. Flush again once the problem is fixed."
            )
        error = StoreWriteError(text)
        error.__cause__ = exc
        return error

    def _committed(self, ops: list[Queued], plan: BatchPlan, seconds: float) -> None:
        self._failing_since, self._backoff, self._error = None, 0.0, None
        self._upkeep_due = True
        self._last_side.update(plan.side)
        if len(ops) >= self._cap and seconds > 0:  # a full batch: the writer is the bottleneck, measure it
            self._rate = 0.5 * self._rate + 0.5 * len(ops) / seconds
            self._plan_room()
        self._release(ops, written=True)
        for marker in plan.markers:
            if not marker.done():
                if self._refused is None:
                    marker.set_result(None)
                else:
                    marker.set_exception(StoreWriteError(self._refused))

    def _refuse(self, ops: list[Queued], exc: BaseException) -> None:
        """Set aside ops the store refused for good (bad data, not a failing disk); fail their flushes."""
        reason = self._refused_reason = f"{type(exc).__name__}: {exc}"
        items = [op for op in ops if not isinstance(op, Future)]
        for item in items:
            self.rejected.append((item, reason))
            warnings.warn(
                f"openreward_nb: the store refused one item ({reason}); it is kept in memory on the writer's "
                ".rejected list",
                RuntimeWarning,
                stacklevel=1,
            )
        self._n_refused += len(items)
        self._refused = f"the store refused {self._n_refused} item(s), the last because of {reason}"
        self._release(items, written=False)
        for marker in ops:
            if isinstance(marker, Future) and not marker.done():
                marker.set_exception(StoreWriteError(self._refused))

    def _release(self, ops: Sequence[Queued], *, written: bool) -> None:
        """Ops left the queue: free the room their heavy events held; remember created rollouts until
        their end is written."""
        released = 0
        for op in ops:
            if isinstance(op, EventOp):
                event = op.event
                if event.attachments or (event.content is not None and len(event.content) >= HEAVY_EVENT_BYTES):
                    weight = event_weight(event)  # only these can weigh HEAVY_EVENT_BYTES
                    if weight >= HEAVY_EVENT_BYTES:
                        released += weight
            elif written and isinstance(op, RolloutOp):
                self._created[op.id] = op
            elif written and isinstance(op, EndOp):
                self._last_side.pop(op.rollout_id, None)
                self._created.pop(op.rollout_id, None)
        if released:
            with self._room:
                self._heavy_bytes = max(0, self._heavy_bytes - released)
                self._room.notify_all()

    def _fail_flushes(self, ops: list[Queued], error: BaseException) -> list[Queued]:
        """Fail every waiting flush (each waits on ops that could not be written); return the ops to retry."""
        with self._flushes_lock:
            waiting, self._flushes = self._flushes, []
        for fut in waiting:
            if not fut.done():
                fut.set_exception(error)
        return [op for op in ops if not isinstance(op, Future)]

    def reset_in_child(self) -> None:
        """After fork, in the child: a fresh queue and thread (the parent's are not ours)."""
        self.store.reset_after_fork()
        self._init_state()


def _after_fork_in_child() -> None:
    for writer in list(_WRITERS):
        writer.reset_in_child()


def rescue_all(flush_timeout: float = EXIT_FLUSH_TIMEOUT_S) -> None:
    """Every writer still holding ops saves them to a rescue file (at exit, after the clients' own exit
    hooks; on SIGTERM, after the clients' last flush, with no time left for another)."""
    for writer in list(_WRITERS):
        if writer.pending or writer.rejected:
            writer.rescue_at_exit(flush_timeout)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
atexit.register(rescue_all)

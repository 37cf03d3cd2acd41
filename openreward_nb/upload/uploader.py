"""Uploading a store's rollouts to one OpenReward API: queue them, then drain what is pending.

:class:`Uploader` is what ``client.sync()``, ``openreward-nb sync`` and ``upload=True`` use;
one upload runs at a time per store and target in a process (:func:`drain_lock`), and the
store's cursors keep several processes from skipping anything.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from ..safe_text import terminal_line
from ..store.base import Store
from ..store.dbapi import close_quietly
from .cursors import UploadState
from .drain import STOP_GRACE_S, Drain, GiveUp, Pace
from .model import SyncResult, UploadOptions
from .target import Target
from .transport import Fatal

_LOCKS: dict[tuple[str, str], threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def drain_lock(store: Store, target: Target) -> threading.Lock:
    """The lock that lets one upload at a time run for a store and target in this process."""
    with _LOCKS_GUARD:
        return _LOCKS.setdefault((store.url, target.url), threading.Lock())


class Uploader:
    """Uploads the rollouts queued in a store for one target."""

    def __init__(self, store: Store, target: Target, options: UploadOptions | None = None) -> None:
        self.store = store
        self.target = target
        self.options = options or UploadOptions()
        self.state = UploadState(store, target.url)
        self._env_ids: dict[tuple[str, str | None], tuple[str | None, str | None]] = {}
        self.pace = Pace()

    @contextmanager
    def connection(self) -> Iterator[Any]:
        """A connection of its own for the duration of a block."""
        conn = self.store.connect(one_pass=True)
        try:
            yield conn
        finally:
            close_quietly(conn)

    def queue(
        self, *, rollout_ids: Iterable[str] | None = None, run: str | None = None, retry_failed: bool = False
    ) -> None:
        """Queue rollouts for upload: these ids, else one run's, else all in the store; optionally retry refused ones."""
        with self.connection() as conn:
            if rollout_ids is not None:
                self.state.track(conn, rollout_ids)
            else:
                self.state.enqueue(conn, run)
            if retry_failed:
                self.state.retry_failed(conn)

    def counts(self) -> tuple[int, int]:
        """(events waiting to be sent, events of refused rollouts) for this target."""
        with self.connection() as conn:
            return self.state.counts(conn)

    def run(
        self,
        *,
        give_up_after: float | None = 30.0,
        stop: threading.Event | None = None,
        on_progress: Callable[[int], None] | None = None,
        settle: float | None = None,
        time_limit: float | None = None,
        queue_new: Callable[[Any], None] | None = None,
        stop_grace: float = STOP_GRACE_S,
    ) -> SyncResult:
        """Send everything queued (blocking, in this thread); stop after ``give_up_after`` s without progress.

        ``settle``: leave events of running rollouts that are younger than this many seconds
        for a later run (a reward often arrives on an event just after it was logged).
        ``time_limit``: end after this many seconds whatever is in flight (what is left stays queued).
        ``queue_new(conn)``: called before each look at what is pending, to queue rollouts created meanwhile.
        ``stop_grace``: seconds the requests in flight may still take once ``stop`` is set.
        """
        with drain_lock(self.store, self.target), self.connection() as conn:
            settled_before = None if settle is None else time.time() - settle
            deadline = None if time_limit is None else time.monotonic() + time_limit
            drain = Drain(
                self.state,
                self.target,
                self.options,
                conn,
                self._env_ids,
                give_up_after,
                stop or threading.Event(),
                on_progress,
                settled_before,
                deadline,
                queue_new,
                stop_grace,
                self.pace,
            )
            try:
                asyncio.run(drain.run())
            except (GiveUp, Fatal) as exc:
                drain.errors.append(str(exc))
            except Exception as exc:
                drain.errors.append(terminal_line(f"upload stopped: {type(exc).__name__}: {exc}", 500))
            pending, failed = self.state.counts(conn)
            return SyncResult(drain.sent, pending, failed, drain.errors)

"""``OpenReward(upload=True)``: upload what a client records, in a thread of its own, while it records.

Every ``interval`` seconds (sooner while there is work, and when a rollout is created) the
thread uploads what is pending, queuing the rollouts created since at every round (and
rollouts queued by earlier sessions that did not finish). When the API is unreachable it
says so once, backs off, and keeps trying; recording is never slowed. On
close it waits for the store to have everything, then uploads what is left for at most
``CLOSE_TIME_LIMIT_S`` seconds (less when ``CLOSE_GIVE_UP_S`` pass without progress),
whatever the server does, and says how many events stay queued for a later sync.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Any

from .._future import Future
from ..safe_text import terminal_line
from ..store.base import Store
from .drain import STOP_GRACE_S
from .model import SyncResult, UploadOptions
from .target import Target
from .uploader import Uploader

POLL_GIVE_UP_S = 5.0
CLOSE_GIVE_UP_S = 10.0
#: the most close() spends uploading once the store has everything (README, "Upload to OpenReward")
CLOSE_TIME_LIMIT_S = 20.0
MAX_DELAY_S = 30.0
#: events of a running rollout wait this long before upload, so a reward patched onto them right after goes too
SETTLE_S = 2.0
#: seconds to the next upload after one that sent something: recording is going on
BUSY_INTERVAL_S = 0.1


class BackgroundUpload:
    """Uploads rollouts of one client to one target from a daemon thread."""

    def __init__(
        self,
        store: Store,
        target: Target,
        *,
        interval: float = 1.0,
        options: UploadOptions | None = None,
    ) -> None:
        self.uploader = Uploader(store, target, options)
        self.interval = interval
        self._new: list[str] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closing = threading.Event()  # ends a poll: no new batch, no retry; the final upload takes over
        self._closed_at = 0.0
        self._flushed: Future | None = None
        self._done = Future()
        self._problem: str | None = None
        self.url = terminal_line(target.url, 200)
        self._thread = threading.Thread(target=self._run, name="openreward_nb-upload", daemon=True)
        self._thread.start()

    def track(self, rollout_id: str) -> None:
        """Upload this rollout (created by the client) too.

        A new rollout usually means the one before has ended: the thread wakes at once to
        upload it, unless the API is failing (then it keeps to its back-off).
        """
        with self._lock:
            self._new.append(rollout_id)
        if self._problem is None:
            self._wake.set()

    def close_after(self, flushed: Future) -> Future:
        """Once ``flushed`` resolves, upload what is left and stop; the returned future gets the SyncResult."""
        with self._lock:
            if self._flushed is None:
                self._flushed = flushed
                self._closed_at = time.monotonic()
        self._closing.set()
        self._wake.set()
        return self._done

    def _run(self) -> None:
        delay = self.interval
        while True:
            self._wake.wait(delay)
            self._wake.clear()
            if self._flushed is not None:
                break
            result = self._upload(POLL_GIVE_UP_S, SETTLE_S, self._closing, stop_grace=CLOSE_TIME_LIMIT_S)
            if result.errors:
                delay = min(MAX_DELAY_S, max(delay, self.interval) * 2)
            else:
                delay = min(BUSY_INTERVAL_S, self.interval) if result.sent else self.interval
        try:
            self._flushed.result()
        except BaseException as exc:
            self._done.set_exception(exc)
            return
        polled = time.monotonic() - self._closed_at  # a poll's requests in flight at close count against the limit
        result = self._upload(CLOSE_GIVE_UP_S, None, None, max(1.0, CLOSE_TIME_LIMIT_S - polled), report=False)
        if result.pending or result.failed:
            why = f" ({result.errors[0]})" if result.errors else ""
            print(
                f"openreward_nb: {result.pending:,} events not uploaded to {self.url} yet and "
                f"{result.failed:,} refused{why}; they are kept in the store: run `openreward-nb sync` or "
                "client.sync() later",
                file=sys.stderr,
            )
        self._done.set_result(result)

    def _upload(
        self,
        give_up_after: float,
        settle: float | None,
        stop: threading.Event | None,
        time_limit: float | None = None,
        report: bool = True,
        stop_grace: float = STOP_GRACE_S,
    ) -> SyncResult:
        try:
            result = self.uploader.run(
                give_up_after=give_up_after,
                settle=settle,
                stop=stop,
                time_limit=time_limit,
                queue_new=self._queue_new,
                stop_grace=stop_grace,
            )
        except Exception as exc:
            result = SyncResult(0, 0, 0, [terminal_line(f"could not read or update the store: {exc}", 500)])
        if report:
            self._report(result)
        return result

    def _queue_new(self, conn: Any) -> None:
        """Queue the rollouts created since the last call (called by the upload before each look at what is pending)."""
        with self._lock:
            fresh, self._new = self._new, []
        if not fresh:
            return
        try:
            self.uploader.state.track(conn, fresh)
        except BaseException:
            with self._lock:
                self._new[:0] = fresh
            raise

    def _report(self, result: SyncResult) -> None:
        problem = "; ".join(result.errors[:3]) or None
        url = self.url
        if problem and problem != self._problem:
            print(
                f"openreward_nb: upload to {url}: {problem}. Recording continues into the store and the upload "
                "keeps trying; nothing is lost.",
                file=sys.stderr,
            )
        elif problem is None and self._problem is not None:
            print(f"openreward_nb: upload to {url} is going again", file=sys.stderr)
        self._problem = problem

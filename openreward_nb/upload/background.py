"""``OpenReward(upload=True)``: upload what a client records, in a thread of its own, while it records.

Every ``interval`` seconds the thread queues the rollouts created since, and uploads what
is pending (also rollouts queued by earlier sessions that did not finish). When the API is
unreachable it says so once, backs off, and keeps trying; recording is never slowed. On
close it waits for the store to have everything, uploads what is left (giving up after
``CLOSE_GIVE_UP_S`` seconds without progress) and says what stays queued for a later sync.
"""

from __future__ import annotations

import sys
import threading

from .._future import Future
from ..store.base import Store
from .model import SyncResult, UploadOptions
from .target import Target
from .uploader import Uploader

POLL_GIVE_UP_S = 5.0
CLOSE_GIVE_UP_S = 10.0
MAX_DELAY_S = 30.0
#: events of a running rollout wait this long before upload, so a reward patched onto them right after goes too
SETTLE_S = 2.0


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
        self._closing = threading.Event()  # cuts a waiting upload short: the final one takes over
        self._flushed: Future | None = None
        self._done = Future()
        self._problem: str | None = None
        self._thread = threading.Thread(target=self._run, name="openreward_nb-upload", daemon=True)
        self._thread.start()

    def track(self, rollout_id: str) -> None:
        """Upload this rollout (created by the client) too."""
        with self._lock:
            self._new.append(rollout_id)

    def close_after(self, flushed: Future) -> Future:
        """Once ``flushed`` resolves, upload what is left and stop; the returned future gets the SyncResult."""
        with self._lock:
            if self._flushed is None:
                self._flushed = flushed
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
            result = self._upload(POLL_GIVE_UP_S, SETTLE_S, self._closing)
            delay = self.interval if not result.errors else min(MAX_DELAY_S, max(delay, self.interval) * 2)
        try:
            self._flushed.result()
        except BaseException as exc:
            self._done.set_exception(exc)
            return
        result = self._upload(CLOSE_GIVE_UP_S, None, None)
        if result.pending or result.failed:
            print(
                f"openreward_nb: {result.pending:,} events not uploaded to {self.uploader.target.url} yet and "
                f"{result.failed:,} refused; they are kept in the store: run `openreward-nb sync` or client.sync() later",
                file=sys.stderr,
            )
        self._done.set_result(result)

    def _upload(self, give_up_after: float, settle: float | None, stop: threading.Event | None) -> SyncResult:
        with self._lock:
            fresh, self._new = self._new, []
        try:
            if fresh:
                self.uploader.queue(rollout_ids=fresh)
            result = self.uploader.run(give_up_after=give_up_after, settle=settle, stop=stop)
        except Exception as exc:
            with self._lock:
                self._new[:0] = fresh
            result = SyncResult(0, 0, 0, [f"could not read or update the store: {exc}"])
        self._report(result)
        return result

    def _report(self, result: SyncResult) -> None:
        problem = "; ".join(result.errors[:3]) or None
        url = self.uploader.target.url
        if problem and problem != self._problem:
            print(
                f"openreward_nb: upload to {url}: {problem}. Recording continues into the store and the upload "
                "keeps trying; nothing is lost.",
                file=sys.stderr,
            )
        elif problem is None and self._problem is not None:
            print(f"openreward_nb: upload to {url} is going again", file=sys.stderr)
        self._problem = problem

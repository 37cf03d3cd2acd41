"""``client.sync()`` and ``openreward-nb sync``: queue rollouts, upload them now, show progress, return counts."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from functools import partial

from ..store.base import Store
from .model import SyncResult, UploadOptions
from .progress import progress_bar
from .target import Target
from .uploader import Uploader


def upload_now(
    store: Store,
    target: Target,
    *,
    run: str | None = None,
    rollout_ids: Iterable[str] | None = None,
    retry_failed: bool = False,
    give_up_after: float | None = 30.0,
    progress: bool | None = None,
    options: UploadOptions | None = None,
) -> SyncResult:
    """Queue rollouts (these ids, else one run's, else every one in the store) and upload what is pending.

    Runs in a worker thread (so it also works under a running event loop, as in Jupyter);
    Ctrl-C stops it cleanly: what was answered is recorded, the rest stays queued.
    """
    uploader = Uploader(store, target, options)
    uploader.queue(rollout_ids=rollout_ids, run=run, retry_failed=retry_failed)
    bar = progress_bar(uploader.counts()[0], progress)
    stop = threading.Event()
    sent = [0]
    outcome: list[SyncResult] = []
    failure: list[BaseException] = []

    def work() -> None:
        try:
            outcome.append(
                uploader.run(give_up_after=give_up_after, stop=stop, on_progress=partial(sent.__setitem__, 0))
            )
        except BaseException as exc:
            failure.append(exc)

    worker = threading.Thread(target=work, name="openreward_nb-sync", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.1)
            if bar is not None:
                bar.update(sent[0])
    except KeyboardInterrupt:
        stop.set()
        worker.join()
        raise
    if failure:
        raise failure[0]
    result = outcome[0]
    if bar is not None:
        bar.close(result.sent, str(result), result.ok)
    return result

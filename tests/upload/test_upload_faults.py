"""Our uploader against our server under faults: every case ends with exactly the recorded events there."""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from openreward_nb.store.location import open_store
from openreward_nb.upload.foreground import upload_now
from openreward_nb.upload.model import SyncResult, UploadOptions
from openreward_nb.upload.target import Target

from ..helpers import PYTHON, subprocess_env
from ..store.pg import fresh_schema, server_url
from .support import KEY, Collector, Server, record, stored_events, stored_rollouts

ROLLOUTS, EVENTS = 12, 250
TOTAL = ROLLOUTS * EVENTS
SMALL = UploadOptions(batch_events=60, concurrency=3)


def upload(local: str, url: str, **kw) -> SyncResult:
    return upload_now(open_store(local), Target(url, KEY), progress=False, options=SMALL, **kw)


def assert_same(local: str, remote: str) -> None:
    """The server holds exactly the recorded events and rollouts: none missing, none doubled, same aggregates."""
    assert stored_events(remote) == stored_events(local)
    assert stored_rollouts(remote) == stored_rollouts(local)


def wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def upload_through(tmp_path: Path, interrupt: Callable[[Server, str], None]) -> None:
    """Upload a recorded store to a (slowed) server while ``interrupt(server, remote store)`` runs; check the end."""
    local, remote = str(tmp_path / "local.sqlite"), str(tmp_path / "remote.sqlite")
    record(local, ROLLOUTS, EVENTS)
    server = Server(remote, latency_ms=30).start()
    results: list[SyncResult] = []
    thread = threading.Thread(target=lambda: results.append(upload(local, server.url, give_up_after=60)))
    thread.start()
    try:
        interrupt(server, remote)
        thread.join(timeout=120)
    finally:
        server.stop()
    assert results and (results[0].sent, results[0].pending, results[0].failed) == (TOTAL, 0, 0), results
    assert_same(local, remote)


def test_thirty_percent_of_batches_answered_500(tmp_path: Path) -> None:
    local, remote = str(tmp_path / "local.sqlite"), str(tmp_path / "remote.sqlite")
    record(local, ROLLOUTS, EVENTS)
    with Server(remote, fail_rate=0.3) as server:
        result = upload(local, server.url, give_up_after=60)
    assert (result.sent, result.pending, result.failed) == (TOTAL, 0, 0)
    assert_same(local, remote)


def test_server_down_for_five_seconds(tmp_path: Path) -> None:
    def outage(server: Server, remote: str) -> None:
        wait_for(lambda: len(stored_events(remote)) > 0)  # mid-run
        server.kill()
        time.sleep(5)
        server.start()

    upload_through(tmp_path, outage)


def test_server_killed_and_restarted_mid_run(tmp_path: Path) -> None:
    def crashes(server: Server, remote: str) -> None:
        for share in (0.15, 0.4, 0.7):
            wait_for(lambda: len(stored_events(remote)) >= share * TOTAL)  # noqa: B023 - used at once
            server.kill()
            server.start()

    upload_through(tmp_path, crashes)


CHILD = """
import sys
from openreward_nb.store.location import open_store
from openreward_nb.upload.foreground import upload_now
from openreward_nb.upload.target import Target
from openreward_nb.upload.model import UploadOptions
upload_now(open_store(sys.argv[1]), Target(sys.argv[2], sys.argv[3]), progress=False,
           options=UploadOptions(batch_events=60, concurrency=3))
"""


def test_client_killed_mid_upload_then_restarted(tmp_path: Path) -> None:
    local, remote = str(tmp_path / "local.sqlite"), str(tmp_path / "remote.sqlite")
    record(local, ROLLOUTS, EVENTS)
    with Server(remote, latency_ms=30) as server:
        child = subprocess.Popen([PYTHON, "-c", CHILD, local, server.url, KEY], env=subprocess_env())
        wait_for(lambda: len(stored_events(remote)) >= TOTAL // 3)
        child.send_signal(signal.SIGKILL)
        child.wait()
        assert len(stored_events(remote)) < TOTAL
        store = open_store(local)
        moved = store.query("SELECT SUM(n_sent) FROM upload_cursors")[0][0]
        assert moved and moved >= TOTAL // 3 - 2 * SMALL.batch_events * SMALL.concurrency  # progress was kept
        result = upload(local, server.url, give_up_after=60)
    assert result.ok and result.sent == TOTAL - moved  # resumed where it stopped
    assert_same(local, remote)


def test_resent_events_keep_their_ids_across_failures_and_restarts(tmp_path: Path) -> None:
    """The collector counts events by id, also those of a batch it answers 500 after counting: every resend,
    whether after a 500 or by a new process after a kill, must carry the id the event had the first time."""
    local = str(tmp_path / "local.sqlite")
    record(local, ROLLOUTS, EVENTS)
    faults = ("--fail-rate", "0.3", "--fail-after-commit", "--fail-scope", "messages", "--latency-ms", "30")
    with Collector(*faults) as collector:
        child = subprocess.Popen([PYTHON, "-c", CHILD, local, collector.url, KEY], env=subprocess_env())
        wait_for(lambda: collector.stats()["messages_unique"] >= TOTAL // 3)
        child.send_signal(signal.SIGKILL)  # batches in flight are counted there, not here
        child.wait()
        time.sleep(0.5)
        result = upload(local, collector.url, give_up_after=60)
        stats = collector.stats()
    assert result.ok and 0 < result.sent < TOTAL
    assert stats["messages_unique"] == TOTAL and stats["duplicates"].get("message", 0) > 0
    assert stats["rollouts_started"] == ROLLOUTS and stats["rollouts_with_index_gaps"] == 0
    assert stats["rollouts_finished"] == ROLLOUTS and stats["rollouts_orphan_msgs"] == 0


@pytest.mark.postgres
def test_postgres_store_to_a_server_on_postgres() -> None:
    server_url()
    with fresh_schema() as local, fresh_schema() as remote:
        record(local, 3, 60)
        with Server(remote, fail_rate=0.3) as server:
            result = upload(local, server.url, give_up_after=60)
        assert result.ok and result.sent == 180
        assert_same(local, remote)

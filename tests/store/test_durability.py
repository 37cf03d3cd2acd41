"""Durability and concurrency, for real, on both backends: crashes, many processes, locks, backpressure.

The failing-disk tests are SQLite's own (a PostgreSQL server's disk is not the client's).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

from openreward_nb import AsyncOpenReward, OpenReward, StoreWriteError, ToolResult, UserMessage
from openreward_nb.store import close_store, open_store
from openreward_nb.store import writer as writer_module

from ..helpers import PYTHON, skip_unless_ci, subprocess_env
from .checks import contiguous_counts

CHILD_LOGGER = r"""
import json, sys
from openreward_nb import OpenReward, ToolResult
client = OpenReward(store=sys.argv[1])
rollouts = [client.rollout.create("crash", rollout_name=f"r{i}") for i in range(4)]
counts = {r.id: 0 for r in rollouts}
i = 0
while True:
    r = rollouts[i % 4]
    r.log(ToolResult(content="x" * 300 + str(i), call_id=str(i)), reward=0.1)
    counts[r.id] += 1
    i += 1
    if i % 997 == 0:
        client.rollout.flush()
        print(json.dumps(counts), flush=True)
"""


def test_kill_9_loses_nothing_flushed(store_url, backend) -> None:
    child = subprocess.Popen(
        [PYTHON, "-c", CHILD_LOGGER, store_url], stdout=subprocess.PIPE, text=True, env=subprocess_env()
    )
    last = None
    try:
        for _ in range(12):  # wait for a dozen completed flushes, then kill mid-logging
            line = child.stdout.readline()
            assert line, "the child stopped early"
            last = json.loads(line)
        time.sleep(0.05)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    assert child.returncode == -signal.SIGKILL
    counts = contiguous_counts(store_url)
    for rid, flushed in last.items():
        assert counts[rid] >= flushed
    reader = OpenReward(store=store_url)
    if backend == "sqlite":
        assert reader.store.integrity_check() == "ok"
    for rec in reader.runs.get("crash").rollouts():
        assert rec.n_events == counts[rec.id]  # aggregates committed with their events


FLUSH_THEN_KILL = r"""
import os, signal, sys
from openreward_nb import OpenReward, ToolResult
client = OpenReward(store=sys.argv[1])
rollout = client.rollout.create("flush-kill")
for i in range(int(sys.argv[2])):
    rollout.log(ToolResult(content="x" * 300 + str(i), call_id=str(i)), reward=0.5)
client.rollout.flush()
os.kill(os.getpid(), signal.SIGKILL)  # at once: what flush() promised is on disk already, or it lied
"""


def test_a_kill_right_after_flush_returns_loses_nothing_flushed(store_url) -> None:
    n = 6000
    child = subprocess.run([PYTHON, "-c", FLUSH_THEN_KILL, store_url, str(n)], env=subprocess_env(), timeout=120)
    assert child.returncode == -signal.SIGKILL
    [rec] = list(OpenReward(store=store_url).runs.get("flush-kill").rollouts())
    assert contiguous_counts(store_url)[rec.id] == n
    assert (rec.n_events, rec.total_reward) == (n, 0.5 * n)


def test_an_event_logged_while_idle_time_work_waits_is_committed_within_the_interval(store_url, monkeypatch) -> None:
    """After a commit the writer waits UPKEEP_AFTER_S for more before its idle-time work. An event logged in
    that wait must still be committed within the flush interval (what a crash can lose), not when the wait
    ends or the queue fills a batch: that made kill -9 lose 200 ms of logging at 10,000 events/s."""
    monkeypatch.setattr(writer_module, "UPKEEP_AFTER_S", 60.0)
    client = OpenReward(store=store_url)
    try:
        client.rollout.writer.interval = 0.05
        rollout = client.rollout.create("idle-wait")
        rollout.log(UserMessage("first"))
        client.rollout.flush()  # a commit: the writer now waits before its idle-time work
        rollout.log(UserMessage("second"))
        deadline = time.monotonic() + 10  # the interval is 0.05 s; the wait it must not sit out is 60 s
        while contiguous_counts(store_url).get(rollout.id, 0) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert contiguous_counts(store_url) == {rollout.id: 2}
    finally:
        client.rollout.close()


PACED_LOGGER = r"""
import sys, time
from openreward_nb import OpenReward, UserMessage
client = OpenReward(store=sys.argv[1])
client.rollout.writer.interval = float(sys.argv[2])
rollout = client.rollout.create("paced")
started = time.monotonic()
for i in range(10**9):
    rollout.log(UserMessage(str(i)))
    if i == 500:
        print("logging", flush=True)
    time.sleep(max(0.0, started + (i + 1) / 400 - time.monotonic()))  # 400 events a second
"""


def test_a_kill_loses_at_most_what_was_logged_in_the_last_flush_interval(store_url) -> None:
    """The README's promise, tested directly: a kill -9 loses only events logged in the last interval
    (plus the commit under way). A slower interval than the default keeps the test's own slack small
    beside it; without commits on time the loss would reach the batch size (2,000 events: 5 s here)."""
    interval = 0.5
    child = subprocess.Popen(
        [PYTHON, "-c", PACED_LOGGER, store_url, str(interval)], stdout=subprocess.PIPE, text=True, env=subprocess_env()
    )
    try:
        assert child.stdout.readline() == "logging\n"
        time.sleep(1.3)
        killed_at = time.time()
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    [rec] = list(OpenReward(store=store_url).runs.get("paced").rollouts())
    newest = rec.event(rec.n_events - 1)
    assert int(newest.content) == rec.n_events - 1 >= 500
    assert killed_at - newest.ts < interval + 0.25  # 0.25 s for the commit under way and a busy machine


TERMINATED = r"""
import os, signal, sys, time
from openreward_nb import OpenReward, UserMessage
if sys.argv[3] == "own handler":
    signal.signal(signal.SIGTERM, lambda *_: (print("the program's own handler", flush=True), os._exit(3)))
client = OpenReward(store=sys.argv[1])
done = client.rollout.create("term", rollout_name="done")
done.log(UserMessage("first"))
done.finish()
open_ = client.rollout.create("term", rollout_name="open")
for i in range(int(sys.argv[2])):
    open_.log(UserMessage(f"m{i}"))
os.kill(os.getpid(), signal.SIGTERM)  # as a scheduler ending the job would, with events still queued
time.sleep(30)
"""


def test_sigterm_writes_what_is_queued_and_fails_open_rollouts(store_url) -> None:
    """SIGTERM skips atexit: without a handler the events logged in the last flush interval are lost and the
    open rollout stays 'running' for ever. The process still dies of the signal."""
    n = 20_000
    child = subprocess.run(
        [PYTHON, "-c", TERMINATED, store_url, str(n), "default"], env=subprocess_env(), timeout=120, capture_output=True
    )
    assert child.returncode == -signal.SIGTERM, child.stderr
    client = OpenReward(store=store_url)
    try:
        runs = {r.rollout_name: r for r in client.runs.get("term").rollouts()}
        assert runs["done"].status == "finished" and runs["done"].n_events == 1
        cut = runs["open"]
        assert cut.status == "failed" and "SIGTERM" in (cut.error or "")
        assert cut.n_events == n and [e.content for e in cut.events()][-1] == f"m{n - 1}"
    finally:
        client.close()


def test_a_programs_own_sigterm_handler_is_left_alone(store_url) -> None:
    child = subprocess.run(
        [PYTHON, "-c", TERMINATED, store_url, "10", "own handler"],
        env=subprocess_env(),
        timeout=120,
        capture_output=True,
        text=True,
    )
    assert child.returncode == 3 and "the program's own handler" in child.stdout, child.stderr


CHILD_WRITER = r"""
import sys, threading
from openreward_nb import OpenReward, ToolResult, UserMessage
client = OpenReward(store=sys.argv[1])
proc, n = sys.argv[2], int(sys.argv[3])
shared = client.rollout.create("multi", rollout_name=f"shared-{proc}")
def work(t):
    own = client.rollout.create("multi", rollout_name=f"p{proc}-t{t}")
    for i in range(n):
        own.log(ToolResult(content=f"{proc}/{t}/{i}", call_id=str(i)), reward=1.0)
        shared.log(UserMessage(f"{proc}/{t}/{i}"))
threads = [threading.Thread(target=work, args=(t,)) for t in range(2)]
for t in threads: t.start()
for t in threads: t.join()
client.rollout.close()
assert not client.rollout.writer.rejected
"""


def test_eight_processes_two_threads_each(store_url) -> None:
    """Eight processes open a store nobody created yet (concurrent migration) and write at once."""
    n = 1500
    procs = [
        subprocess.Popen([PYTHON, "-c", CHILD_WRITER, store_url, str(p), str(n)], env=subprocess_env())
        for p in range(8)
    ]
    for p in procs:
        assert p.wait(timeout=300) == 0
    counts = contiguous_counts(store_url)
    reader = OpenReward(store=store_url)
    recs = {r.rollout_name: r for r in reader.runs.get("multi").rollouts()}
    assert len(recs) == 24
    for p in range(8):
        assert counts[recs[f"shared-{p}"].id] == 2 * n
        for t in range(2):
            rec = recs[f"p{p}-t{t}"]
            assert counts[rec.id] == n and rec.total_reward == float(n)
    # each thread's messages arrive in its own order inside the shared rollout
    shared = recs["shared-0"]
    seen = [e.content for e in shared.events()]
    for t in range(2):
        mine = [int(c.split("/")[2]) for c in seen if c.startswith(f"0/{t}/")]
        assert mine == list(range(n))


HOLD_SQLITE_LOCK = """
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute('BEGIN EXCLUSIVE')
print('locked', flush=True)
time.sleep(float(sys.argv[2]))
c.execute('COMMIT')
"""

HOLD_PG_LOCK = """
import sys, time
import psycopg
from openreward_nb.store.postgres import split_options
c = psycopg.connect(split_options(sys.argv[1])[0])
c.execute('LOCK TABLE events IN EXCLUSIVE MODE')
print('locked', flush=True)
time.sleep(float(sys.argv[2]))
c.commit()
"""


def _hold_lock(store_url: str, seconds: float) -> subprocess.Popen:
    """Another process keeps the store from taking events for ``seconds`` (readers still read)."""
    code = HOLD_PG_LOCK if store_url.startswith("postgresql://") else HOLD_SQLITE_LOCK
    proc = subprocess.Popen(
        [PYTHON, "-c", code, store_url, str(seconds)], stdout=subprocess.PIPE, text=True, env=subprocess_env()
    )
    assert proc.stdout.readline().strip() == "locked"
    return proc


BLOCKED_WHEN_TERMINATED = r"""
import sys
from openreward_nb import OpenReward, UserMessage
client = OpenReward(store=sys.argv[1])
r = client.rollout.create("blocked", rollout_name="r")
r.log(UserMessage("before"))
client.rollout.flush()
print("ready", flush=True)
sys.stdin.readline()  # the store is locked now
for i in range(1_000_000):
    r.log(UserMessage(f"m{i}"))  # the queue fills and this waits for room, until SIGTERM
"""


def test_sigterm_while_waiting_on_a_locked_store_rescues_within_its_bound(store_url, backend) -> None:
    """The log call waits for room (the store is locked); SIGTERM then ends the rollout and writes for at most
    SIGTERM_FLUSH_TIMEOUT_S, and what the store could not take goes to a rescue file, imported later."""
    child = subprocess.Popen(
        [PYTHON, "-c", BLOCKED_WHEN_TERMINATED, store_url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=subprocess_env(),
    )
    try:
        assert child.stdout.readline().strip() == "ready"
        holder = _hold_lock(store_url, 25)
        child.stdin.write("go\n")
        child.stdin.flush()
        time.sleep(2.0)  # long enough to fill the queue
        started = time.monotonic()
        child.send_signal(signal.SIGTERM)
        assert child.wait(timeout=30) == -signal.SIGTERM
        assert time.monotonic() - started < 20  # before a scheduler's grace period ends (30 s for Kubernetes)
    finally:
        child.kill()
    holder.kill()
    holder.wait(timeout=30)
    client = OpenReward(store=store_url)  # opening for writing imports the rescue file
    try:
        client.rollout.create("other").log(UserMessage("imports the rescue file"))
        client.rollout.flush()
        (record,) = client.runs.get("blocked").rollouts()
        assert record.status == "failed" and "SIGTERM" in (record.error or "")
        assert record.n_events > 1 and contiguous_counts(store_url)[record.id] == record.n_events
    finally:
        client.close()


def test_store_locked_by_another_process(store_url, backend) -> None:
    if backend == "postgresql":  # fail flushes after one lock timeout, as SQLite does after its busy timeout
        store_url += "&retry_deadline=1"
    client = OpenReward(store=store_url)
    r = client.rollout.create("locked")
    r.log(UserMessage("before"))
    client.rollout.flush()
    holder = _hold_lock(store_url, 9)
    for i in range(100):
        r.log(UserMessage(str(i)))
    started = time.monotonic()
    with pytest.raises(StoreWriteError, match="lock") as info:
        client.rollout.flush()
    assert time.monotonic() - started < 8.5
    assert "nothing was dropped" in str(info.value)
    holder.wait(timeout=30)
    client.rollout.flush()  # the writer retried; now it gets through
    assert client.rollouts.get(r.id).n_events == 101
    client.close()


@pytest.fixture
def small_fs(tmp_path: Path):
    """A 1 MB tmpfs mount (needs root; skipped without it, failed in CI); yields its path and a remount function."""
    mnt = tmp_path / "fs"
    mnt.mkdir()
    try:
        ok = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)], capture_output=True)
        why = ok.stderr.decode().strip() if ok.returncode else ""
    except FileNotFoundError:
        why = "no mount command"
    if why:
        skip_unless_ci(
            f"cannot mount a small tmpfs here (needs root and the mount command, which .ci/run installs): {why}"
        )

    def remount(options: str) -> None:
        subprocess.run(["mount", "-o", f"remount,{options}", str(mnt)], check=True)

    yield mnt, remount
    subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_disk_full_keeps_events_queued_until_there_is_room(small_fs) -> None:
    mnt, remount = small_fs
    client = OpenReward(store=mnt / "full.sqlite")
    r = client.rollout.create("full")
    for i in range(3000):
        r.log(ToolResult(content=f"{i}:" + "z" * 1000, call_id=str(i)))
    with pytest.raises(StoreWriteError, match="full"):
        client.rollout.flush()
    remount("size=64m")
    client.rollout.flush()
    rec = client.rollouts.get(r.id)
    assert rec.n_events == 3000
    assert [e.content.split(":")[0] for e in rec.events()] == [str(i) for i in range(3000)]
    client.close()


READ_ONLY_CHILD = r"""
import os, sys, time
from openreward_nb import OpenReward, StoreWriteError, UserMessage
import uuid, openreward_nb.store.sqlite, openreward_nb.store.rescue, openreward_nb.records  # loaded before giving up root
if os.geteuid() == 0:  # root ignores file permissions: continue as an ordinary user
    os.setgid(65534)
    os.setuid(65534)
path = sys.argv[1]
client = OpenReward(store=path)
client.rollout.writer.idle_close_after = 0.1
r = client.rollout.create("ro")
r.log(UserMessage("first"))
client.rollout.flush()
time.sleep(0.5)  # idle: the writer lets go of the file
for name in os.listdir(os.path.dirname(path)):
    os.chmod(os.path.join(os.path.dirname(path), name), 0o444)
for i in range(50):
    r.log(UserMessage(str(i)))
try:
    client.rollout.flush()
except StoreWriteError as exc:
    print("ERROR:", exc, flush=True)
else:
    print("NO ERROR", flush=True)
for name in os.listdir(os.path.dirname(path)):
    os.chmod(os.path.join(os.path.dirname(path), name), 0o644)
client.rollout.flush()
print("COUNT:", client.rollouts.get(r.id).n_events, flush=True)
client.close()
"""


def test_read_only_store_keeps_events_queued(tmp_path: Path) -> None:
    folder = Path(tempfile.mkdtemp(prefix="orbnb-ro-"))  # reachable by an ordinary user, unlike tmp_path
    os.chmod(folder, 0o777)
    try:
        out = subprocess.run(
            [PYTHON, "-c", READ_ONLY_CHILD, str(folder / "ro.sqlite")],
            capture_output=True,
            text=True,
            env=subprocess_env(HOME=str(tmp_path)),
            timeout=120,
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    assert out.returncode == 0, out.stderr
    error = next(line for line in out.stdout.splitlines() if line.startswith(("ERROR", "NO ERROR")))
    assert error.startswith("ERROR:") and "readonly" in error and "nothing was dropped" in error
    assert "COUNT: 51" in out.stdout


def test_backpressure_bounds_the_queue(store_url) -> None:
    client = OpenReward(store=store_url)
    writer = client.rollout.writer
    writer.max_queue = 500
    r = client.rollout.create("bp")
    r.log(UserMessage("warm"))
    client.rollout.flush()
    holder = _hold_lock(store_url, 3)
    done = threading.Event()
    peak = 0

    def produce() -> None:
        for i in range(5000):
            r.log(UserMessage(str(i)))
        done.set()

    t = threading.Thread(target=produce)
    t.start()
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:
        peak = max(peak, writer.pending)
        time.sleep(0.005)
    assert not done.is_set(), "the producer should be waiting for room"
    assert peak <= writer.max_queue + writer.batch_size  # the queue plus the batch being written
    holder.wait(timeout=30)
    t.join(timeout=60)
    assert done.is_set()
    client.rollout.flush()
    assert client.rollouts.get(r.id).n_events == 5001
    client.close()


def test_heavy_events_are_bounded_by_bytes(store_url) -> None:
    client = OpenReward(store=store_url)
    writer = client.rollout.writer
    writer.max_heavy_bytes = 4 * 1024 * 1024
    r = client.rollout.create("heavy")
    r.log(UserMessage("warm"))
    client.rollout.flush()
    holder = _hold_lock(store_url, 2)
    done = threading.Event()
    blob = "b" * (1024 * 1024)

    def produce() -> None:
        for _ in range(20):
            r.log(ToolResult(content=blob, call_id="c"))
        done.set()

    t = threading.Thread(target=produce)
    t.start()
    time.sleep(1.0)
    assert not done.is_set() and writer._heavy_bytes <= writer.max_heavy_bytes
    holder.wait(timeout=30)
    t.join(timeout=60)
    client.rollout.flush()
    assert client.rollouts.get(r.id).n_events == 21
    client.close()


def test_async_client_does_not_block_the_event_loop(store_url) -> None:
    async def main() -> tuple[int, float]:
        client = AsyncOpenReward(store=store_url)
        r = client.rollout.create("async")
        r.log(UserMessage("warm"))
        await client.rollout.flush()
        holder = _hold_lock(store_url, 1.5)
        for i in range(1000):
            r.log(UserMessage(str(i)))
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        task = asyncio.create_task(ticker())
        started = time.monotonic()
        await client.rollout.flush()
        waited = time.monotonic() - started
        task.cancel()
        await client.rollout.close()
        await asyncio.to_thread(holder.wait)
        return ticks, waited

    ticks, waited = asyncio.run(main())
    assert waited > 0.5  # the flush really had to wait for the lock ...
    assert ticks >= waited / 0.01 * 0.5  # ... while the loop kept running
    reader = OpenReward(store=store_url)
    [rec] = list(reader.runs.get("async").rollouts())
    assert rec.n_events == 1001 and rec.status == "finished"


def test_async_close_without_await_still_writes(store_url) -> None:
    script = f"""
import asyncio
from openreward_nb import AsyncOpenReward, UserMessage
async def main():
    client = AsyncOpenReward(store={store_url!r})
    r = client.rollout.create("noawait")
    for i in range(5000):
        r.log(UserMessage(str(i)))
    client.rollout.close()   # as an SDK script would, without await
asyncio.run(main())
"""
    subprocess.run([PYTHON, "-c", script], check=True, env=subprocess_env(), timeout=120)
    [rec] = list(OpenReward(store=store_url).runs.get("noawait").rollouts())
    assert rec.n_events == 5000


def test_an_item_the_store_refuses_is_set_aside_and_the_rest_written(client) -> None:
    from openreward_nb.events import event_from_message
    from openreward_nb.store.ops import EventOp

    r = client.rollout.create("refused")
    for i in range(3):
        r.log(UserMessage(str(i)))
    client.rollout.flush()
    writer = client.rollout.writer
    duplicate = EventOp(r.id, 1, time.time(), event_from_message(UserMessage("again")), 5.0, False, None)
    r.log(UserMessage("3"), reward=1.0)
    writer.put(duplicate)  # index 1 is stored already: the store refuses it for good
    r.log(UserMessage("4"), reward=1.0)
    with pytest.warns(RuntimeWarning, match="refused one item"), pytest.raises(StoreWriteError, match="refused 1 item"):
        client.rollout.flush()
    assert [op for op, _ in writer.rejected] == [duplicate]
    client.rollout.flush()  # nothing else is wrong
    rec = client.rollouts.get(r.id)
    assert [e.content for e in rec.events()] == ["0", "1", "2", "3", "4"]
    assert (rec.n_events, rec.total_reward) == (5, 2.0)
    writer.rejected.clear()  # seen; no rescue file for it at exit


def test_a_write_that_fails_midway_leaves_nothing_behind(client, store_url, monkeypatch) -> None:
    """A failure after some of a batch's rows went in (here a lost disk write, raised on this side, so a
    PostgreSQL transaction is not aborted by the server) must roll all of them back: the retry then
    writes each event once and counts it once."""
    r = client.rollout.create("midway")
    r.log(UserMessage("before"), reward=1.0)
    client.rollout.flush()
    store = client.store
    real_insert = store.insert_events
    failures = []

    def insert_then_fail(cur, rows, handed_over=None) -> None:
        real_insert(cur, rows, handed_over)
        if not failures:
            failures.append(len(rows))
            raise OSError(5, "Input/output error (a test's failing disk)")

    monkeypatch.setattr(store, "insert_events", insert_then_fail)
    for i in range(50):
        r.log(ToolResult(content=str(i), call_id=str(i)), reward=1.0)
    other = client.rollout.create("midway")
    other.log(UserMessage("new rollout, same batch"))
    try:
        client.rollout.flush()  # PostgreSQL's writer retries within its deadline ...
    except StoreWriteError:
        client.rollout.flush()  # ... SQLite's fails the first flush at once and retries on the next
    assert failures == [51]
    assert not client.rollout.writer.rejected
    counts = contiguous_counts(store_url)
    assert (counts[r.id], counts[other.id]) == (51, 1)
    rec = client.rollouts.get(r.id)
    assert (rec.n_events, rec.total_reward) == (51, 51.0)
    assert client.runs.get("midway").n_rollouts == 2


def test_a_forked_child_reads_on_its_own_connection(store_url) -> None:
    """After fork, parent and child share no connection (a shared socket would mix their queries)."""
    client = OpenReward(store=store_url)
    r = client.rollout.create("fork")
    r.log(UserMessage("x"))
    client.close()
    close_store(client.store)
    store = open_store(store_url)  # a store no writer uses
    assert store.rollout_status(r.id) == ("finished", 1)  # the parent's reading connection is open
    pid = os.fork()
    if pid == 0:  # the child: read, hard, while the parent does too
        ok = all(store.rollout_status(r.id) == ("finished", 1) for _ in range(300))
        os._exit(0 if ok else 1)
    parent_ok = all(store.rollout_status(r.id) == ("finished", 1) for _ in range(300))
    assert os.waitpid(pid, 0)[1] == 0 and parent_ok

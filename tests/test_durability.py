"""Durability and concurrency, for real: crashes, several processes, failing disks, backpressure."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

from openreward_nb import AsyncOpenReward, OpenReward, StoreWriteError, ToolResult, UserMessage

from .helpers import PYTHON, subprocess_env

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


def _contiguous(store: Path) -> dict[str, int]:
    con = sqlite3.connect(store)
    out = {}
    for rid, n, lo, hi in con.execute("SELECT rollout_id, COUNT(*), MIN(idx), MAX(idx) FROM events GROUP BY rollout_id"):
        assert (lo, hi) == (0, n - 1), f"rollout {rid} has gaps: {n} events, idx {lo}..{hi}"
        out[rid] = n
    return out


def test_kill_9_loses_nothing_flushed(tmp_path: Path) -> None:
    store = tmp_path / "crash.sqlite"
    child = subprocess.Popen(
        [PYTHON, "-c", CHILD_LOGGER, str(store)], stdout=subprocess.PIPE, text=True, env=subprocess_env()
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
    counts = _contiguous(store)
    for rid, flushed in last.items():
        assert counts[rid] >= flushed
    reader = OpenReward(store=store)
    assert reader.store.integrity_check() == "ok"
    for rec in reader.runs.get("crash").rollouts():
        assert rec.n_events == counts[rec.id]  # aggregates committed with their events


CHILD_WRITER = r"""
import sys, threading
from openreward_nb import OpenReward, ToolResult, UserMessage
client = OpenReward(store=sys.argv[1])
proc = sys.argv[2]
shared = client.rollout.create("multi", rollout_name=f"shared-{proc}")
def work(t):
    own = client.rollout.create("multi", rollout_name=f"p{proc}-t{t}")
    for i in range(3000):
        own.log(ToolResult(content=f"{proc}/{t}/{i}", call_id=str(i)), reward=1.0)
        shared.log(UserMessage(f"{proc}/{t}/{i}"))
threads = [threading.Thread(target=work, args=(t,)) for t in range(2)]
for t in threads: t.start()
for t in threads: t.join()
client.rollout.close()
"""


def test_four_processes_two_threads_each(tmp_path: Path) -> None:
    store = tmp_path / "multi.sqlite"
    OpenReward(store=store).store  # create the schema once up front
    procs = [
        subprocess.Popen([PYTHON, "-c", CHILD_WRITER, str(store), str(p)], env=subprocess_env()) for p in range(4)
    ]
    for p in procs:
        assert p.wait(timeout=300) == 0
    counts = _contiguous(store)
    reader = OpenReward(store=store)
    recs = {r.rollout_name: r for r in reader.runs.get("multi").rollouts()}
    assert len(recs) == 12
    for p in range(4):
        assert counts[recs[f"shared-{p}"].id] == 6000
        for t in range(2):
            rec = recs[f"p{p}-t{t}"]
            assert counts[rec.id] == 3000 and rec.total_reward == 3000.0
    # each thread's messages arrive in its own order inside the shared rollout
    shared = recs["shared-0"]
    seen = [e.content for e in shared.events()]
    for t in range(2):
        mine = [int(c.split("/")[2]) for c in seen if c.startswith(f"0/{t}/")]
        assert mine == list(range(3000))


def _hold_lock(store: Path, seconds: float) -> subprocess.Popen:
    code = (
        "import sqlite3, sys, time\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('BEGIN EXCLUSIVE')\n"
        "print('locked', flush=True)\n"
        f"time.sleep({seconds})\n"
        "c.execute('COMMIT')\n"
    )
    proc = subprocess.Popen([PYTHON, "-c", code, str(store)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_store_locked_by_another_process(tmp_path: Path) -> None:
    store = tmp_path / "locked.sqlite"
    client = OpenReward(store=store)
    r = client.rollout.create("locked")
    r.log(UserMessage("before"))
    client.rollout.flush()
    holder = _hold_lock(store, 9)
    for i in range(100):
        r.log(UserMessage(str(i)))
    started = time.monotonic()
    with pytest.raises(StoreWriteError, match="locked") as info:
        client.rollout.flush()
    assert time.monotonic() - started < 8.5
    assert "nothing was dropped" in str(info.value)
    holder.wait(timeout=30)
    client.rollout.flush()  # the writer retried; now it gets through
    assert client.rollouts.get(r.id).n_events == 101
    client.close()


@pytest.fixture
def small_fs(tmp_path: Path):
    """A 1 MB tmpfs mount (needs root); yields its path and a function to run mount options."""
    mnt = tmp_path / "fs"
    mnt.mkdir()
    ok = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)], capture_output=True)
    if ok.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {ok.stderr.decode().strip()}")

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
import uuid, openreward_nb.store.sqlite, openreward_nb.records  # everything loaded before giving up root
if os.geteuid() == 0:  # root ignores file permissions: continue as an ordinary user
    os.setgid(65534)
    os.setuid(65534)
path = sys.argv[1]
client = OpenReward(store=path)
client.rollout._writer.idle_close_after = 0.1
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


def test_backpressure_bounds_the_queue(tmp_path: Path) -> None:
    store = tmp_path / "bp.sqlite"
    client = OpenReward(store=store)
    writer = client.rollout._writer
    writer.max_queue = 500
    r = client.rollout.create("bp")
    r.log(UserMessage("warm"))
    client.rollout.flush()
    holder = _hold_lock(store, 3)
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


def test_heavy_events_are_bounded_by_bytes(tmp_path: Path) -> None:
    store = tmp_path / "heavy.sqlite"
    client = OpenReward(store=store)
    writer = client.rollout._writer
    writer.max_heavy_bytes = 4 * 1024 * 1024
    r = client.rollout.create("heavy")
    r.log(UserMessage("warm"))
    client.rollout.flush()
    holder = _hold_lock(store, 2)
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


def test_async_client_does_not_block_the_event_loop(tmp_path: Path) -> None:
    store = tmp_path / "async.sqlite"

    async def main() -> tuple[int, float]:
        client = AsyncOpenReward(store=store)
        r = client.rollout.create("async")
        r.log(UserMessage("warm"))
        await client.rollout.flush()
        holder = _hold_lock(store, 1.5)
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
    reader = OpenReward(store=store)
    [rec] = list(reader.runs.get("async").rollouts())
    assert rec.n_events == 1001 and rec.status == "finished"


def test_async_close_without_await_still_writes(tmp_path: Path) -> None:
    script = f"""
import asyncio
from openreward_nb import AsyncOpenReward, UserMessage
async def main():
    client = AsyncOpenReward(store={str(tmp_path / 'a.sqlite')!r})
    r = client.rollout.create("noawait")
    for i in range(5000):
        r.log(UserMessage(str(i)))
    client.rollout.close()   # as an SDK script would, without await
asyncio.run(main())
"""
    subprocess.run([PYTHON, "-c", script], check=True, env=subprocess_env(), timeout=120)
    [rec] = list(OpenReward(store=tmp_path / "a.sqlite").runs.get("noawait").rollouts())
    assert rec.n_events == 5000

"""Durability benchmark: what a kill -9 loses while a process logs at a steady rate.

A child process logs the recording benchmark's workload (~1.2 KB events) into a SQLite
store at a paced rate and counts every log call in a shared page; the parent kills it
with SIGKILL at a random moment and compares what was logged with what the store holds.

    events lost   logged before the kill, not in the store
    loss window   from the log call of the newest event the store holds to the kill (ms)

The target (``--check``): a loss window of at most one flush interval plus one batch
commit, the latter measured here first (a full batch of the same events written by the
store's own code). ~75,000 events/s is beyond what SQLite takes on this machine: the log
call then waits (the queue holds one interval of writing), and the window holds.

    python benchmarks/bench_durability.py             # 10,000 and 75,000 events/s, 3 kills each
    python benchmarks/bench_durability.py --quick     # one kill each
"""

from __future__ import annotations

import argparse
import mmap
import os
import random
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _workload import finish, make_pool, workload

import openreward_nb
from openreward_nb.events import event_from_message
from openreward_nb.store.ops import EventOp, RolloutOp, plan_batch
from openreward_nb.store.sqlite import SQLiteStore
from openreward_nb.store.writer import Writer

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent

CHILD = textwrap.dedent(
    """
    import mmap, struct, sys, time
    sys.path[:0] = [{bench!r}, {repo!r}]
    from _workload import make_pool, workload
    import openreward_nb
    store, rate, counter = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    with open(counter, "r+b") as f:
        shared = mmap.mmap(f.fileno(), 8)
    items = [item for rollout in workload(openreward_nb, 20, 1000, make_pool()) for item in rollout]
    client = openreward_nb.OpenReward(store=store)
    rollout = client.rollout.create("durability")
    log, pack = rollout.log, struct.pack_into
    started = time.perf_counter()
    i = 0
    while True:
        msg, reward, _ = items[i % len(items)]
        log(msg, reward=reward)
        i += 1
        pack("q", shared, 0, i)
        if i == 1000:
            print("logging", flush=True)
        if i % 50 == 0:
            ahead = started + i / rate - time.perf_counter()
            if ahead > 0:
                time.sleep(ahead)
    """
)


def batch_commit_s(folder: Path, batch_size: int) -> float:
    """Seconds to plan and commit one full batch of the workload's events (median of 5), as the writer does."""
    store = SQLiteStore(folder / "commit.sqlite")
    items = [item for rollout in workload(openreward_nb, 10, 1000, make_pool()) for item in rollout]
    conn = store.connect()
    store.write(conn, plan_batch([RolloutOp("r", "run", None, None, None, None, None, None, None, None, 0.0)], {}))
    times = []
    for attempt in range(5):
        start = attempt * batch_size
        ops = [
            EventOp("r", start + i, time.time(), event_from_message(msg), reward, False, None)
            for i, (msg, reward, _) in enumerate(items[:batch_size])
        ]
        began = time.perf_counter()
        store.write(conn, plan_batch(ops, {}))
        times.append(time.perf_counter() - began)
    conn.close()
    return statistics.median(times)


def kill_once(folder: Path, rate: float, attempt: int, repo: Path = REPO) -> dict[str, float]:
    """Log at ``rate`` in a child (recording with the checkout at ``repo``), kill it with SIGKILL after 1-2 s;
    what was lost."""
    store = folder / f"kill-{int(rate)}-{attempt}.sqlite"
    counter = folder / f"counter-{int(rate)}-{attempt}"
    counter.write_bytes(b"\0" * 8)
    code = CHILD.format(bench=str(BENCH), repo=str(repo))
    child = subprocess.Popen([sys.executable, "-c", code, str(store), str(rate), str(counter)], stdout=subprocess.PIPE)
    try:
        line = child.stdout.readline() if child.stdout else b""
        if line.strip() != b"logging":
            raise RuntimeError(f"the logging child did not start: {line!r}")
        started = time.time()
        time.sleep(random.uniform(1.0, 2.0))
        killed_at = time.time()
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    with open(counter, "r+b") as f:
        logged = struct.unpack_from("q", mmap.mmap(f.fileno(), 8))[0]
    source = SQLiteStore(store)
    held, newest = source.query("SELECT COUNT(*), MAX(ts) FROM events")[0]
    return {
        "logged": logged,
        "held": held,
        "lost": logged - held,
        "window_ms": (killed_at - newest) * 1000,
        "rate": logged / (killed_at - started + 1000 / rate),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rates", type=float, nargs="+", default=[10_000, 75_000], help="events/s to log at")
    parser.add_argument("--kills", type=int, default=3, help="kills per rate")
    parser.add_argument("--quick", action="store_true", help="one kill per rate")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--code", type=Path, default=REPO, help="record with this checkout (to compare another)")
    args = parser.parse_args()
    kills = 1 if args.quick else args.kills
    writer_defaults = Writer.__init__.__kwdefaults__ or {}
    interval, batch_size = writer_defaults["interval"], writer_defaults["batch_size"]
    results: dict[str, object] = {"interval_s": interval}
    checks: list[tuple[str, bool]] = []
    with tempfile.TemporaryDirectory(prefix="orbnb-durability-") as tmp:
        folder = Path(tmp)
        commit = batch_commit_s(folder, batch_size)
        target_ms = (interval + commit) * 1000
        results["batch_commit_ms"] = commit * 1000
        print(f"\ndurability benchmark: kill -9 while logging ~1.2 KB events into SQLite, {kills} kill(s) per rate\n")
        print(
            f"  flush interval {interval * 1000:.0f} ms, one batch commit ({batch_size:,} events) {commit * 1000:.0f} ms"
        )
        print(f"  target: loss window <= {target_ms:.0f} ms (interval + one batch commit)\n")
        for rate in args.rates:
            runs = [kill_once(folder, rate, k, args.code) for k in range(kills)]
            results[f"rate_{int(rate)}"] = runs
            worst = max(runs, key=lambda r: r["window_ms"])
            for r in runs:
                print(
                    f"  asked {rate:8,.0f}/s  logged {r['rate']:8,.0f}/s   {r['logged']:9,} logged  "
                    f"{r['lost']:7,} lost   loss window {r['window_ms']:6.0f} ms  ({r['window_ms'] / target_ms:4.2f} of target)"
                )
            checks.append(
                (f"loss window at {rate:,.0f}/s <= interval + one batch commit", worst["window_ms"] <= target_ms)
            )
    return finish(checks, results, args)


if __name__ == "__main__":
    sys.exit(main())

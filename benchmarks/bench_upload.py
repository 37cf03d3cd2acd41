"""Upload benchmark: events/s to a local ``openreward-nb serve``, ours beside the OpenReward SDK, and losses under faults.

Throughput: the same workload (100 rollouts x 1,000 events of ~1.2 KB) reaches the same
local server (a child process, SQLite store) once through ``client.sync()`` of a store it
was recorded into, once recorded with ``OpenReward(upload=True)`` (recording and upload
together), and once through the SDK (0.1.167) logging it, each timed until the server has
committed every event. Faults: the SDK and ours against the shared loopback collector
(``tools/openreward_collector.py``) with each fault the issue lists; ours is
counted after its own upload ends, and again after one later ``sync`` once the fault is over.
In the fault runs each client logs its events a few milliseconds apart, as an agent would.

    python benchmarks/bench_upload.py            # 100,000 events, all fault scenarios
    python benchmarks/bench_upload.py --quick    # 2,000 events, one fault scenario
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _workload import Collector, finish, free_port, make_pool, workload

import openreward_nb
from openreward_nb.upload.foreground import upload_now
from openreward_nb.upload.target import Target

KEY = "bench-key"
REPO = Path(__file__).resolve().parent.parent


class Server:
    """``openreward-nb serve`` in a child process, on a free loopback port."""

    def __init__(self, store: Path) -> None:
        self.store = store
        self.port = free_port()
        env = dict(os.environ, PYTHONPATH=str(REPO))
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "openreward_nb",
                "--store",
                str(store),
                "serve",
                "--port",
                str(self.port),
                "--api-key",
                KEY,
            ],
            stdout=subprocess.DEVNULL,
            env=env,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{self.url}/healthz", timeout=1).read()
                return
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("openreward-nb serve did not start") from None
                time.sleep(0.05)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def events(self, run: str) -> int:
        con = sqlite3.connect(self.store)
        try:
            row = con.execute("SELECT COALESCE(SUM(n_events), 0) FROM rollouts WHERE run_name = ?", (run,)).fetchone()
            return int(row[0])
        finally:
            con.close()

    def wait_for(self, run: str, n: int, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        count = self.events(run)
        while count < n and time.monotonic() < deadline:
            time.sleep(0.02)
            count = self.events(run)
        return count

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def record(client: Any, work: list, run: str) -> None:
    for r, items in enumerate(work):
        rollout = client.rollout.create(run_name=run, rollout_name=f"r{r}", environment="bench/Env")
        log = rollout.log
        for msg, reward, finished in items:
            log(msg, reward=reward, is_finished=finished)


def ours_sync(folder: Path, server: Server, work: list, attempt: int) -> float:
    """Record into a fresh store (untimed), then time client.sync() until the server has everything."""
    run = f"ours-sync-{attempt}"
    client = openreward_nb.OpenReward(store=folder / f"sync-{attempt}.sqlite")
    record(client, work, run)
    client.rollout.close()
    total = sum(map(len, work))
    start = time.perf_counter()
    result = upload_now(client.store, Target(server.url, KEY), progress=False)
    elapsed = time.perf_counter() - start
    assert result.ok and result.sent == total and server.events(run) == total, (result, server.events(run))
    return total / elapsed


def ours_live(folder: Path, server: Server, work: list, attempt: int) -> float:
    """Record with upload=True and close: recording and upload together, until the server has everything."""
    run = f"ours-live-{attempt}"
    os.environ.update(OPENREWARD_API_URL=server.url, OPENREWARD_API_KEY=KEY)
    total = sum(map(len, work))
    start = time.perf_counter()
    client = openreward_nb.OpenReward(store=folder / f"live-{attempt}.sqlite", upload=True)
    record(client, work, run)
    client.rollout.close()
    elapsed = time.perf_counter() - start
    assert server.events(run) == total
    return total / elapsed


def sdk_upload(server: Server, work: list, attempt: int) -> tuple[float, int]:
    """The SDK logging the workload, until the server has every event (or stops getting more)."""
    import openreward

    run = f"sdk-{attempt}"
    os.environ.update(OPENREWARD_API_URL=server.url, OPENREWARD_API_KEY=KEY, OPENREWARD_DISABLE_UPDATE_CHECK="1")
    total = sum(map(len, work))
    start = time.perf_counter()
    client = openreward.OpenReward()
    record(client, work, run)
    client.rollout.close()
    received = server.wait_for(run, total, timeout=120)
    return received / (time.perf_counter() - start), received


# --- faults -------------------------------------------------------------------------------
FAULTS: dict[str, list[str]] = {
    "30% of POSTs answered 500": ["--fail-rate", "0.3"],
    "5 s outage": ["--down-from", "2", "--down-for", "5"],
    "server down throughout": ["--down-from", "0", "--down-for", "40"],
    "accepts, never answers (20 s)": ["--down-mode", "hang", "--down-from", "0", "--down-for", "20"],
    "slow server (12 s a message POST)": ["--latency-ms", "12000", "--latency-scope", "messages"],
}
#: seconds between two logged events in the fault runs: an agent at work, not a bulk load
PACE_S = 0.004
QUICK_FAULTS = ("30% of POSTs answered 500",)

CHILD = textwrap.dedent(
    """
    import json, os, sys, time
    sys.path[:0] = [{bench!r}, {repo!r}]
    from _workload import make_pool, workload
    kind, rollouts, events, store, pace = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], float(sys.argv[5])
    if kind == "sdk":
        import openreward as module
        client = module.OpenReward()
    else:
        import openreward_nb as module
        client = module.OpenReward(store=store, upload=True)
    work = workload(module, rollouts, events, make_pool())
    t0 = time.perf_counter()
    create_s = 0.0
    for r, items in enumerate(work):
        c0 = time.perf_counter()
        rollout = client.rollout.create(run_name="faults", rollout_name=f"r{{r}}")
        create_s = max(create_s, time.perf_counter() - c0)
        for msg, reward, finished in items:
            rollout.log(msg, reward=reward, is_finished=finished)
            time.sleep(pace)
    logged_s = time.perf_counter() - t0
    client.rollout.close()
    print(json.dumps({{"logged_s": logged_s, "closed_s": time.perf_counter() - t0, "max_create_s": create_s}}), flush=True)
    """
)


def run_child(kind: str, collector: Collector, rollouts: int, events: int, store: Path, cap: float) -> dict:
    """One client in a child process against the collector; killed after ``cap`` seconds."""
    env = dict(
        os.environ, OPENREWARD_API_URL=collector.url, OPENREWARD_API_KEY=KEY, OPENREWARD_DISABLE_UPDATE_CHECK="1"
    )
    code = CHILD.format(bench=str(Path(__file__).resolve().parent), repo=str(REPO))
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code, kind, str(rollouts), str(events), str(store), str(PACE_S)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    try:
        out, _ = proc.communicate(timeout=cap)
        info = json.loads(out.strip().splitlines()[-1]) if out.strip() else {}
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        info = {"killed_after_s": cap}
    info["wall_s"] = time.perf_counter() - start
    return info


def fault_scenario(name: str, extra: list[str], rollouts: int, events: int, folder: Path) -> dict[str, Any]:
    total = rollouts * events
    out: dict[str, Any] = {"fault": name, "events": total}
    cap = 90.0
    with Collector(*extra) as collector:
        sdk = run_child("sdk", collector, rollouts, events, folder / "unused.sqlite", cap)
        time.sleep(1.0)
        s = collector.stats()
        out["sdk"] = {**sdk, "received": s.get("messages_unique", 0), "duplicates": s["duplicates"].get("message", 0)}
    with Collector(*extra) as collector:
        store = folder / f"faults-{abs(hash(name))}.sqlite"
        ours = run_child("ours", collector, rollouts, events, store, cap)
        first = collector.stats().get("messages_unique", 0)
        down_for = float(extra[extra.index("--down-for") + 1]) if "--down-for" in extra else 0.0
        wait = max(0.0, down_for - ours["wall_s"]) + 0.5
        time.sleep(wait)  # the fault is over: one later sync, as a user would run it
        again = upload_now(
            openreward_nb.OpenReward(store=store).store, Target(collector.url, KEY), progress=False, give_up_after=60
        )
        s = collector.stats()
        out["ours"] = {
            **ours,
            "received_first": first,
            "received": s.get("messages_unique", 0),
            "duplicates": s["duplicates"].get("message", 0),
            "gaps": s["rollouts_with_index_gaps"],
            "later_sync_sent": again.sent,
        }
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rollouts", type=int, default=100)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="10 rollouts x 200 events, one fault scenario")
    parser.add_argument("--no-faults", action="store_true", help="throughput only")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    if args.quick:
        args.rollouts, args.events = 10, 200
    import openreward

    pool = make_pool()
    ours_work = workload(openreward_nb, args.rollouts, args.events, pool)
    sdk_work = workload(openreward, args.rollouts, args.events, pool)
    res: dict[str, Any] = {"events": args.rollouts * args.events}
    with tempfile.TemporaryDirectory(prefix="orbnb-upload-") as tmp:
        folder = Path(tmp)
        server = Server(folder / "server.sqlite")
        try:
            sdk_rates, sync_rates, live_rates = [], [], []
            for attempt in range(2):  # interleaved, best of two each
                rate, received = sdk_upload(server, sdk_work, attempt)
                sdk_rates.append(rate)
                res["sdk_received"] = received
                sync_rates.append(ours_sync(folder, server, ours_work, attempt))
                live_rates.append(ours_live(folder, server, ours_work, attempt))
            res.update(
                sdk_events_per_s=max(sdk_rates),
                ours_sync_events_per_s=max(sync_rates),
                ours_live_events_per_s=max(live_rates),
            )
        finally:
            server.close()
        if not args.no_faults:
            names = QUICK_FAULTS if args.quick else tuple(FAULTS)
            f_rollouts, f_events = (10, 50) if args.quick else (20, 100)
            res["faults"] = [fault_scenario(n, FAULTS[n], f_rollouts, f_events, folder) for n in names]
    return report(res, args)


def report(res: dict[str, Any], args: argparse.Namespace) -> int:
    n = res["events"]
    sdk, sync, live = res["sdk_events_per_s"], res["ours_sync_events_per_s"], res["ours_live_events_per_s"]
    print(f"\nupload benchmark: {n:,} events (~1.2 KB each) to a local `openreward-nb serve` (SQLite)\n")
    print(f"  SDK, logging and uploading          {sdk:10,.0f} events/s   (server got {res['sdk_received']:,})")
    print(f"  ours, client.sync() of the store    {sync:10,.0f} events/s   ours/SDK {sync / sdk:5.1f}x (target >= 2x)")
    print(f"  ours, recording with upload=True    {live:10,.0f} events/s   ours/SDK {live / sdk:5.1f}x")
    checks = [(">= 2x the SDK's events/s (sync)", sync / sdk >= 2), ("SDK run complete", res["sdk_received"] == n)]
    for f in res.get("faults", []):
        s, o = f["sdk"], f["ours"]
        lost_sdk = f["events"] - s["received"]
        lost_ours = f["events"] - o["received"]
        blocked = f"; killed after {s['killed_after_s']:.0f} s" if "killed_after_s" in s else ""
        print(f"\n  fault: {f['fault']} ({f['events']:,} events)")
        print(
            f"    SDK   received {s['received']:6,}  lost {lost_sdk:6,} ({100 * lost_sdk / f['events']:5.1f}%)"
            f"  longest create() {s.get('max_create_s', float('nan')):6.2f} s  close after {s.get('closed_s', float('nan')):6.2f} s{blocked}"
        )
        print(
            f"    ours  received {o['received_first']:6,} during its run, {o['received']:6,} after one later sync"
            f" (sent {o['later_sync_sent']:,});  lost {lost_ours}, duplicates {o['duplicates']}, index gaps {o['gaps']};"
            f"  recording took {o.get('logged_s', float('nan')):.2f} s"
        )
        checks.append((f"ours loses nothing: {f['fault']}", lost_ours == 0 and o["duplicates"] == 0 and o["gaps"] == 0))
    return finish(checks, res, args)


if __name__ == "__main__":
    sys.exit(main())

"""Upload benchmark: events/s and memory uploading to a local ``openreward-nb serve``, ours beside the OpenReward SDK.

Throughput: the same workload (100 rollouts x 1,000 events of ~1.2 KB) reaches the same
local server (a child process, SQLite store) once recorded with ``OpenReward(upload=True)``
(recording and upload together, timed until close() returns: like for like with the SDK),
once through ``client.sync()`` of a store it was recorded into beforehand, and once
through the SDK (0.1.167) logging it, each timed until the server has committed every
event. Memory: a fresh process records the workload with upload on (ours, and the SDK);
the growth of its peak RSS from after its imports and workload to after close(), and ours
again for a quarter of the run (a bound that does not grow with the run's length). "Its
imports" include the HTTP stack on both sides: ``import openreward`` loads the SDK's, ours is
loaded on the first upload, so the child imports it before the baseline (and prints its cost, and
any package either side still imports after the baseline).
Faults and broken servers: ``bench_upload_faults.py``.

    python benchmarks/bench_upload.py            # 100,000 events
    python benchmarks/bench_upload.py --quick    # 2,000 events (the figures, not the targets)
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

from _workload import finish, free_port, make_pool, workload

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


# --- memory ---------------------------------------------------------------------------------
MEMORY_CHILD = textwrap.dedent(
    """
    import json, os, sys
    sys.path[:0] = [{bench!r}, {repo!r}]
    from _workload import make_pool, workload
    kind, rollouts, events, store = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    if kind == "sdk":
        import openreward as module
    else:
        import openreward_nb as module
    work = workload(module, rollouts, events, make_pool())  # built before the baseline: it is the caller's data

    def mb(key):
        return int(open("/proc/self/status").read().split(key + ":")[1].split()[0]) / 1024

    loaded = mb("VmRSS")
    if kind != "sdk":  # `import openreward` loads the SDK's HTTP stack; ours loads on the first upload: load it here
        import openreward_nb.store.rescue, openreward_nb.upload.background, openreward_nb.upload.transport
        import httpcore2, anyio._backends._asyncio, sniffio  # what httpx2 imports on its first request
    before = set(sys.modules)
    base = mb("VmRSS")
    client = module.OpenReward() if kind == "sdk" else module.OpenReward(store=store, upload=kind == "ours")
    for r, items in enumerate(work):
        rollout = client.rollout.create(run_name=f"mem-{{kind}}-{{rollouts}}", rollout_name=f"r{{r}}", environment="bench/Env")
        for msg, reward, finished in items:
            rollout.log(msg, reward=reward, is_finished=finished)
    client.rollout.close()
    late = sorted({{name.split(".")[0] for name in set(sys.modules) - before}})
    print(json.dumps({{"grew_mb": mb("VmHWM") - base, "code_mb": base - loaded, "late": late}}))
    """
)


def memory_growth(
    kind: str, server: Server, rollouts: int, events: int, folder: Path
) -> tuple[float, float, list[str]]:
    """Peak RSS growth (MB) of a fresh process recording ``rollouts x events`` with upload to ``server``
    (``kind``: "sdk", "ours", or "recording": ours without upload), from after its imports and workload
    to after close(); what loading our upload code took (imported before the baseline, as
    ``import openreward`` loads the SDK's: 0 for the SDK); and the packages first imported after the
    baseline (code counted as growth: none, when both sides are loaded alike)."""
    env = dict(os.environ, OPENREWARD_API_URL=server.url, OPENREWARD_API_KEY=KEY, OPENREWARD_DISABLE_UPDATE_CHECK="1")
    code = MEMORY_CHILD.format(bench=str(Path(__file__).resolve().parent), repo=str(REPO))
    store = folder / f"mem-{kind}-{rollouts}.sqlite"
    out = subprocess.run(
        [sys.executable, "-c", code, kind, str(rollouts), str(events), str(store)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=600,
    )
    found = json.loads(out.stdout.strip().splitlines()[-1])
    return float(found["grew_mb"]), float(found["code_mb"]), list(found["late"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rollouts", type=int, default=100)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="10 rollouts x 200 events")
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
            quarter = max(1, args.rollouts // 4)
            res["sdk_memory_mb"], _, res["sdk_late_imports"] = memory_growth(
                "sdk", server, args.rollouts, args.events, folder
            )
            res["ours_memory_mb"], res["ours_code_mb"], res["ours_late_imports"] = memory_growth(
                "ours", server, args.rollouts, args.events, folder
            )
            res["ours_memory_quarter_mb"] = memory_growth("ours", server, quarter, args.events, folder)[0]
            res["ours_recording_mb"] = memory_growth("recording", server, args.rollouts, args.events, folder)[0]
        finally:
            server.close()
    return report(res, args)


#: the targets (issue 22): upload events/s against the SDK's, memory growth against the SDK's
SPEED_TARGET = 2.5
MEMORY_TARGET = 1.25


def report(res: dict[str, Any], args: argparse.Namespace) -> int:
    n = res["events"]
    sdk, sync, live = res["sdk_events_per_s"], res["ours_sync_events_per_s"], res["ours_live_events_per_s"]
    sdk_mb, ours_mb, quarter_mb = res["sdk_memory_mb"], res["ours_memory_mb"], res["ours_memory_quarter_mb"]
    print(f"\nupload benchmark: {n:,} events (~1.2 KB each) to a local `openreward-nb serve` (SQLite)\n")
    print(f"  SDK, logging and uploading          {sdk:10,.0f} events/s   (server got {res['sdk_received']:,})")
    print(f"  ours, recording with upload=True    {live:10,.0f} events/s   ours/SDK {live / sdk:5.1f}x (like for like)")
    print(f"  ours, client.sync() of the store    {sync:10,.0f} events/s   ours/SDK {sync / sdk:5.1f}x")
    print("\n  memory: peak RSS growth recording with upload on (after imports and workload, to after close)")
    print(f"  SDK                                 {sdk_mb:10.0f} MB")
    print(f"  ours                                {ours_mb:10.0f} MB         ours/SDK {ours_mb / sdk_mb:5.2f}x")
    print(
        f"  (ours, loading the upload code       {res['ours_code_mb']:10.0f} MB         before the baseline, like the SDK's import)"
    )
    print(
        f"  ours, a quarter of the run          {quarter_mb:10.0f} MB         full/quarter {ours_mb / quarter_mb:5.2f}x"
    )
    print(f"  ours, recording alone (no upload)   {res['ours_recording_mb']:10.0f} MB         the store's part of it")
    late = {side: ", ".join(res[f"{side}_late_imports"]) or "none" for side in ("sdk", "ours")}
    print(f"  packages first imported after the baseline: SDK {late['sdk']}; ours {late['ours']}")
    checks = [
        (f">= {SPEED_TARGET}x the SDK's events/s, recording with upload=True", live / sdk >= SPEED_TARGET),
        (f">= {SPEED_TARGET}x the SDK's events/s, client.sync()", sync / sdk >= SPEED_TARGET),
        (f"memory growth <= {MEMORY_TARGET}x the SDK's", ours_mb <= MEMORY_TARGET * sdk_mb),
        ("memory bounded: the full run grows <= 1.25x a quarter of it (+5 MB)", ours_mb <= 1.25 * quarter_mb + 5),
        ("SDK run complete", res["sdk_received"] == n),
    ]
    if args.quick:
        print("\n  --quick: figures only; the targets are for the full run")
        checks = [(name, True) for name, _ in checks[-1:]]
    return finish(checks, res, args)


if __name__ == "__main__":
    sys.exit(main())

"""Upload fault benchmark: ours beside the OpenReward SDK against faulty and broken servers (the loopback collector).

Faults (``tools/openreward_collector.py``): batches answered 500, an outage, a server down
throughout, one that never answers, a slow one. Each client logs its events a few
milliseconds apart, as an agent would, in a child process; ours is counted after its own
upload ends and again after one later ``sync`` once the fault is over.

Broken servers: one that sends one byte every 5 s, one that accepts and never answers,
and one whose every answer is 400 MB (status 200, then 500). For each: the seconds
``close()`` (with upload on) and ``client.sync()`` (defaults) take to return, the peak RSS
growth of the process, and the events pending in our store or lost; the SDK's close and
losses beside. Ours must return within its documented bounds, read little, lose nothing.

    python benchmarks/bench_upload_faults.py            # every scenario
    python benchmarks/bench_upload_faults.py --quick    # one of each kind
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _workload import Collector, finish

import openreward_nb
from openreward_nb.upload.background import CLOSE_TIME_LIMIT_S
from openreward_nb.upload.foreground import upload_now
from openreward_nb.upload.model import UploadOptions
from openreward_nb.upload.target import Target

KEY = "bench-key"
REPO = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent

FAULTS: dict[str, list[str]] = {
    "30% of POSTs answered 500": ["--fail-rate", "0.3"],
    "5 s outage": ["--down-from", "2", "--down-for", "5"],
    "server down throughout": ["--down-from", "0", "--down-for", "40"],
    "accepts, never answers (20 s)": ["--down-mode", "hang", "--down-from", "0", "--down-for", "20"],
    "slow server (12 s a message POST)": ["--latency-ms", "12000", "--latency-scope", "messages"],
}
BROKEN: dict[str, list[str]] = {
    "one byte every 5 s": ["--drip-s", "5"],
    "accepts, never answers": ["--down-mode", "hang", "--down-from", "0", "--down-for", "900"],
    "400 MB answers (200)": ["--huge-reply-mb", "400", "--huge-status", "200"],
    "400 MB answers (500)": ["--huge-reply-mb", "400", "--huge-status", "500"],
}
QUICK = ("30% of POSTs answered 500", "one byte every 5 s")
#: seconds between two logged events: an agent at work, not a bulk load
PACE_S = 0.004
#: what sync() may take at most with its defaults: give_up_after plus one request deadline
SYNC_BOUND_S = 30.0 + UploadOptions().timeout
#: the most a process may grow against a broken server (the answers it reads are bounded)
RSS_BOUND_MB = 100.0

CHILD = textwrap.dedent(
    """
    import json, os, sys, time
    sys.path[:0] = [{bench!r}, {repo!r}]
    from _workload import make_pool, workload
    kind, rollouts, events, store, pace = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], float(sys.argv[5])

    def mb(key):
        return int(open("/proc/self/status").read().split(key + ":")[1].split()[0]) / 1024

    if kind == "sdk":
        import openreward as module
        client = module.OpenReward()
    else:
        import openreward_nb as module
        client = module.OpenReward(store=store, upload=kind == "ours")
    work = workload(module, rollouts, events, make_pool())
    base = mb("VmRSS")
    t0 = time.perf_counter()
    create_s = 0.0
    for r, items in enumerate(work):
        c0 = time.perf_counter()
        rollout = client.rollout.create(run_name="faults", rollout_name=f"r{{r}}", environment="bench/Env")
        create_s = max(create_s, time.perf_counter() - c0)
        for msg, reward, finished in items:
            rollout.log(msg, reward=reward, is_finished=finished)
            time.sleep(pace)
    logged_s = time.perf_counter() - t0
    client.rollout.close()
    out = {{"logged_s": logged_s, "close_s": time.perf_counter() - t0 - logged_s, "max_create_s": create_s}}
    if kind == "sync":  # recorded without upload; now one client.sync() with its defaults
        s0 = time.perf_counter()
        client.sync(progress=False)
        out["sync_s"] = time.perf_counter() - s0
    if kind != "sdk":
        from openreward_nb.upload.target import Target
        from openreward_nb.upload.uploader import Uploader
        out["pending"] = Uploader(client.store, Target.resolve()).counts()[0]
    out["grew_mb"] = mb("VmHWM") - base
    print(json.dumps(out), flush=True)
    """
)


def run_child(kind: str, collector: Collector, rollouts: int, events: int, store: Path, cap: float) -> dict:
    """One client (``sdk``; ``ours``: upload=True; ``sync``: record, then sync) in a child process; killed after ``cap`` s."""
    env = dict(
        os.environ, OPENREWARD_API_URL=collector.url, OPENREWARD_API_KEY=KEY, OPENREWARD_DISABLE_UPDATE_CHECK="1"
    )
    code = CHILD.format(bench=str(BENCH), repo=str(REPO))
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


def broken_scenario(name: str, extra: list[str], rollouts: int, events: int, folder: Path) -> dict[str, Any]:
    """The SDK, ours with upload=True, and ours recording then sync(), each against a fresh broken server."""
    out: dict[str, Any] = {"server": name, "events": rollouts * events}
    cap = 150.0
    for kind in ("sdk", "ours", "sync"):
        with Collector(*extra) as collector:
            store = folder / f"broken-{kind}-{abs(hash(name))}.sqlite"
            info = run_child(kind, collector, rollouts, events, store, cap)
            info["received"] = collector.stats().get("messages_unique", 0)
        out[kind] = info
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="one fault and one broken server")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    res: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="orbnb-upload-faults-") as tmp:
        folder = Path(tmp)
        faults = [n for n in FAULTS if not args.quick or n in QUICK]
        f_rollouts, f_events = (10, 50) if args.quick else (20, 100)
        res["faults"] = [fault_scenario(n, FAULTS[n], f_rollouts, f_events, folder) for n in faults]
        broken = [n for n in BROKEN if not args.quick or n in QUICK]
        res["broken"] = [broken_scenario(n, BROKEN[n], 4, 50, folder) for n in broken]
    return report(res, args)


def _s(info: dict[str, Any], key: str) -> str:
    if "killed_after_s" in info:
        return f"killed after {info['killed_after_s']:.0f} s"
    value = info.get(key)
    return "   -" if value is None else f"{value:6.1f} s"


def _mb(info: dict[str, Any]) -> str:
    return "   -" if "grew_mb" not in info else f"{info['grew_mb']:4.0f}"


def report(res: dict[str, Any], args: argparse.Namespace) -> int:
    checks: list[tuple[str, bool]] = []
    print("\nupload fault benchmark: ours beside the SDK against the loopback collector")
    for f in res["faults"]:
        s, o = f["sdk"], f["ours"]
        lost_sdk = f["events"] - s["received"]
        lost_ours = f["events"] - o["received"]
        blocked = f"; killed after {s['killed_after_s']:.0f} s" if "killed_after_s" in s else ""
        print(f"\n  fault: {f['fault']} ({f['events']:,} events)")
        print(
            f"    SDK   received {s['received']:6,}  lost {lost_sdk:6,} ({100 * lost_sdk / f['events']:5.1f}%)"
            f"  longest create() {s.get('max_create_s', float('nan')):6.2f} s{blocked}"
        )
        print(
            f"    ours  received {o['received_first']:6,} during its run, {o['received']:6,} after one later sync"
            f" (sent {o['later_sync_sent']:,});  lost {lost_ours}, duplicates {o['duplicates']}, index gaps {o['gaps']};"
            f"  recording took {o.get('logged_s', float('nan')):.2f} s"
        )
        checks.append((f"ours loses nothing: {f['fault']}", lost_ours == 0 and o["duplicates"] == 0 and o["gaps"] == 0))
    close_bound = CLOSE_TIME_LIMIT_S + 10.0  # the upload's limit, plus the flush and the poll cut short
    for b in res["broken"]:
        n, sdk, ours, sync = b["events"], b["sdk"], b["ours"], b["sync"]
        print(f"\n  broken server: {b['server']} ({n:,} events)")
        print(
            f"    SDK                 close() {_s(sdk, 'close_s')}  sync()    -      peak RSS +{_mb(sdk)} MB"
            f"  received {sdk['received']:4}  lost {n - sdk['received']:4}"
        )
        for label, info, key in (("ours, upload=True", ours, "close_s"), ("ours, then sync()", sync, "sync_s")):
            pending = info.get("pending")
            lost = None if pending is None else n - info["received"] - pending
            shown_close = _s(info, "close_s") if key == "close_s" else "   -    "
            shown_sync = _s(info, "sync_s") if key == "sync_s" else "   -    "
            print(
                f"    {label:19} close() {shown_close}  sync() {shown_sync}  peak RSS +{_mb(info)} MB"
                f"  received {info['received']:4}  pending {pending if pending is not None else '-':>4}  lost {lost}"
            )
        checks += [
            (
                f"ours close() returns within {close_bound:.0f} s: {b['server']}",
                ours.get("close_s", 1e9) <= close_bound,
            ),
            (
                f"ours sync() returns within {SYNC_BOUND_S:.0f} s: {b['server']}",
                sync.get("sync_s", 1e9) <= SYNC_BOUND_S,
            ),
            (
                f"ours peak RSS grows <= {RSS_BOUND_MB:.0f} MB: {b['server']}",
                max(ours.get("grew_mb", 1e9), sync.get("grew_mb", 1e9)) <= RSS_BOUND_MB,
            ),
            (
                f"ours loses nothing (received + pending = all): {b['server']}",
                all(i.get("pending") is not None and i["received"] + i["pending"] >= n for i in (ours, sync)),
            ),
        ]
    return finish(checks, res, args)


if __name__ == "__main__":
    sys.exit(main())

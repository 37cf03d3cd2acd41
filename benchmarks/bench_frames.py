"""Frames benchmark: rollouts_df and events_df of a large store against a bare pandas.read_sql.

Builds a store of 10,000 rollouts x 100 events (1,000,000 events) through the store's own
write path, then times ``rollouts_df`` and ``events_df`` of all of it beside
``pandas.read_sql`` of the same rows (same SQL select list, same file), measures the
peak memory of ``rollouts_df`` (peak RSS growth; tracemalloc for Python objects) and
whether it touches the events table, and streams every event through ``events_arrow``
measuring its peak RSS growth against the largest page it returned. ``--check`` exits 1
when a target is missed.

    python benchmarks/bench_frames.py                 # 10,000 rollouts x 100 events
    python benchmarks/bench_frames.py --quick         # 200 rollouts x 50 events (checks no time or RSS target)
    python benchmarks/bench_frames.py --keep /tmp/b.sqlite   # build once, reuse after
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing as mp
import random
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd
from _workload import _text, finish

from openreward_nb.events import Event, Usage
from openreward_nb.frames import events_arrow, events_df, rollouts_df
from openreward_nb.frames.columns import select_list
from openreward_nb.frames.events import EVENT_COLUMNS
from openreward_nb.frames.rollouts import ROLLOUT_COLUMNS
from openreward_nb.store.location import open_store
from openreward_nb.store.ops import EndOp, EventOp, Op, RolloutOp, dumps, plan_batch
from openreward_nb.store.sqlite import SQLiteStore

RUNS = 10
#: events per page of the events_arrow stream measured (its default)
STREAM_PAGE = 50_000
#: events_arrow's peak RSS growth may reach this many pages' worth of events (the page as read,
#: converted, and the one being read next)
STREAM_PAGES = 4
#: events per page of the stream in a quick run (a few pages of its 10,000 events)
QUICK_STREAM_PAGE = 1_000
#: content sizes (characters) per event type: an average of about 500 per event
SIZES = {"system": 800, "user": 600, "assistant": 400, "reasoning": 300, "args": 150, "result": 800}


def _pool(seed: int = 11, variants: int = 64) -> dict[str, list[str]]:
    rng = random.Random(seed)
    pool = {kind: [_text(rng, size) for _ in range(variants)] for kind, size in SIZES.items()}
    pool["args"] = [json.dumps({"command": text}) for text in pool["args"]]
    return pool


def _rollout_ops(r: int, n_events: int, start: float, pool: dict[str, list[str]]) -> list[Op]:
    """The ops recording one rollout: a system prompt and a user task, then model turns of
    reasoning, text and a tool call, each answered by a tool result carrying a reward."""
    rid = f"{r:08x}-bench-4000-8000-{r:012x}"
    run = f"run-{r % RUNS}"
    creation = RolloutOp(
        rid,
        run,
        f"episode-{r}",
        "bench/CTF" if r % 3 else "bench/Math",
        None,
        "train" if r % 5 else "test",
        dumps({"model": f"model-{r % 4}", "seed": r}),
        dumps({"id": f"task-{r % 500}"}),
        dumps({"model_name": f"model-{r % 4}", "run_type": "train"}),
        dumps({"task_index": r % 500, "current_step": r // (RUNS * 10)}),
        start,
    )
    ops: list[Op] = [creation]
    usage = Usage(input_tokens=1200, output_tokens=180, reasoning_tokens=60, cached_tokens=800)
    for i in range(n_events):
        v = (r + i) % 64
        step = (i - 2) % 4
        reward = None
        if i == 0:
            ev = Event("system_message", pool["system"][v])
        elif i == 1:
            ev = Event("user_message", pool["user"][v])
        elif step == 0:
            ev = Event("reasoning", pool["reasoning"][v], model="bench-model")
        elif step == 1:
            ev = Event(
                "assistant_message",
                pool["assistant"][v],
                model="bench-model",
                usage=usage,
                latency_ms=850.0,
                stop_reason="tool_use",
            )
        elif step == 2:
            ev = Event("tool_call", pool["args"][v], name="bash", call_id=f"call_{i}")
        else:
            ev = Event("tool_result", pool["result"][v], call_id=f"call_{i - 1}", is_error=i % 7 == 0)
            reward = 0.1
        metadata = {"turn": i // 4} if i % 10 == 0 else None
        ops.append(EventOp(rid, i, start + i * 0.5, ev, reward, i == n_events - 1, metadata))
    ops.append(EndOp(rid, "finished", None, start + n_events * 0.5))
    return ops


def build_store(path: Path | str, rollouts: int, n_events: int) -> float:
    """Record the workload into a new store at ``path`` (a SQLite file or a PostgreSQL URL) in
    large batches; returns seconds taken."""
    begin = time.perf_counter()
    store = open_store(str(path))
    pool = _pool()
    conn = store.connect()
    if isinstance(store, SQLiteStore):
        conn.execute("PRAGMA synchronous=OFF")  # a throw-away store: durability is not under test
    side: dict[str, bool] = {}
    ops: list[Op] = []
    t0 = time.time() - rollouts * 60
    for r in range(rollouts):
        ops.extend(_rollout_ops(r, n_events, t0 + r * 60, pool))
        if len(ops) >= 50_000 or r == rollouts - 1:
            plan = plan_batch(ops, side)
            store.write(conn, plan)
            side.update(plan.side)
            ops = []
    conn.close()
    return time.perf_counter() - begin


def best_of(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Fastest wall time of ``repeats`` calls, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeats):
        result = None
        gc.collect()
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def _frame_mb(frame: pd.DataFrame) -> float:
    return int(frame.memory_usage(deep=True).sum()) / 2**20


def best_pair(ours: Callable[[], pd.DataFrame], baseline: Callable[[], pd.DataFrame], repeats: int) -> dict[str, float]:
    """Fastest wall times of two readers called in turn (so both meet the same machine load),
    with the rows and size of what each returned."""
    out = {"ours_s": float("inf"), "base_s": float("inf")}
    for _ in range(repeats):
        for name, fn in (("base", baseline), ("ours", ours)):
            seconds, frame = best_of(fn, 1)
            out[f"{name}_s"] = min(out[f"{name}_s"], seconds)
            out["rows"], out[f"{name}_mb"] = len(frame), _frame_mb(frame)
            del frame
    return out


def _vm_kb(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def rollouts_memory(store: SQLiteStore) -> tuple[float, float, list[str]]:
    """rollouts_df of all rollouts: growth of peak RSS (MB, Python and Arrow memory alike), peak
    Python allocations (MB, tracemalloc), and the tables its queries named."""
    statements: list[str] = []
    store.close_reader()
    store.reader().set_trace_callback(statements.append)
    gc.collect()
    with open("/proc/self/clear_refs", "w") as f:  # reset the peak RSS to the current RSS
        f.write("5")
    before = _vm_kb("VmRSS")
    frame = rollouts_df(store=store)
    rss_peak = (_vm_kb("VmHWM") - before) / 1024
    del frame
    gc.collect()
    tracemalloc.start()
    rollouts_df(store=store)
    traced_peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    store.reader().set_trace_callback(None)
    tables = sorted({t for t in ("runs", "rollouts", "events", "blobs") for s in statements if f" {t} " in f" {s} "})
    return rss_peak, traced_peak, tables


def reset_peak_rss() -> int:
    """Make the peak RSS this process reports its current RSS (Linux), and return that, in KB."""
    gc.collect()
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    return _vm_kb("VmRSS")


def stream_memory(store: Path | str, page_size: int) -> dict[str, float]:
    """Every event through ``events_arrow`` in pages of ``page_size``, each batch dropped once counted,
    in a fresh process (memory freed by earlier reads stays resident here, and would hide the growth):
    the growth of its peak RSS (MB; the SQLite driver's child is not counted), the Arrow bytes of
    all the batches, of the largest and of a page's worth of events (MB)."""
    with mp.get_context("spawn").Pool(1) as pool:
        return pool.apply(_stream, (str(store), page_size))


def _stream(store: str, page_size: int) -> dict[str, float]:
    events_arrow(store=store, rollout_id=[]).read_all()  # warm (imports, driver) on no events
    before = reset_peak_rss()
    start = time.perf_counter()
    rows = total = largest = 0
    for batch in events_arrow(store=store, page_size=page_size):
        rows += batch.num_rows
        total += batch.nbytes
        largest = max(largest, batch.nbytes)
        del batch
    return {
        "rows": rows,
        "seconds": time.perf_counter() - start,
        "rss_peak_mb": (_vm_kb("VmHWM") - before) / 1024,
        "total_mb": total / 2**20,
        "batch_mb": largest / 2**20,
        "page_mb": total / max(rows, 1) * page_size / 2**20,  # what a page of events holds in Arrow
        "page_size": page_size,
    }


def measure(path: Path, repeats: int, stream_page: int) -> dict[str, Any]:
    store = SQLiteStore(path)
    con = sqlite3.connect(path)
    res: dict[str, Any] = {}
    res["rollouts_rss_peak_mb"], res["rollouts_traced_peak_mb"], res["rollouts_tables"] = rollouts_memory(store)
    ro_sql = f"SELECT {select_list(ROLLOUT_COLUMNS)} FROM rollouts r ORDER BY r.seq"
    ev_sql = (
        f"SELECT {select_list(EVENT_COLUMNS)} FROM rollouts r JOIN events e ON e.rollout_id = r.id "
        "ORDER BY r.seq, e.idx"
    )
    rollout_repeats = max(repeats, 9)  # rollouts_df takes well under a second: more tries, steadier ratio
    res["rollouts"] = best_pair(lambda: rollouts_df(store=store), lambda: pd.read_sql(ro_sql, con), rollout_repeats)
    res["events_fetch_s"], _ = best_of(lambda: len(con.execute(ev_sql).fetchall()), repeats)
    res["events"] = best_pair(lambda: events_df(store=store), lambda: pd.read_sql(ev_sql, con), repeats)
    con.close()
    res["stream"] = stream_memory(path, stream_page)
    return res


def stream_line(stream: dict[str, float]) -> float:
    """Print the events_arrow figures; return its peak RSS growth in pages."""
    ratio = stream["rss_peak_mb"] / stream["page_mb"]
    print(
        f"  events_arrow    {stream['seconds']:7.3f} s   {stream['rows']:,} events in pages of {stream['page_size']:,}: "
        f"peak RSS +{stream['rss_peak_mb']:.0f} MB, a page {stream['page_mb']:.1f} MB (largest batch "
        f"{stream['batch_mb']:.1f} MB, all {stream['total_mb']:,.0f} MB), ratio {ratio:4.2f} (target <= {STREAM_PAGES})"
    )
    return ratio


def report(res: dict[str, Any], args: argparse.Namespace) -> int:
    ro, ev, stream = res["rollouts"], res["events"], res["stream"]
    ro_ratio, ev_ratio = ro["ours_s"] / ro["base_s"], ev["ours_s"] / ev["base_s"]
    built = f"store built in {res['build_s']:.1f} s" if res["build_s"] else "store reused"
    print(f"\nframes benchmark: {ro['rows']:,} rollouts, {ev['rows']:,} events ({built})\n")
    print(
        f"  rollouts_df     {ro['ours_s']:7.3f} s   read_sql {ro['base_s']:7.3f} s   ratio {ro_ratio:5.2f} (target <= 1.5)"
    )
    print(
        f"  rollouts_df peak memory +{res['rollouts_rss_peak_mb']:.1f} MB RSS, "
        f"{res['rollouts_traced_peak_mb']:.1f} MB traced (target < 300); tables read: {', '.join(res['rollouts_tables'])}"
    )
    print(
        f"  events_df       {ev['ours_s']:7.3f} s   read_sql {ev['base_s']:7.3f} s   ratio {ev_ratio:5.2f} (target <= 1.5)"
    )
    print(f"  events fetch alone (sqlite3 fetchall of the same rows, no pandas) {res['events_fetch_s']:7.3f} s")
    print(f"  frame size: events_df {ev['ours_mb']:,.0f} MB, read_sql {ev['base_mb']:,.0f} MB")
    stream_ratio = stream_line(stream)
    checks = [
        ("rollouts_df does not read events", "events" not in res["rollouts_tables"]),
        ("rollouts_df peak memory < 300 MB", max(res["rollouts_rss_peak_mb"], res["rollouts_traced_peak_mb"]) < 300),
        ("events_arrow streams every event", stream["rows"] == ev["rows"]),
    ]
    full = [  # times and RSS are noise at a quick run's size
        ("rollouts_df within 1.5x of read_sql", ro_ratio <= 1.5),
        ("events_df within 1.5x of read_sql", ev_ratio <= 1.5),
        ("rollouts_df <= 0.3 s", ro["ours_s"] <= 0.3),
        ("events_df <= 6 s", ev["ours_s"] <= 6.0),
        (f"events_arrow peak RSS <= {STREAM_PAGES} pages", stream_ratio <= STREAM_PAGES),
    ]
    if args.quick:
        print(f"\n  quick run: not checked (too small to measure): {'; '.join(name for name, _ in full)}")
    else:
        checks += full
    return finish(checks, res, args)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rollouts", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=100, help="events per rollout")
    parser.add_argument(
        "--repeats", type=int, default=3, help="timed runs of each reader, at least 9 for rollouts (the best counts)"
    )
    parser.add_argument("--quick", action="store_true", help="200 rollouts x 50 events, one repeat")
    parser.add_argument("--keep", type=Path, help="store file to reuse (built there when missing)")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    if args.quick:
        args.rollouts, args.events, args.repeats = 200, 50, 1
    with tempfile.TemporaryDirectory(prefix="orbnb-frames-") as tmp:
        path = args.keep or Path(tmp) / "bench.sqlite"
        build_s = 0.0 if path.exists() else build_store(path, args.rollouts, args.events)
        res = measure(path, args.repeats, QUICK_STREAM_PAGE if args.quick else STREAM_PAGE)
    res["build_s"] = build_s
    return report(res, args)


if __name__ == "__main__":
    sys.exit(main())

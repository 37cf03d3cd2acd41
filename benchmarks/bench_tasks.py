"""Tasks benchmark: tasks_df, groups_df and the tasks heat map on an RL-shaped store.

Builds a store of 10,000 rollouts of one run over 500 tasks and 10 training steps (a group
of 2 rollouts per task and step, 4 events each) through the store's own write path, then
times ``tasks_df``, ``groups_df`` and ``steps_df`` beside ``rollouts_df`` of the same
rollouts (the read they all start from), and the heat map of 500 tasks × 10 steps: Python
time until its widget state is ready (reading, aggregating, the first page of rows, the
static HTML and text that travel beside it) and the bytes that state sends to the browser.
``--check`` exits 1 when a target is missed.

    python benchmarks/bench_tasks.py            # 10,000 rollouts, 500 tasks, 10 steps
    python benchmarks/bench_tasks.py --quick    # 500 rollouts, 50 tasks, 5 steps (no time targets)
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _workload import finish

from openreward_nb.events import Event, Usage
from openreward_nb.frames import groups_df, rollouts_df, steps_df, tasks_df
from openreward_nb.store.ops import EndOp, EventOp, Op, RolloutOp, dumps, plan_batch
from openreward_nb.store.sqlite import SQLiteStore

RUN = "grpo-train"
FRAME_S = 0.5
HEATMAP_S = 1.0
#: what the first screen of the heat map may send (a page of rows, not every task)
MAX_HEATMAP_BYTES = 150_000


def _rollout_ops(r: int, tasks: int, steps: int, per_step: int, start: float, rng: random.Random) -> list[Op]:
    """One rollout: a user task, an answer, a tool call and its result carrying the reward (0 or 1)."""
    task, step = r % tasks, r // (tasks * (per_step // tasks))
    rid = f"{r:08x}-task-4000-8000-{r:012x}"
    creation = RolloutOp(
        rid,
        RUN,
        f"step{step}-task{task}-{r}",
        "bench/Math",
        None,
        "train",
        dumps({"model": "policy"}),
        dumps({"id": f"task-{task:04d}", "prompt": f"problem {task}"}),
        dumps({"model_name": "policy", "run_type": "train"}),
        dumps({"task_index": task, "current_step": step}),
        start,
    )
    solved = rng.random() < (task % 10) / 10 + step * 0.02
    usage = Usage(input_tokens=600, output_tokens=120)
    events = [
        Event("user_message", f"Solve problem {task}."),
        Event("assistant_message", f"The answer to **{task}** is {task * 7}.", model="policy", usage=usage),
        Event("tool_call", json.dumps({"answer": task * 7}), name="submit", call_id="c1"),
        Event("tool_result", "correct" if solved else "wrong", call_id="c1"),
    ]
    ops: list[Op] = [creation]
    for i, ev in enumerate(events):
        last = i == len(events) - 1
        ops.append(EventOp(rid, i, start + i, ev, (1.0 if solved else 0.0) if last else None, last, None))
    ops.append(EndOp(rid, "finished", None, start + len(events)))
    return ops


def build_store(path: Path, rollouts: int, tasks: int, steps: int) -> float:
    """Record the workload into a new store at ``path``; returns the seconds taken."""
    begin = time.perf_counter()
    store = SQLiteStore(path)
    conn = store.connect()
    conn.execute("PRAGMA synchronous=OFF")  # a throw-away store: durability is not under test
    rng = random.Random(5)
    side: dict[str, bool] = {}
    ops: list[Op] = []
    per_step = rollouts // steps
    t0 = time.time() - rollouts * 10
    for r in range(rollouts):
        ops.extend(_rollout_ops(r, tasks, steps, per_step, t0 + r * 10, rng))
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


def state_bytes(widget: Any) -> int:
    """Bytes of the state a widget sends when displayed, its ES module and CSS left out (the same for every view)."""
    state = {k: v for k, v in widget.get_state().items() if k not in ("_esm", "_css")}
    return len(json.dumps(state, separators=(",", ":")))


def heatmap_first_screen(store: SQLiteStore) -> dict[str, Any]:
    """What displaying ``tasks(run)`` costs: read, grid, widget state, static HTML and text."""
    import openreward_nb as orn

    view = orn.tasks(RUN, store=store)
    browser = view.widget()
    static_html, text = view.static_html(), view.text()
    sent = state_bytes(browser.heat) + state_bytes(browser.title)
    out = {
        "tasks": len(view.grid.tasks),
        "columns": len(view.grid.columns),
        "rows_sent": len(browser.heat.rows),
        "bytes": sent,
        "static_bytes": len(static_html) + len(text),
    }
    browser.close()
    return out


def open_cell(store: SQLiteStore) -> float:
    """Seconds from a click on a cell to its cards."""
    import openreward_nb as orn

    browser = orn.tasks(RUN, store=store).widget()
    start = time.perf_counter()
    browser.heat.selected = {"row": int(browser.heat.rows[0]["i"]), "col": 0}
    seconds = time.perf_counter() - start
    assert browser.cards.cards, "no cards drawn"
    browser.close()
    return seconds


def measure(path: Path, repeats: int) -> dict[str, Any]:
    store = SQLiteStore(path)
    res: dict[str, Any] = {}
    res["rollouts_df_s"], frame = best_of(lambda: rollouts_df(store=store), repeats)
    res["rollouts"] = len(frame)
    res["tasks_df_s"], tasks = best_of(lambda: tasks_df(store=store), repeats)
    res["task_rows"] = len(tasks)
    res["groups_df_s"], groups = best_of(lambda: groups_df(store=store), repeats)
    res["groups"] = int(groups.groupby(["task", "step"]).ngroups)
    res["steps_df_s"], steps = best_of(lambda: steps_df(store=store), repeats)
    res["steps"] = len(steps)
    heatmap_first_screen(store)  # widget classes and their assets loaded once, as in a notebook that showed one
    res["heatmap_s"], first = best_of(lambda: heatmap_first_screen(store), repeats)
    res.update({f"heatmap_{k}": v for k, v in first.items()})
    res["open_cell_s"] = min(open_cell(store) for _ in range(repeats))  # the click alone, not the view's building
    return res


def report(res: dict[str, Any], args: argparse.Namespace) -> int:
    base = res["rollouts_df_s"]
    built = f"store built in {res['build_s']:.1f} s" if res["build_s"] else "store reused"
    print(
        f"\ntasks benchmark: {res['rollouts']:,} rollouts, {res['task_rows']:,} tasks, "
        f"{res['groups']:,} groups, {res['steps']:,} steps ({built})\n"
    )
    print(f"  rollouts_df (baseline: the read every task frame starts from) {base:7.3f} s")
    for name in ("tasks_df", "groups_df", "steps_df"):
        seconds = res[f"{name}_s"]
        print(f"  {name:<11} {seconds:7.3f} s   ratio to rollouts_df {seconds / base:5.2f}")
    print(
        f"  heat map first screen, Python time {res['heatmap_s']:7.3f} s   ratio to rollouts_df "
        f"{res['heatmap_s'] / base:5.2f}   ({res['heatmap_tasks']:,} tasks × {res['heatmap_columns']} columns)"
    )
    print(
        f"  heat map sent to the browser {res['heatmap_bytes']:,} B ({res['heatmap_rows_sent']:,} rows of "
        f"{res['heatmap_tasks']:,}); static HTML and text {res['heatmap_static_bytes']:,} B"
    )
    print(f"  a cell clicked to its cards {res['open_cell_s'] * 1000:7.1f} ms")
    checks = [(f"heat map sends <= {MAX_HEATMAP_BYTES:,} B", res["heatmap_bytes"] <= MAX_HEATMAP_BYTES)]
    if not args.quick:  # on a small store the times say little
        checks += [
            (f"tasks_df <= {FRAME_S} s", res["tasks_df_s"] <= FRAME_S),
            (f"groups_df <= {FRAME_S} s", res["groups_df_s"] <= FRAME_S),
            (f"heat map first screen <= {HEATMAP_S} s", res["heatmap_s"] <= HEATMAP_S),
        ]
    return finish(checks, res, args)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rollouts", type=int, default=10_000)
    parser.add_argument("--tasks", type=int, default=500)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5, help="timed runs of each (the best counts)")
    parser.add_argument("--quick", action="store_true", help="500 rollouts, 50 tasks, 5 steps, two repeats")
    parser.add_argument("--keep", type=Path, help="store file to reuse (built there when missing)")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    if args.quick:
        args.rollouts, args.tasks, args.steps, args.repeats = 500, 50, 5, 2
    with tempfile.TemporaryDirectory(prefix="orbnb-tasks-") as tmp:
        path = args.keep or Path(tmp) / "bench.sqlite"
        build_s = 0.0 if path.exists() else build_store(path, args.rollouts, args.tasks, args.steps)
        res = measure(path, args.repeats)
    res["build_s"] = build_s
    return report(res, args)


if __name__ == "__main__":
    sys.exit(main())

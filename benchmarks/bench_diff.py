"""Step diff benchmark: two rollouts of 10,000 events aligned and their first screen shown, and the
alignment's cost beside a plain ``difflib.SequenceMatcher`` over the same events, in one run.

Records two mostly-equal rollouts of 10,000 events (every 200th a 1 MB tool output, as in
bench_timeline; B differs from A by a changed tool argument, an inserted step, a dropped one
and the last reward) and measures what ``display(openreward_nb.diff(a, b))`` costs: reading
both rollouts' steps, aligning them, building the widget's state (headers, counts, chart,
first page of blocks), the static HTML and the text; and the bytes that reach the browser.

Then the alignment alone, on steps made in memory: ours (``align_steps``: the key diff plus
the pairing of changed blocks) against ``difflib.SequenceMatcher`` on the same step keys, for
mostly-equal rollouts, repetitive ones (a poll repeated in long runs, where difflib's
"popular element" heuristic drops matches) and disjoint ones; and ours at 10,000, 20,000 and
40,000 steps a side, to show the cost follows the length, not the product of the lengths.
``--check`` exits 1 when a target is missed.

    python benchmarks/bench_diff.py            # 10,000 events a side
    python benchmarks/bench_diff.py --quick    # 2,000, a smoke run
"""

from __future__ import annotations

import argparse
import difflib
import gc
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _workload import finish

import openreward_nb
from openreward_nb import AssistantMessage, ReasoningItem, ToolCall, ToolResult, UserMessage
from openreward_nb.alignment.align import align_steps
from openreward_nb.alignment.steps import Step, make_step

FIRST_SCREEN_MS = 1_000.0
MAX_FIRST_SCREEN_BYTES = 1_000_000
#: the cost at 4x the steps a side, against the cost at 1x: linear gives 4, a product of the lengths 16
MAX_GROWTH_4X = 6.0
BIG_OUTPUT = "x" * (1 << 20)


# --- two recorded rollouts ----------------------------------------------------------------------
def events(n: int, variant: bool) -> list[tuple[Any, float | None, bool]]:
    """(message, reward, is_finished) of a rollout of ``n`` events; ``variant`` is B: a changed argument at
    30%, an inserted step at 60%, a dropped reasoning at 90%, another last reward."""
    out: list[tuple[Any, float | None, bool]] = []
    for i in range(n):
        step = i % 5
        if step == 0:
            out.append((UserMessage(f"observation {i}: " + "the quick brown fox " * 10), None, False))
        elif step == 1:
            if variant and i == n * 9 // 10 // 5 * 5 + 1:
                continue
            out.append((ReasoningItem(summary=f"plan for step {i}", content="think " * 60), None, False))
        elif step == 2:
            command = f"run --step {i}" + (" --verbose" if variant and i == n * 3 // 10 // 5 * 5 + 2 else "")
            out.append((ToolCall(name="bash", content=json.dumps({"command": command}), call_id=f"c{i}"), None, False))
        elif step == 3:
            text = BIG_OUTPUT if i % 200 == 3 else json.dumps({"stdout": f"line {i}\n" * 20})
            out.append((ToolResult(content=text, call_id=f"c{i - 1}"), 0.01, False))
        else:
            out.append((AssistantMessage(f"**Step {i}** done; see `output`."), None, False))
            if variant and i == n * 6 // 10 // 5 * 5 + 4:
                out.append((AssistantMessage("let me double-check that"), None, False))
    last, _, _ = out[-1]
    out[-1] = (last, 1.0 if not variant else 0.0, True)
    return out


def record_pair(path: Path, n: int) -> tuple[str, str]:
    client = openreward_nb.OpenReward(store=path)
    ids = []
    for name, variant in (("a", False), ("b", True)):
        rollout = client.rollout.create("bench-diff", rollout_name=name)
        for message, reward, finished in events(n, variant):
            rollout.log(message, reward=reward, is_finished=finished)
        rollout.finish()
        ids.append(rollout.id)
    client.close()
    return ids[0], ids[1]


def first_screen(path: Path, a_id: str, b_id: str) -> dict[str, Any]:
    """Python time and bytes for what ``display(openreward_nb.diff(a, b))`` produces in a kernel."""
    from openreward_nb.viz.diffview import diff
    from openreward_nb.viz.views import WIDGET_MIME

    gc.collect()
    t0, c0 = time.perf_counter(), time.process_time()
    view = diff(a_id, b_id, store=path)
    widget = view.widget()
    bundle = {"text/plain": view.text(), "text/html": view.static_html(), WIDGET_MIME: {"model_id": widget.model_id}}
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    state = widget.get_state()
    assets = len(state.pop("_esm", "")) + len(state.pop("_css", ""))
    state_bytes = len(json.dumps(state, separators=(",", ":")))
    bundle_bytes = len(json.dumps(bundle, separators=(",", ":")))
    page = widget._source.window(len(view.alignment.blocks) // 2, 40)
    page_bytes = len(json.dumps(page, separators=(",", ":")))
    counts = dict(view.alignment.counts)
    first = view.alignment.first
    widget.close()
    return {
        "ms": elapsed * 1000,
        "cpu_ms": cpu * 1000,
        "state_bytes": state_bytes,
        "asset_bytes": assets,
        "bundle_bytes": bundle_bytes,
        "page_bytes": page_bytes,
        "total_bytes": state_bytes + assets + bundle_bytes,
        "counts": counts,
        "first": first,
    }


# --- the alignment alone, on steps made in memory ---------------------------------------------
def step(idx: int, kind: str, text: str, name: str | None = None) -> Step:
    return make_step(idx, kind, name, False, None, False, text, None)


def agent_steps(n: int, tag: Callable[[int], str]) -> list[Step]:
    """An agent's steps cycling through user, reasoning, a call and its output; ``tag(i)`` varies the contents."""
    kinds = ("user_message", "reasoning", "tool_call", "tool_result", "assistant_message")
    out = []
    for i in range(n):
        kind = kinds[i % 5]
        name = "bash" if kind == "tool_call" else None
        text = json.dumps({"command": f"run {i}{tag(i)}"}) if name else f"{kind} {i}{tag(i)} " + "words " * 20
        out.append(step(i, kind, text, name))
    return out


def mostly_equal(n: int) -> tuple[list[Step], list[Step]]:
    a = agent_steps(n, lambda i: "")
    b = agent_steps(n, lambda i: " changed" if i in (n * 3 // 10, n * 6 // 10 + 2, n * 9 // 10 + 3) else "")
    return a, [*b[: n // 2], step(n, "assistant_message", "an inserted step"), *b[n // 2 :]]


def repetitive(n: int) -> tuple[list[Step], list[Step]]:
    """A poll (call and result) repeated all along; B starts and ends otherwise and polls once more. Nothing
    but the polls is shared, so a matcher that ignores frequent elements (difflib's autojunk) finds no anchor."""
    poll = [step(0, "tool_call", '{"job": 1}', "poll"), step(0, "tool_result", "pending")]
    a = [step(0, "user_message", "start job 1"), *poll * (n // 2 - 1), step(0, "assistant_message", "gave up")]
    b = [step(0, "user_message", "start job one"), *poll * (n // 2), step(0, "assistant_message", "done")]
    return _numbered(a), _numbered(b)


def _numbered(steps: list[Step]) -> list[Step]:
    for i, s in enumerate(steps):
        steps[i] = Step(i, s.type, s.name, s.reward, s.finished, s.key, s.long, s.probe)
    return steps


def disjoint(n: int) -> tuple[list[Step], list[Step]]:
    return agent_steps(n, lambda i: " of A"), agent_steps(n, lambda i: " of B")


def best_of(repeat: int, work: Callable[[], Any]) -> tuple[float, Any]:
    """The least CPU time of ``repeat`` runs, in ms (CPU time: on a shared machine, waiting for a core is
    not the algorithm's cost), and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        t0 = time.process_time()
        result = work()
        best = min(best, time.process_time() - t0)
    return best * 1000, result


def compare_with_difflib(name: str, a: list[Step], b: list[Step], repeat: int) -> dict[str, Any]:
    """Ours (the key diff alone, and the whole alignment) against difflib.SequenceMatcher on the same step keys:
    as constructed (autojunk on) and exact (autojunk off, once: it can take seconds)."""
    from openreward_nb.alignment.sequence import opcodes

    keys_a, keys_b = [s.key for s in a], [s.key for s in b]
    ours_ms, _ = best_of(repeat, lambda: opcodes(keys_a, keys_b))
    whole_ms, rows = best_of(repeat, lambda: align_steps(a, b))
    plain_ms, blocks = best_of(repeat, lambda: difflib.SequenceMatcher(None, keys_a, keys_b).get_matching_blocks())
    exact_ms, exact = best_of(
        1, lambda: difflib.SequenceMatcher(None, keys_a, keys_b, autojunk=False).get_matching_blocks()
    )
    return {
        "case": name,
        "steps": (len(a), len(b)),
        "ours_ms": ours_ms,
        "whole_ms": whole_ms,
        "difflib_ms": plain_ms,
        "exact_ms": exact_ms,
        "ours_equal": sum(1 for r in rows if r.op == "equal"),
        "difflib_equal": sum(blk.size for blk in blocks),
        "exact_equal": sum(blk.size for blk in exact),
    }


def growth(base: int, repeat: int) -> list[tuple[int, float]]:
    """Our alignment's time on mostly-equal rollouts of ``base``, 2x and 4x steps a side."""
    out = []
    for n in (base, base * 2, base * 4):
        a, b = mostly_equal(n)
        ms, _ = best_of(repeat, lambda a=a, b=b: align_steps(a, b))
        out.append((n, ms))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="2,000 events a side")
    parser.add_argument("--repeat", type=int, default=3, help="warm first-screen runs (median reported)")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    if args.quick:
        args.events, args.repeat = 2_000, 2
    with tempfile.TemporaryDirectory(prefix="orbnb-bench-diff-") as tmp:
        path = Path(tmp) / "diff.sqlite"
        a_id, b_id = record_pair(path, args.events)
        from openreward_nb.viz import diffwidget  # noqa: F401  (the kernel's once-only imports, not timed)

        cold = first_screen(path, a_id, b_id)
        warm = [first_screen(path, a_id, b_id) for _ in range(args.repeat)]
        size_mb = path.stat().st_size / 1e6
    cases = [
        compare_with_difflib(name, *make(args.events), args.repeat)
        for name, make in (("mostly equal", mostly_equal), ("repetitive", repetitive), ("disjoint", disjoint))
    ]
    res = {
        "events": args.events,
        "store_mb": size_mb,
        "cold": cold,
        "warm_ms": statistics.median(w["ms"] for w in warm),
        "warm_cpu_ms": statistics.median(w["cpu_ms"] for w in warm),
        "cases": cases,
        "growth": growth(args.events, max(5, args.repeat)),
    }
    return report(res, args)


def report(res: dict[str, Any], args: argparse.Namespace) -> int:
    cold = res["cold"]
    print(f"\nstep diff benchmark: two rollouts of {res['events']:,} events ({res['store_mb']:.0f} MB in the store)\n")
    print(f"  aligned: {cold['counts']}, first divergence at row {cold['first']}")
    print(
        f"  aligned + first screen, Python time    first {cold['ms']:7.1f} ms   again (median) {res['warm_ms']:7.1f} ms"
        f"   (target <= {FIRST_SCREEN_MS:.0f} ms; CPU time first {cold['cpu_ms']:.1f} ms, again {res['warm_cpu_ms']:.1f} ms)"
    )
    print(
        f"  sent to the browser          widget state {cold['state_bytes']:,} B + module/css {cold['asset_bytes']:,} B "
        f"+ static HTML/text bundle {cold['bundle_bytes']:,} B = {cold['total_bytes']:,} B"
    )
    print(f"  one more page (40 blocks)    {cold['page_bytes']:,} B, on demand")
    print(
        "\n  alignment alone, steps in memory (CPU time, best of runs; difflib.SequenceMatcher on the same step keys):"
    )
    for case in res["cases"]:
        n, m = case["steps"]
        ratio = case["ours_ms"] / max(case["difflib_ms"], 1e-6)
        print(
            f"    {case['case']:<13} {n:,} x {m:,}   key diff: ours {case['ours_ms']:8.1f} ms, difflib {case['difflib_ms']:8.1f} ms"
            f" (ratio ours/difflib {ratio:5.2f}), difflib without autojunk {case['exact_ms']:9.1f} ms"
            f"   whole alignment (rows, pairing) {case['whole_ms']:7.1f} ms"
        )
        print(
            f"    {'':<13} equal steps found: ours {case['ours_equal']:,}, difflib {case['difflib_equal']:,}, "
            f"difflib without autojunk {case['exact_equal']:,}"
        )
    base_ms = res["growth"][0][1]
    cells = "   ".join(f"{n:,}: {ms:7.1f} ms (x{ms / base_ms:4.1f})" for n, ms in res["growth"])
    print(
        f"\n  ours as the rollouts grow (mostly equal)   {cells}   (linear: x2, x4; the product of the lengths: x4, x16)"
    )
    growth_4x = res["growth"][-1][1] / base_ms
    checks = [
        (
            f"aligned + first screen <= {FIRST_SCREEN_MS:.0f} ms",
            cold["ms"] <= FIRST_SCREEN_MS and res["warm_ms"] <= FIRST_SCREEN_MS,
        ),
        (f"first screen <= {MAX_FIRST_SCREEN_BYTES:,} bytes", cold["total_bytes"] <= MAX_FIRST_SCREEN_BYTES),
        (
            f"4x the steps a side costs <= x{MAX_GROWTH_4X:.0f} (linear x4, the product's x16)",
            growth_4x <= MAX_GROWTH_4X,
        ),
        (
            "as many equal steps found as difflib (and as its exact form), in every case",
            all(c["ours_equal"] >= max(c["difflib_equal"], c["exact_equal"]) for c in res["cases"]),
        ),
    ]
    return finish(checks, res, args)


if __name__ == "__main__":
    sys.exit(main())

"""Timeline benchmark: the first screen of a big rollout, in Python time and bytes sent to the browser.

Records one rollout of 10,000 events (every 200th a 1 MB tool output, every 500th carrying
an image) and measures what displaying it costs: reading the record, building the timeline
widget's state (header, type counts, reward chart, first page) and the static HTML and text
that travel beside it. Next to it, in the same run, a naive render: every event as one HTML
string. ``--check`` exits 1 when a target from the views issue is missed.

    python benchmarks/bench_timeline.py            # 10,000 events
    python benchmarks/bench_timeline.py --quick    # 2,000 events, a smoke run
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _workload import finish

import openreward_nb
from openreward_nb import AssistantMessage, ReasoningItem, ToolCall, ToolResult, UserMessage
from openreward_nb.events import Attachment, Event

FIRST_SCREEN_MS = 300.0
MAX_FIRST_SCREEN_BYTES = 1_000_000
BIG_OUTPUT = "x" * (1 << 20)


def record_big_rollout(path: Path, n: int) -> str:
    """One rollout of ``n`` events cycling through every type, with 1 MB outputs and images; returns its id."""
    client = openreward_nb.OpenReward(store=path)
    rollout = client.rollout.create("bench-views", rollout_name="big", environment="bench/env", split="train")
    image = os.urandom(100_000)
    for i in range(n):
        step = i % 5
        if step == 0:
            if i % 500 == 0:
                rollout._emit(
                    Event(
                        "user_message",
                        f"look at image {i}",
                        attachments=[Attachment("image/png", image + bytes([i % 251]))],
                    )
                )
            else:
                rollout.log(UserMessage(f"observation {i}: " + "the quick brown fox " * 10))
        elif step == 1:
            rollout.log(ReasoningItem(summary=f"plan for step {i}", content="think " * 60))
        elif step == 2:
            rollout.log(ToolCall(name="bash", content=json.dumps({"command": f"run --step {i}"}), call_id=f"c{i}"))
        elif step == 3:
            out = BIG_OUTPUT if i % 200 == 3 else json.dumps({"stdout": f"line {i}\n" * 20})
            rollout.log(ToolResult(content=out, call_id=f"c{i - 1}"), reward=0.01)
        else:
            rollout.log(AssistantMessage(f"**Step {i}** done; see `output` and [docs](https://example.com)."))
    rollout.finish()
    client.close()
    return rollout.id


def first_screen(path: Path, rollout_id: str) -> dict[str, float]:
    """Python time and bytes for what ``display(record)`` produces in a kernel."""
    from openreward_nb.viz.views import WIDGET_MIME, RolloutView

    gc.collect()
    t0 = time.perf_counter()
    client = openreward_nb.OpenReward(store=path)
    record = client.rollouts.get(rollout_id)
    view = RolloutView(record)
    widget = view.widget()
    bundle = {"text/plain": view.text(), "text/html": view.static_html(), WIDGET_MIME: {"model_id": widget.model_id}}
    elapsed = time.perf_counter() - t0
    state = widget.get_state()
    assets = len(state.pop("_esm", "")) + len(state.pop("_css", ""))
    state_bytes = len(json.dumps(state, separators=(",", ":")))
    bundle_bytes = len(json.dumps(bundle, separators=(",", ":")))
    page = widget._source.window(record.n_events // 2, 100)
    page_bytes = len(json.dumps(page, separators=(",", ":")))
    widget.close()
    return {
        "ms": elapsed * 1000,
        "state_bytes": state_bytes,
        "asset_bytes": assets,
        "bundle_bytes": bundle_bytes,
        "page_bytes": page_bytes,
        "total_bytes": state_bytes + assets + bundle_bytes,
    }


def view_imports() -> float:
    """Milliseconds a kernel spends once, on its first view: importing ipywidgets, anywidget and markdown-it."""
    t0 = time.perf_counter()
    from openreward_nb.viz import timeline  # noqa: F401
    from openreward_nb.viz.render import markdown_html

    markdown_html("")
    return (time.perf_counter() - t0) * 1000


def naive(path: Path, rollout_id: str) -> dict[str, float]:
    """Every event as one HTML string, nothing clipped: the render the widget avoids."""
    from openreward_nb.viz.static import event_html

    gc.collect()
    t0 = time.perf_counter()
    record = openreward_nb.OpenReward(store=path).rollouts.get(rollout_id)
    html = "".join(event_html(ev, chars=1 << 30) for ev in record.events())
    return {"ms": (time.perf_counter() - t0) * 1000, "bytes": len(html.encode())}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="2,000 events")
    parser.add_argument("--repeat", type=int, default=5, help="warm first-screen runs (median reported)")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    if args.quick:
        args.events, args.repeat = 2_000, 3
    with tempfile.TemporaryDirectory(prefix="orbnb-bench-views-") as tmp:
        path = Path(tmp) / "views.sqlite"
        rollout_id = record_big_rollout(path, args.events)
        imports_ms = view_imports()
        cold = first_screen(path, rollout_id)
        warm = [first_screen(path, rollout_id) for _ in range(args.repeat)]
        flat = naive(path, rollout_id)
        size_mb = path.stat().st_size / 1e6
    res = {
        "events": args.events,
        "store_mb": size_mb,
        "imports_ms": imports_ms,
        "cold": cold,
        "warm_ms": statistics.median(w["ms"] for w in warm),
        "naive": flat,
    }
    return report(res, args)


def report(res: dict, args: argparse.Namespace) -> int:
    cold, flat = res["cold"], res["naive"]
    print(f"\ntimeline benchmark: one rollout of {res['events']:,} events ({res['store_mb']:.0f} MB in the store)\n")
    print(f"  once per kernel: importing ipywidgets, anywidget, markdown-it  {res['imports_ms']:7.1f} ms")
    print(
        f"  first screen, Python time    first {cold['ms']:7.1f} ms   again (median) {res['warm_ms']:7.1f} ms   (target <= {FIRST_SCREEN_MS:.0f} ms)"
    )
    print(
        f"  sent to the browser          widget state {cold['state_bytes']:,} B + module/css {cold['asset_bytes']:,} B "
        f"+ static HTML/text bundle {cold['bundle_bytes']:,} B = {cold['total_bytes']:,} B"
    )
    print(f"  one more page (100 events)   {cold['page_bytes']:,} B, on demand")
    print(f"  naive: all events as HTML    {flat['ms']:7.1f} ms   {flat['bytes']:,} B")
    print(
        f"  ratio first screen / naive   time {cold['ms'] / flat['ms']:.3f}   bytes {cold['total_bytes'] / flat['bytes']:.5f}"
    )
    checks = [
        (
            f"first screen <= {FIRST_SCREEN_MS:.0f} ms",
            cold["ms"] <= FIRST_SCREEN_MS and res["warm_ms"] <= FIRST_SCREEN_MS,
        ),
        (f"first screen <= {MAX_FIRST_SCREEN_BYTES:,} bytes", cold["total_bytes"] <= MAX_FIRST_SCREEN_BYTES),
        ("smaller than the naive render", cold["total_bytes"] < flat["bytes"]),
    ]
    return finish(checks, res, args)


if __name__ == "__main__":
    sys.exit(main())

"""Report benchmark: a run of 300 rollouts x 200 events as one HTML file, and that file in headless Chromium.

Records the run (the realistic ~1.2 KB chat workload), writes its report, and measures the file
against the run's size in the store; then opens it from file:// in Debian's Chromium with every
request blocked and reads the page's own performance marks: the first paint of the run's table
and charts (from navigation start), and the opening of rollouts (click to timeline painted).
Beside it, in the same run, the naive report: every event of the run as static HTML in one page.
``--check`` exits 1 when a target of the report issue is missed.

    python benchmarks/bench_report.py            # 300 rollouts x 200 events
    python benchmarks/bench_report.py --quick    # 30 rollouts x 200 events, a smoke run
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _workload import finish, make_pool, workload

import openreward_nb

MAX_FILE_RATIO = 0.25
FIRST_PAINT_MS = 2_000.0
OPEN_MS = 300.0
#: rollouts opened (spread over the table), after one to warm up
OPENS = 12
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
]


def record_run(path: Path, rollouts: int, events: int) -> None:
    client = openreward_nb.OpenReward(store=path)
    for r, items in enumerate(workload(openreward_nb, rollouts, events, make_pool())):
        rollout = client.rollout.create(
            "bench-report", rollout_name=f"episode-{r}", environment="bench/env", split="train", metadata={"model": "m"}
        )
        rollout.update_info(openreward_nb.RolloutInfo(task_index=r, current_step=r // 30))
        for msg, reward, finished in items:
            rollout.log(msg, reward=reward, is_finished=finished)
        rollout.finish()
    client.close()


def store_bytes(path: Path) -> int:
    """The store's size on disk: the database file and what its WAL still holds."""
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())


def naive_report(path: Path, out: Path) -> float:
    """Every event of the run as static HTML in one page (the views' own event rendering); seconds taken."""
    from openreward_nb.viz.static import STYLE, event_html

    t0 = time.perf_counter()
    client = openreward_nb.OpenReward(store=path)
    parts = [f"<!DOCTYPE html><meta charset=utf-8>{STYLE}<div class='orws'>"]
    for rec in client.runs.get("bench-report").rollouts():
        parts += [event_html(ev, chars=1 << 30) for ev in rec.events()]
    out.write_text("".join(parts) + "</div>")
    return time.perf_counter() - t0


def in_browser(report: Path, naive: Path) -> dict[str, Any]:
    """First paint and rollout openings of the report; load time of the naive page. Nothing may leave the page."""
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("OPENREWARD_NB_CHROMIUM") or "/usr/bin/chromium"
    blocked: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_FLAGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 1000})
            pages = {report.as_uri(), naive.as_uri()}

            def route(r: Any) -> None:
                if r.request.url in pages:
                    r.continue_()
                else:
                    blocked.append(r.request.url)
                    r.abort()

            context.route("**/*", route)
            page = context.new_page()
            t0 = time.perf_counter()
            page.goto(report.as_uri())
            page.wait_for_selector("#orw-report[data-ready]", timeout=60_000)
            wall = (time.perf_counter() - t0) * 1000
            first_paint = page.evaluate("() => performance.getEntriesByName('orw-drawn')[0].startTime")
            rows = page.locator(".orw-run-table tr.orw-row")
            shown = rows.count()
            opens = []
            spread = list(dict.fromkeys([0, *range(shown - 1, 0, -max(1, shown // OPENS))]))[: OPENS + 1]
            for k, at in enumerate(spread):
                rows.nth(at).click()
                page.wait_for_function(f"() => performance.getEntriesByName('orw-open').length === {k + 1}")
                if k:  # the first opening warms the page up
                    opens.append(page.evaluate("() => performance.getEntriesByName('orw-open').at(-1).duration"))
            events = page.locator(".orw-timeline .orw-ev").count()
            t0 = time.perf_counter()
            page.goto(naive.as_uri(), wait_until="load", timeout=300_000)
            naive_ms = (time.perf_counter() - t0) * 1000
        finally:
            browser.close()
    return {
        "first_paint_ms": first_paint,
        "ready_wall_ms": wall,
        "rows_drawn": shown,
        "open_ms": opens,
        "events_drawn": events,
        "naive_load_ms": naive_ms,
        "requests": blocked,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rollouts", type=int, default=300)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="30 rollouts x 200 events")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    if args.quick:
        args.rollouts = 30
    with tempfile.TemporaryDirectory(prefix="orbnb-bench-report-") as tmp:
        store = Path(tmp) / "run.sqlite"
        t0 = time.perf_counter()
        record_run(store, args.rollouts, args.events)
        record_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        made = openreward_nb.report("bench-report", Path(tmp) / "report.html", store=store)
        build_s = time.perf_counter() - t0
        naive_s = naive_report(store, Path(tmp) / "naive.html")
        res: dict[str, Any] = {
            "rollouts": args.rollouts,
            "events": args.events,
            "record_s": record_s,
            "store_bytes": store_bytes(store),
            "report_bytes": made.bytes,
            "timelines": made.timelines,
            "notices": made.notices,
            "build_s": build_s,
            "naive_bytes": (Path(tmp) / "naive.html").stat().st_size,
            "naive_build_s": naive_s,
            **in_browser(made.path, Path(tmp) / "naive.html"),
        }
    return report(res, args)


def report(res: dict[str, Any], args: argparse.Namespace) -> int:
    n = res["rollouts"] * res["events"]
    ratio = res["report_bytes"] / res["store_bytes"]
    opens = sorted(res["open_ms"])
    print(f"\nreport benchmark: one run of {res['rollouts']:,} rollouts x {res['events']:,} events ({n:,} events)\n")
    print(
        f"  the run in the store            {res['store_bytes'] / 1e6:8.1f} MB   (recorded in {res['record_s']:.1f} s)"
    )
    print(
        f"  the report file                 {res['report_bytes'] / 1e6:8.1f} MB   ratio to the store {ratio:.3f}"
        f"   (target <= {MAX_FILE_RATIO})   {res['timelines']:,} timelines, written in {res['build_s']:.1f} s"
    )
    print(
        f"  naive: every event as HTML      {res['naive_bytes'] / 1e6:8.1f} MB   ratio to the store "
        f"{res['naive_bytes'] / res['store_bytes']:.3f}   (written in {res['naive_build_s']:.1f} s)"
    )
    print(
        f"  first paint (table and charts)  {res['first_paint_ms']:8.0f} ms   from navigation start (target <= "
        f"{FIRST_PAINT_MS:.0f} ms); page ready {res['ready_wall_ms']:.0f} ms wall; naive page loads in {res['naive_load_ms']:.0f} ms"
    )
    print(
        f"  opening a rollout               median {statistics.median(opens):6.1f} ms   max {opens[-1]:6.1f} ms   over "
        f"{len(opens)} rollouts, click to timeline painted (target <= {OPEN_MS:.0f} ms)"
    )
    print(f"  requests the page made          {len(res['requests'])}")
    if res["notices"]:
        print("  notices: " + " | ".join(res["notices"]))
    checks = [
        (f"report file <= {MAX_FILE_RATIO} of the run's size in the store", ratio <= MAX_FILE_RATIO),
        (f"first paint <= {FIRST_PAINT_MS:.0f} ms", res["first_paint_ms"] <= FIRST_PAINT_MS),
        (f"opening a rollout <= {OPEN_MS:.0f} ms (the slowest of {len(opens)})", opens[-1] <= OPEN_MS),
        ("every rollout's timeline is in the file", res["timelines"] == res["rollouts"]),
        ("no request left the page", not res["requests"]),
    ]
    return finish(checks, res, args)


if __name__ == "__main__":
    sys.exit(main())

"""The report benchmark runs and prints its figures (a quick pass; the targets are checked by
``python benchmarks/bench_report.py --check`` on a quiet machine, not in the suite)."""

from __future__ import annotations

import pytest

from ..helpers import assert_figures, assert_targets_reported, run_benchmark
from ..viz.browser import need_chromium

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_report_benchmark_runs_and_prints_its_figures() -> None:
    need_chromium()
    out = run_benchmark("bench_report.py", "--quick")
    assert_figures(
        out,
        (
            r"the report file +[\d.]+ MB +ratio to the store [\d.]+",
            r"naive: every event as HTML +[\d.]+ MB +ratio to the store [\d.]+",
            r"first paint \(table and charts\) +\d+ ms",
            r"opening a rollout +median +[\d.]+ ms +max +[\d.]+ ms",
            r"requests the page made +0\n",
        ),
    )
    assert_targets_reported(out, ("report file <= 0.25", "first paint <= 2000 ms", "opening a rollout <= 300 ms"))

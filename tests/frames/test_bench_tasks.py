"""The tasks benchmark runs and prints its figures (a quick pass; the timing targets are checked by
``python benchmarks/bench_tasks.py --check`` on the full store, not in the suite)."""

from __future__ import annotations

import pytest

from ..helpers import assert_figures, run_benchmark


@pytest.mark.slow
def test_tasks_benchmark_runs_and_prints_its_figures() -> None:
    out = run_benchmark("bench_tasks.py", "--quick", "--check", timeout=300)
    assert_figures(
        out,
        (
            r"rollouts_df \(baseline: .*\) +[\d.]+ s",
            r"tasks_df +[\d.]+ s +ratio to rollouts_df +[\d.]+",
            r"groups_df +[\d.]+ s +ratio to rollouts_df +[\d.]+",
            r"heat map first screen, Python time +[\d.]+ s +ratio to rollouts_df +[\d.]+ +\(50 tasks × 5 columns\)",
            r"heat map sent to the browser [\d,]+ B \(50 rows of 50\)",
        ),
    )
    assert "[ok] heat map sends <= 150,000 B" in out

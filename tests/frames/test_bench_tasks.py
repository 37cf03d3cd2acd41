"""The tasks benchmark runs and prints its figures (a quick pass; the timing targets are checked by
``python benchmarks/bench_tasks.py --check`` on the full store, not in the suite)."""

from __future__ import annotations

import re
import subprocess

import pytest

from ..helpers import PYTHON, REPO, subprocess_env


@pytest.mark.slow
def test_tasks_benchmark_runs_and_prints_its_figures() -> None:
    out = subprocess.run(
        [PYTHON, str(REPO / "benchmarks" / "bench_tasks.py"), "--quick", "--check"],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=300,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    figures = {
        "baseline": r"rollouts_df \(baseline: .*\) +[\d.]+ s",
        "tasks_df": r"tasks_df +[\d.]+ s +ratio to rollouts_df +[\d.]+",
        "groups_df": r"groups_df +[\d.]+ s +ratio to rollouts_df +[\d.]+",
        "heat map time": r"heat map first screen, Python time +[\d.]+ s +ratio to rollouts_df +[\d.]+ +\(50 tasks × 5 columns\)",
        "heat map bytes": r"heat map sent to the browser [\d,]+ B \(50 rows of 50\)",
    }
    for name, pattern in figures.items():
        assert re.search(pattern, out.stdout), f"no {name} figure in:\n{out.stdout[-2000:]}"
    assert "[ok] heat map sends <= 150,000 B" in out.stdout

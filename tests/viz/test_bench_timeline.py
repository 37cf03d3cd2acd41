"""The timeline benchmark runs and prints its figures (a quick pass, no targets checked: timing targets
are checked by ``python benchmarks/bench_timeline.py --check`` on a quiet machine, not in the suite)."""

from __future__ import annotations

import pytest

from ..helpers import assert_figures, assert_targets_reported, run_benchmark


@pytest.mark.slow
def test_timeline_benchmark_runs_and_prints_its_figures() -> None:
    out = run_benchmark("bench_timeline.py", "--quick", timeout=300)
    assert_figures(
        out,
        (
            r"first screen, Python time +first +[\d.]+ ms +again \(median\) +[\d.]+ ms",
            r"sent to the browser +widget state [\d,]+ B .* = [\d,]+ B",
            r"naive: all events as HTML +[\d.]+ ms +[\d,]+ B",
            r"ratio first screen / naive +time [\d.]+ +bytes [\d.]+",
        ),
    )
    assert_targets_reported(out, ("first screen <= 300 ms",))

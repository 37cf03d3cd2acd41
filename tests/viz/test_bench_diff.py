"""The step diff benchmark runs and prints its figures (a quick pass, no targets checked: they are checked by
``python benchmarks/bench_diff.py --check`` on a quiet machine, not in the suite)."""

from __future__ import annotations

import pytest

from ..helpers import assert_figures, assert_targets_reported, run_benchmark


@pytest.mark.slow
def test_diff_benchmark_runs_and_prints_its_figures() -> None:
    out = run_benchmark("bench_diff.py", "--quick", timeout=300)
    assert_figures(
        out,
        (
            r"aligned \+ first screen, Python time +first +[\d.]+ ms +again \(median\) +[\d.]+ ms",
            r"sent to the browser +widget state [\d,]+ B .* = [\d,]+ B",
            r"repetitive .* key diff: ours +[\d.]+ ms, difflib +[\d.]+ ms \(ratio ours/difflib +[\d.]+\)",
            r"equal steps found: ours [\d,]+, difflib [\d,]+, difflib without autojunk [\d,]+",
            r"ours as the rollouts grow \(mostly equal\) +[\d,]+: +[\d.]+ ms \(x 1\.0\)",
        ),
    )
    assert_targets_reported(
        out, ("aligned + first screen <= 1000 ms", "first screen <= 1,000,000 bytes", "4x the steps a side")
    )

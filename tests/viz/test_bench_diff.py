"""The step diff benchmark runs and prints its figures (a quick pass, no targets checked: they are checked by
``python benchmarks/bench_diff.py --check`` on a quiet machine, not in the suite)."""

from __future__ import annotations

import re
import subprocess

import pytest

from ..helpers import PYTHON, REPO, subprocess_env


@pytest.mark.slow
def test_diff_benchmark_runs_and_prints_its_figures() -> None:
    out = subprocess.run(
        [PYTHON, str(REPO / "benchmarks" / "bench_diff.py"), "--quick"],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=300,
    )
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    figures = {
        "first screen": r"aligned \+ first screen, Python time +first +[\d.]+ ms +again \(median\) +[\d.]+ ms",
        "bytes sent": r"sent to the browser +widget state [\d,]+ B .* = [\d,]+ B",
        "difflib beside ours": r"repetitive .* key diff: ours +[\d.]+ ms, difflib +[\d.]+ ms \(ratio ours/difflib +[\d.]+\)",
        "equal steps": r"equal steps found: ours [\d,]+, difflib [\d,]+, difflib without autojunk [\d,]+",
        "growth": r"ours as the rollouts grow \(mostly equal\) +[\d,]+: +[\d.]+ ms \(x 1\.0\)",
    }
    for name, pattern in figures.items():
        assert re.search(pattern, out.stdout), f"no {name} figure in:\n{out.stdout[-2000:]}"
    for target in ("aligned + first screen <= 1000 ms", "first screen <= 1,000,000 bytes", "4x the steps a side"):
        assert re.search(rf"\[(ok|MISSED)\] {re.escape(target)}", out.stdout), target

"""The timeline benchmark runs and prints its figures (a quick pass, no targets checked: timing targets
are checked by ``python benchmarks/bench_timeline.py --check`` on a quiet machine, not in the suite)."""

from __future__ import annotations

import re
import subprocess

import pytest

from ..helpers import PYTHON, REPO, subprocess_env


@pytest.mark.slow
def test_timeline_benchmark_runs_and_prints_its_figures() -> None:
    out = subprocess.run(
        [PYTHON, str(REPO / "benchmarks" / "bench_timeline.py"), "--quick"],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=300,
    )
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    figures = {
        "first screen": r"first screen, Python time +first +[\d.]+ ms +again \(median\) +[\d.]+ ms",
        "bytes sent": r"sent to the browser +widget state [\d,]+ B .* = [\d,]+ B",
        "naive render": r"naive: all events as HTML +[\d.]+ ms +[\d,]+ B",
        "ratio": r"ratio first screen / naive +time [\d.]+ +bytes [\d.]+",
    }
    for name, pattern in figures.items():
        assert re.search(pattern, out.stdout), f"no {name} figure in:\n{out.stdout[-2000:]}"
    assert re.search(r"\[(ok|MISSED)\] first screen <= 300 ms", out.stdout)  # each target is reported

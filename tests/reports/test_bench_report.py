"""The report benchmark runs and prints its figures (a quick pass; the targets are checked by
``python benchmarks/bench_report.py --check`` on a quiet machine, not in the suite)."""

from __future__ import annotations

import re
import subprocess

import pytest

from ..helpers import PYTHON, REPO, subprocess_env
from ..viz.browser import need_chromium

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_report_benchmark_runs_and_prints_its_figures() -> None:
    need_chromium()
    out = subprocess.run(
        [PYTHON, str(REPO / "benchmarks" / "bench_report.py"), "--quick"],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=600,
    )
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    figures = {
        "file ratio": r"the report file +[\d.]+ MB +ratio to the store [\d.]+",
        "naive": r"naive: every event as HTML +[\d.]+ MB +ratio to the store [\d.]+",
        "first paint": r"first paint \(table and charts\) +\d+ ms",
        "opening": r"opening a rollout +median +[\d.]+ ms +max +[\d.]+ ms",
        "requests": r"requests the page made +0\n",
    }
    for name, pattern in figures.items():
        assert re.search(pattern, out.stdout), f"no {name} figure in:\n{out.stdout[-2000:]}"
    for target in ("report file <= 0.25", "first paint <= 2000 ms", "opening a rollout <= 300 ms"):
        assert re.search(rf"\[(ok|MISSED)\] {re.escape(target)}", out.stdout), target

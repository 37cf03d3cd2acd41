"""Smoke tests of the upload benchmarks: each runs (``--quick``) and prints its figures.

They check neither speed nor memory targets (a quick run on a busy machine says little
about either); the targets are checked by the full runs with ``--check``.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from ..helpers import PYTHON, REPO, subprocess_env


def run(script: str) -> str:
    out = subprocess.run(
        [PYTHON, str(REPO / "benchmarks" / script), "--quick"],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=900,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


@pytest.mark.slow
def test_upload_benchmark_runs_and_prints_its_figures() -> None:
    stdout = run("bench_upload.py")
    for figure in (
        r"SDK, logging and uploading +[\d,]+ events/s",
        r"ours, recording with upload=True +[\d,]+ events/s +ours/SDK +[\d.]+x \(like for like\)",
        r"ours, client\.sync\(\) of the store +[\d,]+ events/s +ours/SDK +[\d.]+x",
        r"\n  SDK +\d+ MB",
        r"\n  ours +\d+ MB +ours/SDK +[\d.]+x",
        r"ours, a quarter of the run +\d+ MB +full/quarter +[\d.]+x",
    ):
        assert re.search(figure, stdout), (figure, stdout)


@pytest.mark.slow
def test_upload_fault_benchmark_runs_and_prints_its_figures() -> None:
    stdout = run("bench_upload_faults.py")
    for figure in (
        r"fault: 30% of POSTs answered 500 \(500 events\)",
        r"ours +received +\d+ during its run, +\d+ after one later sync",
        r"broken server: one byte every 5 s \(200 events\)",
        r"ours, upload=True +close\(\) +[\d.]+ s .* peak RSS \+ *\d+ MB +received +\d+ +pending +\d+ +lost 0",
        r"ours, then sync\(\) +close\(\) .* sync\(\) +[\d.]+ s +peak RSS \+ *\d+ MB",
    ):
        assert re.search(figure, stdout), (figure, stdout)

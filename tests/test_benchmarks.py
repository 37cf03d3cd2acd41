"""The benchmarks keep running (a quick pass; the real numbers come from full runs)."""

from __future__ import annotations

import subprocess

import pytest

from .helpers import PYTHON, REPO, subprocess_env


@pytest.mark.slow
def test_recording_benchmark_quick_run() -> None:
    out = subprocess.run(
        [PYTHON, str(REPO / "benchmarks" / "bench_recording.py"), "--quick"],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    for line in (
        "log call, ours",
        "log call, SDK",
        "durable throughput",
        "floor",
        "SDK end to end",
        "import openreward_nb",
    ):
        assert line in out.stdout

"""The timeline benchmark keeps running and meeting its targets (a quick pass; full numbers from full runs)."""

from __future__ import annotations

import subprocess

import pytest

from ..helpers import PYTHON, REPO, subprocess_env


@pytest.mark.slow
def test_timeline_benchmark_quick_run() -> None:
    out = subprocess.run(
        [PYTHON, str(REPO / "benchmarks" / "bench_timeline.py"), "--quick", "--check"],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=300,
    )
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    for line in (
        "first screen, Python time",
        "sent to the browser",
        "naive: all events as HTML",
        "[ok] first screen <= 300 ms",
    ):
        assert line in out.stdout

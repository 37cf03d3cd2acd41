"""The frames benchmark keeps running (a quick pass; the real numbers come from full runs)."""

from __future__ import annotations

import subprocess

import pytest

from ..helpers import PYTHON, REPO, subprocess_env


@pytest.mark.slow
def test_frames_benchmark_quick_run() -> None:
    out = subprocess.run(
        [PYTHON, str(REPO / "benchmarks" / "bench_frames.py"), "--quick", "--check"],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=300,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    for line in ("rollouts_df", "events_df", "read_sql", "ratio", "peak memory", "tables read: rollouts"):
        assert line in out.stdout
    assert "MISSED" not in out.stdout

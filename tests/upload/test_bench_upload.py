"""The upload benchmark keeps running (a quick pass; the real numbers come from full runs)."""

from __future__ import annotations

import subprocess

import pytest

from ..helpers import PYTHON, REPO, subprocess_env


@pytest.mark.slow
def test_upload_benchmark_quick_run() -> None:
    out = subprocess.run(
        [PYTHON, str(REPO / "benchmarks" / "bench_upload.py"), "--quick"],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    for line in (
        "SDK, logging and uploading",
        "ours, client.sync() of the store",
        "ours, recording with upload=True",
        "fault: 30% of POSTs answered 500",
        "[ok] ours loses nothing: 30% of POSTs answered 500",
    ):
        assert line in out.stdout, out.stdout

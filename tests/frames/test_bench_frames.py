"""Smoke test of the frames benchmark: a quick run completes and prints every figure.

It checks no speed or memory target (a quick store is too small to time; full runs of
``benchmarks/bench_frames.py --check`` do that): only that each figure is printed with a
number, that the run says which targets it leaves out, and that the checks a quick run
does make (rollouts_df reads no events, events_arrow streams every event) pass.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from ..helpers import PYTHON, REPO, subprocess_env

NUMBER = r"[0-9][0-9,]*(\.[0-9]+)?"
FIGURES = (
    rf"rollouts_df +{NUMBER} s +read_sql +{NUMBER} s +ratio +{NUMBER}",
    rf"rollouts_df peak memory \+{NUMBER} MB RSS, {NUMBER} MB traced .*tables read: rollouts\n",
    rf"events_df +{NUMBER} s +read_sql +{NUMBER} s +ratio +{NUMBER}",
    rf"events fetch alone .* {NUMBER} s",
    rf"frame size: events_df {NUMBER} MB, read_sql {NUMBER} MB",
    rf"events_arrow +{NUMBER} s +10,000 events in pages of 1,000: peak RSS \+{NUMBER} MB, a page {NUMBER} MB",
)


@pytest.mark.slow
def test_frames_benchmark_runs_and_prints_every_figure() -> None:
    out = subprocess.run(
        [PYTHON, str(REPO / "benchmarks" / "bench_frames.py"), "--quick", "--check"],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=300,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    for figure in FIGURES:
        assert re.search(figure, out.stdout), figure
    assert re.search(r"quick run: not checked .*events_df within 1\.5x of read_sql.*events_arrow peak RSS", out.stdout)
    for check in ("rollouts_df does not read events", "events_arrow streams every event"):
        assert f"[ok] {check}" in out.stdout

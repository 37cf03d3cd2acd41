"""Smoke test of the PostgreSQL benchmark: a quick run completes, prints every figure and cleans up.

It checks no speed or memory target (a quick run is too small to time; full runs of
``benchmarks/bench_postgres.py --check`` do that): only that each figure is printed with
a number, that the run says which targets it leaves out, and that it leaves no schema
behind.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from ..helpers import PYTHON, REPO, subprocess_env
from .pg import admin, server_url

NUMBER = r"[0-9][0-9,]*(\.[0-9]+)?"
FIGURES = (
    rf"1 writer process +{NUMBER}/s +{NUMBER}/s +{NUMBER} +{NUMBER}",
    rf"4 writer processes +{NUMBER}/s +{NUMBER}/s +{NUMBER} +{NUMBER}",
    rf"floor \(bare COPY\) +{NUMBER}/s",
    *(
        rf"{re.escape(name)} +{NUMBER} s +{NUMBER} s +{NUMBER} +{NUMBER} s +{NUMBER}"
        for name in ("rollouts (store pages)", "events (store pages)", "rollouts_df (frames)", "events_df (frames)")
    ),
    rf"events_df, best of 1: {NUMBER} s; COPY floor .* {NUMBER} s; ratio {NUMBER} .* the wire alone .* {NUMBER} s",
    rf"events_arrow +{NUMBER} s +4,000 events in pages of 1,000: peak RSS \+{NUMBER} MB, a page {NUMBER} MB",
    rf"rollouts_df of 200 rollouts: PostgreSQL {NUMBER} s, SQLite {NUMBER} s .* COPY floor of the rollouts {NUMBER} s",
)


@pytest.mark.slow
@pytest.mark.postgres
def test_postgres_benchmark_runs_prints_every_figure_and_cleans_up() -> None:
    with subprocess.Popen(
        [PYTHON, str(REPO / "benchmarks" / "bench_postgres.py"), "--quick", "--check", "--url", server_url()],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=subprocess_env(),
    ) as bench:
        stdout, stderr = bench.communicate(timeout=600)
    out = subprocess.CompletedProcess(bench.args, bench.returncode, stdout, stderr)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    for figure in FIGURES:
        assert re.search(figure, out.stdout), figure
    assert re.search(r"quick run: not checked .*ingest with 4 writers.*events_df within 1\.5x", out.stdout)
    assert "[ok] events_arrow streams every event" in out.stdout
    with admin() as conn:  # the benchmark drops the schemas it made (named after its process)
        left = conn.execute(
            "SELECT count(*) FROM pg_namespace WHERE starts_with(nspname, %s)", (f"ornb_bench_{bench.pid}_",)
        ).fetchone()[0]
    assert left == 0

"""The PostgreSQL benchmark keeps running (a quick pass; the real numbers come from full runs)."""

from __future__ import annotations

import subprocess

import pytest

from ..helpers import PYTHON, REPO, subprocess_env
from .pg import server_url


@pytest.mark.slow
@pytest.mark.postgres
def test_postgres_benchmark_quick_run() -> None:
    out = subprocess.run(
        [PYTHON, str(REPO / "benchmarks" / "bench_postgres.py"), "--quick", "--url", server_url()],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    for line in (
        "1 writer process",
        "4 writer processes",
        "floor (bare COPY)",
        "rollouts (store pages)",
        "events (store pages)",
        "ingest with 4 writers >= half the floor",
    ):
        assert line in out.stdout
    with __import__("psycopg").connect(server_url()) as conn:  # the benchmark cleans up after itself
        left = conn.execute("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'ornb_bench_%'").fetchone()[0]
    assert left == 0

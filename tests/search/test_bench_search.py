"""Smoke test of the search benchmark: a quick run completes and prints every figure.

It checks no time target (a quick store is too small to time; full runs of
``benchmarks/bench_search.py --check`` do that): only that each figure is printed with a number,
that the run says which targets it leaves out, and that the checks a quick run makes pass.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from ..helpers import PYTHON, REPO, subprocess_env
from ..store.pg import server_url

NUMBER = r"-?[0-9][0-9,]*(\.[0-9]+)?"
FIGURES = (
    rf"SQLite \(FTS5 trigram, contentless, detail=none\): index built on first use in {NUMBER} s; index {NUMBER} MB for {NUMBER} MB of text, {NUMBER}x",
    rf"rare +'flag\{{s3cr3t' +first +20 matches +{NUMBER} ms \({NUMBER}-{NUMBER}\) +LIKE scan \(all 20\) +{NUMBER} ms",
    rf"common +'permission' +first 100 matches +{NUMBER} ms .* +{NUMBER}x faster +LIKE \.\.\. LIMIT 100 +{NUMBER} ms",
    rf"index off +{NUMBER} events/s",
    rf"index +{NUMBER} events/s .* {NUMBER}x of index off",
    rf"trigger +{NUMBER} events/s .* {NUMBER}x of index off",
    rf"index caught up {NUMBER} s after the flush",
    rf"plus the text copy pg_trgm indexes: {NUMBER} MB \({NUMBER}x; index and copy {NUMBER}x\)",
    rf"expression +{NUMBER} events/s .* {NUMBER}x of index off",
    rf"PostgreSQL / SQLite: rare {NUMBER}x +common {NUMBER}x",
)


@pytest.mark.slow
@pytest.mark.postgres
def test_search_benchmark_runs_and_prints_every_figure() -> None:
    out = subprocess.run(
        [PYTHON, str(REPO / "benchmarks" / "bench_search.py"), "--quick", "--check", "--pg", server_url()],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=600,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    for figure in FIGURES:
        assert re.search(figure, out.stdout), figure
    assert re.search(
        r"quick run: not checked .*SQLite rare term's first 100 <= 100 ms.*PostgreSQL recording", out.stdout
    )
    for check in (
        "rare term found in each needle rollout",
        "SQLite index <= 1.5x the text",
        "PostgreSQL index <= 1.5x the text",
    ):
        assert f"[ok] {check}" in out.stdout
    assert "Traceback" not in out.stderr and "at exit" not in out.stderr

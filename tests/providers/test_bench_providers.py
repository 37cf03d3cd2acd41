"""The provider benchmark runs and prints its figures (a quick pass; its targets are checked by full
``--check`` runs, not here: a quick run on a busy machine says nothing about them)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from openreward_nb import providers

from ..helpers import run_benchmark

FIGURE = r"\s+\d+\.\d+"


@pytest.mark.slow
def test_provider_benchmark_runs_and_prints_its_figures(tmp_path: Path) -> None:
    out_json = tmp_path / "bench.json"
    stdout = run_benchmark("bench_providers.py", "--quick", "--json", str(out_json))
    results = json.loads(out_json.read_text())
    assert sorted(r["provider"] for r in results) == sorted(providers.names())
    for r in results:
        figures = [r[k] for k in ("sdk_us", "ours_us", "ours_whole_us", "ours_whole_no_raw_us", "log_call_us")]
        assert all(isinstance(f, float) and f > 0 for f in figures), r
        # the table row: provider, the object compared, then the six figures
        assert re.search(rf"^  {r['provider']}\s+.+?({FIGURE}){{6}}$", stdout, re.MULTILINE), stdout

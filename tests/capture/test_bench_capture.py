"""The capture benchmark runs and prints its figures (a quick pass; its target is checked by full
``--check`` runs, not here: a quick run on a busy machine says nothing about it)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ..helpers import run_benchmark


@pytest.mark.slow
def test_capture_benchmark_runs_and_prints_its_figures(tmp_path: Path) -> None:
    out_json = tmp_path / "bench.json"
    stdout = run_benchmark("bench_capture.py", "--quick", "--json", str(out_json))
    results = json.loads(out_json.read_text())
    assert results["wrapped_methods"] >= 8
    assert all(results[k] > 0 for k in ("sdk_call_removed_us", "sdk_call_installed_us"))
    assert isinstance(results["wrapper_overhead_ns"], float)
    for label in ("wrapper around a no-op method", "responses.create, removed", "responses.create, installed"):
        assert re.search(rf"{label}\s+\+?\s*\d+\.\d+ us per call", stdout), (label, stdout)

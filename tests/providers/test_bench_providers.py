"""The provider benchmark keeps running (a quick pass; the numbers come from full runs)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from ..helpers import PYTHON, REPO, subprocess_env


@pytest.mark.slow
def test_provider_benchmark_quick_run(tmp_path: Path) -> None:
    out_json = tmp_path / "bench.json"
    out = subprocess.run(
        [PYTHON, str(REPO / "benchmarks" / "bench_providers.py"), "--quick", "--json", str(out_json)],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    results = json.loads(out_json.read_text())
    assert [r["provider"] for r in results] == ["openai_responses", "openai_chat", "anthropic", "gemini"]
    for r in results:
        assert all(r[k] > 0 for k in ("sdk_us", "ours_us", "ours_whole_us", "ours_whole_no_raw_us", "log_call_us"))
        assert f"{r['provider']}: ours <= half the SDK's serializer" in out.stdout

"""Smoke tests of the upload benchmarks: each runs (``--quick``) and prints its figures.

They check neither speed nor memory targets (a quick run on a busy machine says little
about either); the targets are checked by the full runs with ``--check``.
"""

from __future__ import annotations

import pytest

from ..helpers import assert_figures, run_benchmark


@pytest.mark.slow
def test_upload_benchmark_runs_and_prints_its_figures() -> None:
    assert_figures(
        run_benchmark("bench_upload.py", "--quick", timeout=900),
        (
            r"SDK, logging and uploading +[\d,]+ events/s",
            r"ours, recording with upload=True +[\d,]+ events/s +ours/SDK +[\d.]+x \(like for like\)",
            r"ours, client\.sync\(\) of the store +[\d,]+ events/s +ours/SDK +[\d.]+x",
            r"\n  SDK +\d+ MB",
            r"\n  ours +\d+ MB +ours/SDK +[\d.]+x",
            r"ours, loading the upload code +\d+ MB",
            r"ours, a quarter of the run +\d+ MB +full/quarter +[\d.]+x",
            r"ours, recording alone \(no upload\) +\d+ MB",
            r"packages first imported after the baseline: SDK none; ours none",
        ),
    )


@pytest.mark.slow
def test_upload_fault_benchmark_runs_and_prints_its_figures() -> None:
    assert_figures(
        run_benchmark("bench_upload_faults.py", "--quick", timeout=900),
        (
            r"fault: 30% of POSTs answered 500 \(500 events\)",
            r"ours +received +\d+ during its run, +\d+ after one later sync",
            r"broken server: one byte every 5 s \(200 events\)",
            r"ours, upload=True +close\(\) +[\d.]+ s .* peak RSS \+ *\d+ MB +received +\d+ +pending +\d+ +lost 0",
            r"ours, then sync\(\) +close\(\) .* sync\(\) +[\d.]+ s +peak RSS \+ *\d+ MB",
        ),
    )

"""Smoke tests: the recording and durability benchmarks run and print their figures.

They assert that each benchmark runs to the end and prints a number for every figure it
reports; they do not judge the numbers (a quick run on a busy machine is no measure).
Whether the targets are met is what ``--check`` on a full run decides.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from .helpers import PYTHON, REPO, subprocess_env

_NUMBER = r"[\d,]+(?:\.\d+)?"


def _run(script: str, *args: str) -> str:
    out = subprocess.run(
        [PYTHON, str(REPO / "benchmarks" / script), *args],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


@pytest.mark.slow
def test_the_recording_benchmark_runs_and_prints_its_figures() -> None:
    out = _run("bench_recording.py", "--quick")
    for figure in (
        rf"log call, ours +p50 +{_NUMBER} us +p99 +{_NUMBER} us",
        rf"log call, SDK +p50 +{_NUMBER} us +p99 +{_NUMBER} us",
        rf"durable throughput, ours +{_NUMBER} events/s",
        rf"keep_raw=False +{_NUMBER} events/s +keep_raw on/off +{_NUMBER}",
        rf"store size, keep_raw on +{_NUMBER} MB +off {_NUMBER} MB +on/off +{_NUMBER}",
        rf"floor \(the store's insert\) +{_NUMBER} events/s +ours/floor +{_NUMBER}",
        rf"plain executemany, 24 columns +{_NUMBER} events/s +ours/plain +{_NUMBER}",
        rf"SDK end to end +{_NUMBER} events/s +ours/SDK +{_NUMBER}x .* SDK lost {_NUMBER} events",
        rf"backlog \(store locked 3 s\): {_NUMBER} queued",
        rf"import openreward_nb +{_NUMBER} ms",
    ):
        assert re.search(figure, out), f"no figure matching {figure!r} in:\n{out}"
    assert "quick run:" in out  # says what a quick run cannot show


@pytest.mark.slow
def test_the_durability_benchmark_runs_and_prints_its_figures() -> None:
    out = _run("bench_durability.py", "--quick", "--rates", "5000")
    assert re.search(rf"one batch commit \({_NUMBER} events\) {_NUMBER} ms", out), out
    assert re.search(
        rf"asked +{_NUMBER}/s +logged +{_NUMBER}/s +{_NUMBER} logged +{_NUMBER} lost +loss window +{_NUMBER} ms", out
    ), out

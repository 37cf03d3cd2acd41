"""Helpers shared by tests (paths, child-process environments, running benchmarks)."""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import NoReturn

import pytest

REPO = Path(__file__).resolve().parent.parent
#: real recorded provider payloads (request and response as sent), with their sources in SOURCES.md
FIXTURES = REPO / "tests" / "fixtures" / "recorded"
#: the loopback stand-in for the OpenReward rollout API (tests, benchmarks)
COLLECTOR = REPO / "tools" / "openreward_collector.py"
PYTHON = sys.executable
#: CI (``.ci/run``) sets this: there, what a test needs must be present, so a missing piece fails instead of skipping
IN_CI = os.environ.get("OPENREWARD_NB_CI") == "1"


def skip_unless_ci(reason: str) -> NoReturn:
    """Skip the test for ``reason``, except in CI, where the missing piece is a failure."""
    if IN_CI:
        pytest.fail(f"{reason} (required in CI: OPENREWARD_NB_CI=1)")
    pytest.skip(reason)


def required(name: str) -> ModuleType:
    """Import ``name``, a package the test extra installs: skipped without it, a failure in CI."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        skip_unless_ci(f"{name} is not installed ({exc}); pip install -e '.[test]'")


def subprocess_env(**extra: str) -> dict[str, str]:
    """Environment for child Python processes that import this checkout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.update(extra)
    return env


#: a figure as benchmarks print it: digits with thousands commas, perhaps a fraction
NUMBER = r"[0-9][0-9,]*(?:\.[0-9]+)?"


def run_benchmark(script: str, *args: str, timeout: float = 600) -> str:
    """Run ``benchmarks/<script>`` in a child process and return what it printed (a failed run fails the test)."""
    out = subprocess.run(
        [PYTHON, str(REPO / "benchmarks" / script), *args],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=timeout,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    return out.stdout


def assert_figures(out: str, figures: Iterable[str]) -> None:
    """Each pattern in ``figures`` (a benchmark's printed figure with its number) is in ``out``."""
    for figure in figures:
        assert re.search(figure, out), f"no figure matching {figure!r} in:\n{out[-3000:]}"


def assert_targets_reported(out: str, targets: Iterable[str]) -> None:
    """Each target is reported with its verdict, met or not (a quick run judges no timing)."""
    for target in targets:
        assert re.search(rf"\[(ok|MISSED)\] {re.escape(target)}", out), f"target {target!r} not reported"

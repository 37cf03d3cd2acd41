"""Helpers shared by tests (paths, child-process environments)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
#: real recorded provider payloads (request and response as sent), with their sources in SOURCES.md
FIXTURES = REPO / "tests" / "fixtures" / "recorded"
#: the loopback stand-in for the OpenReward rollout API (tests, benchmarks)
COLLECTOR = REPO / "tools" / "openreward_collector.py"
PYTHON = sys.executable


def subprocess_env(**extra: str) -> dict[str, str]:
    """Environment for child Python processes that import this checkout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.update(extra)
    return env

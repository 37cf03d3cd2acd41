"""Shared fixtures: a fresh store per test (SQLite here; tests/store runs them on PostgreSQL too)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# Rescue files a test process leaves (a store that cannot be written at exit) go here, never
# into the user's own cache folder; child processes inherit it.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="ornb-test-cache-")


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    """A SQLite store file path in a fresh temporary directory."""
    return tmp_path / "store.sqlite"


@pytest.fixture
def store_url(store_path: Path) -> str:
    """The store a test records into: a fresh SQLite file (tests/store also gives a PostgreSQL schema)."""
    return str(store_path)


@pytest.fixture
def client(store_url: str):
    """An OpenReward client on a fresh store, closed (and its connections released) after the test."""
    from openreward_nb import OpenReward
    from openreward_nb.store import close_store

    c = OpenReward(store=store_url)
    yield c
    c.close()
    if c._store is not None:
        close_store(c._store)

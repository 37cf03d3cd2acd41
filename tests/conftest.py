"""Shared fixtures: a fresh store per test (SQLite file; PostgreSQL too when configured)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    """A SQLite store file path in a fresh temporary directory."""
    return tmp_path / "store.sqlite"


@pytest.fixture
def client(store_path: Path):
    """An OpenReward client on a fresh SQLite store, closed after the test."""
    from openreward_nb import OpenReward

    c = OpenReward(store=store_path)
    yield c
    c.close()


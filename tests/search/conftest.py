"""Search tests run on both backends: every test using ``store_url`` (or ``client``) runs on SQLite and
on PostgreSQL (a fresh schema)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..store.conftest import _close_stores_opened_by_the_test  # noqa: F401 - an autouse fixture, used by being here
from ..store.pg import fresh_schema, server_url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request) -> str:
    return request.param


@pytest.fixture
def store_url(backend: str, store_path: Path):
    """A fresh store of the test's backend: a SQLite file, or a PostgreSQL schema."""
    if backend == "sqlite":
        yield str(store_path)
        return
    server_url()
    with fresh_schema() as url:
        yield url

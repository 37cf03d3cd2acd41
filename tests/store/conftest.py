"""The store test suite runs on both backends: every test using ``store_url`` (or ``client``) runs twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from .pg import fresh_schema, server_url


@pytest.fixture
def pg_url() -> str:
    """A PostgreSQL store URL in a fresh schema (skipped, or failed in CI, without a server)."""
    server_url()
    with fresh_schema() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request) -> str:
    """Which backend the test runs on."""
    return request.param


@pytest.fixture
def store_url(backend: str, store_path: Path, request) -> str:
    """A fresh store of the test's backend: a SQLite file, or a PostgreSQL schema."""
    if backend == "sqlite":
        return str(store_path)
    return request.getfixturevalue("pg_url")


@pytest.fixture(autouse=True)
def _close_stores_opened_by_the_test():
    """Release the connections of every store a test opened, so none outlive it."""
    from openreward_nb.store.location import close_store, open_stores

    before = set(map(id, open_stores()))
    yield
    for store in open_stores():
        if id(store) not in before:
            close_store(store)

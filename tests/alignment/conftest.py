"""The alignment reads the store with its own query: every test using ``store_url`` runs on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..store.pg import fresh_schema, server_url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request, store_path: Path) -> str:
    """A fresh store: a SQLite file, or a PostgreSQL schema."""
    if request.param == "sqlite":
        yield str(store_path)
        return
    server_url()
    with fresh_schema() as url:
        yield url


@pytest.fixture(autouse=True)
def _close_stores_opened_by_the_test():
    """Release the connections of every store a test opened (references open the store read-only)."""
    from openreward_nb.store import close_store, location

    before = set(map(id, location._OPEN.values()))
    yield
    for store in list(location._OPEN.values()):
        if id(store) not in before:
            close_store(store)

"""The alignment reads the store with its own query: every test using ``store_url`` runs on SQLite and PostgreSQL."""

from __future__ import annotations

from ..store.conftest import _close_stores_opened_by_the_test, backend, pg_url, store_url  # noqa: F401

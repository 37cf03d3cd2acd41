"""A store made before annotations existed gains their tables when opened, on both backends.

The migration's number is not written here: other migrations may come before it, so it is
found in the migration list by the table it creates.
"""

from __future__ import annotations

import pytest

from openreward_nb import OpenReward
from openreward_nb.store import close_store, open_store, schema

from .conftest import record_run

#: how many migrations a store had before the annotations one (its version then)
BEFORE = next(n for n, steps in enumerate(schema.MIGRATIONS) if any("CREATE TABLE annotations" in s for s in steps))


def _tables(store_url: str) -> set[str]:
    store = open_store(store_url)
    try:
        if store_url.startswith("postgresql"):
            rows = store.query("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")
        else:
            rows = store.query("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {name for (name,) in rows}
    finally:
        close_store(store)


def test_an_older_store_is_migrated_and_takes_labels(store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as older:
        older.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:BEFORE])
        older.setattr(schema, "SCHEMA_VERSION", BEFORE)
        assert "annotations" not in _tables(store_url)
    client = OpenReward(store=store_url)
    assert client.store.query("SELECT value FROM meta WHERE key = 'schema_version'") == [(str(schema.SCHEMA_VERSION),)]
    assert {"annotations", "label_sets"} <= _tables(store_url)
    (rollout_id,) = record_run(client, n=1)
    client.rollouts.get(rollout_id).annotate("good trajectory", event=1)
    assert [(a.label, a.event) for a in client.rollouts.get(rollout_id).annotations()] == [("good trajectory", 1)]
    client.close()

"""Event pages on PostgreSQL look each rollout's events up by index, even in a table without statistics.

Right after a bulk load (before autovacuum has analyzed it), the planner flattened the
per-rollout lookup into a hash join over a full scan of the events table, once per page:
20 scans of the table for a read of 1,000,000 events, twice the time of a bare COPY.
"""

from __future__ import annotations

import pytest

from openreward_nb.frames.columns import select_list
from openreward_nb.frames.events import EVENT_COLUMNS
from openreward_nb.frames.filters import rollout_where
from openreward_nb.frames.pages import plan_event_reads
from openreward_nb.store.location import open_store


@pytest.mark.postgres
def test_pages_of_a_table_never_analyzed_use_the_index(pg_url: str) -> None:
    store = open_store(pg_url)
    conn = store.connect()
    try:
        with store.transaction(conn) as cur:  # 200 rollouts of 500 events, straight into the tables
            cur.execute("ALTER TABLE events SET (autovacuum_enabled = false)")
            cur.execute(
                "INSERT INTO rollouts (id, run_name, created_at, n_events) "
                "SELECT 'r' || g, 'run', g, 500 FROM generate_series(1, 200) g"
            )
            cur.execute(
                "INSERT INTO events (rollout_id, idx, ts, type, content) "
                "SELECT 'r' || g, i, g, 'user_message', repeat('x', 300) "
                "FROM generate_series(1, 200) g, generate_series(0, 499) i"
            )
        reads = plan_event_reads(store, select_list(EVENT_COLUMNS), rollout_where(store, None, {}))
        sql, params = reads.queries[0]
        plan = "\n".join(row[0] for row in conn.execute(f"EXPLAIN {sql}", params).fetchall())
    finally:
        conn.close()
    assert len(reads.queries) == 2 and "Index" in plan
    assert "Seq Scan on events" not in plan, plan

"""The store's tables, as numbered migrations written once for every SQL dialect.

Each migration is a list of statements with ``{real}``, ``{blob}``, ``{serial_pk}`` and
``{bigint}`` markers that a dialect fills in. A store records the number of migrations
applied in its ``meta`` table, so later versions only append to :data:`MIGRATIONS`.
"""

from __future__ import annotations

EVENT_COLUMNS: tuple[str, ...] = (
    "rollout_id",
    "idx",
    "ts",
    "type",
    "kind",
    "content",
    "content_reference",
    "summary",
    "name",
    "call_id",
    "reward",
    "is_finished",
    "is_error",
    "metadata",
    "model",
    "input_tokens",
    "output_tokens",
    "reasoning_tokens",
    "cached_tokens",
    "cache_write_tokens",
    "latency_ms",
    "stop_reason",
    "attachments",
    "raw",
)

ROLLOUT_INSERT_COLUMNS: tuple[str, ...] = (
    "id",
    "run_name",
    "rollout_name",
    "environment",
    "variant",
    "split",
    "metadata",
    "task_spec",
    "run_info",
    "rollout_info",
    "created_at",
)

TOKEN_COLUMNS: tuple[str, ...] = (
    "input_tokens",
    "output_tokens",
    "reasoning_tokens",
    "cached_tokens",
    "cache_write_tokens",
)

_V1 = [
    "CREATE TABLE runs (name TEXT PRIMARY KEY, created_at {real} NOT NULL)",
    """CREATE TABLE rollouts (
        seq {serial_pk},
        id TEXT NOT NULL UNIQUE,
        run_name TEXT NOT NULL,
        rollout_name TEXT,
        environment TEXT,
        variant TEXT,
        split TEXT,
        metadata TEXT,
        task_spec TEXT,
        run_info TEXT,
        rollout_info TEXT,
        status TEXT NOT NULL DEFAULT 'running',
        error TEXT,
        created_at {real} NOT NULL,
        ended_at {real},
        last_event_at {real},
        n_events INTEGER NOT NULL DEFAULT 0,
        n_tool_calls INTEGER NOT NULL DEFAULT 0,
        n_turns INTEGER NOT NULL DEFAULT 0,
        n_errors INTEGER NOT NULL DEFAULT 0,
        total_reward {real},
        final_reward {real},
        max_reward {real},
        is_finished INTEGER NOT NULL DEFAULT 0,
        model TEXT,
        input_tokens {bigint} NOT NULL DEFAULT 0,
        output_tokens {bigint} NOT NULL DEFAULT 0,
        reasoning_tokens {bigint} NOT NULL DEFAULT 0,
        cached_tokens {bigint} NOT NULL DEFAULT 0,
        cache_write_tokens {bigint} NOT NULL DEFAULT 0
    )""",
    "CREATE INDEX rollouts_by_run ON rollouts (run_name, seq)",
    """CREATE TABLE events (
        seq {serial_pk},
        rollout_id TEXT NOT NULL,
        idx INTEGER NOT NULL,
        ts {real} NOT NULL,
        type TEXT NOT NULL,
        kind TEXT,
        content TEXT,
        content_reference TEXT,
        summary TEXT,
        name TEXT,
        call_id TEXT,
        reward {real},
        is_finished INTEGER NOT NULL DEFAULT 0,
        is_error INTEGER,
        metadata TEXT,
        model TEXT,
        input_tokens {bigint},
        output_tokens {bigint},
        reasoning_tokens {bigint},
        cached_tokens {bigint},
        cache_write_tokens {bigint},
        latency_ms {real},
        stop_reason TEXT,
        attachments TEXT,
        raw TEXT
    )""",
    "CREATE UNIQUE INDEX events_by_rollout ON events (rollout_id, idx)",
    "CREATE TABLE blobs (sha256 TEXT PRIMARY KEY, mime TEXT, size {bigint} NOT NULL, data {blob} NOT NULL)",
]

# What has been uploaded where (openreward_nb.upload): one row per rollout queued for upload to one
# API (``target``). Events are sent in index order: ``next_idx`` is where the next read starts and
# ``n_sent`` counts the events sent so far, so ``n_sent < rollouts.n_events`` means work is left.
# ``error`` holds the server's answer when it refused the rollout (4xx); such rows wait for a retry.
_V2 = [
    """CREATE TABLE upload_cursors (
        target TEXT NOT NULL,
        rollout_id TEXT NOT NULL,
        start_sent INTEGER NOT NULL DEFAULT 0,
        next_idx INTEGER NOT NULL DEFAULT 0,
        n_sent INTEGER NOT NULL DEFAULT 0,
        info_sent TEXT,
        error TEXT,
        updated_at {real},
        PRIMARY KEY (target, rollout_id)
    )""",
]

# Search (openreward_nb.fulltext): how far its index has read the events table, by ``seq``. The index
# itself (SQLite FTS5, PostgreSQL pg_trgm) is created by the search module where the database has
# it. ``kept`` is 1 once writers keep it current in their idle time: from the start for a store
# created empty; a store upgraded with events in it is indexed on its first search instead.
# Named, not numbered: its version is its place in MIGRATIONS.
_SEARCH = [
    "CREATE TABLE search_state (name TEXT PRIMARY KEY, mark {bigint} NOT NULL, kept INTEGER NOT NULL)",
    "INSERT INTO search_state (name, mark, kept) "
    "SELECT 'events', 0, CASE WHEN EXISTS (SELECT 1 FROM events) THEN 0 ELSE 1 END",
]

# Annotations (openreward_nb.annotations): labels, notes and scores people give to rollouts and to
# their steps, in tables of their own so a store can be copied without them. ``idx`` is the
# labelled event's index, NULL for the rollout as a whole; ``id`` is a UUID, so copies between
# stores meet on it. A run's label set (a JSON list of labels) is what its views offer on number keys.
# Named, not numbered: its version is its place in MIGRATIONS.
_ANNOTATIONS = [
    """CREATE TABLE annotations (
        id TEXT PRIMARY KEY,
        rollout_id TEXT NOT NULL,
        idx INTEGER,
        label TEXT,
        note TEXT,
        score {real},
        author TEXT NOT NULL,
        created_at {real} NOT NULL,
        updated_at {real} NOT NULL
    )""",
    "CREATE INDEX annotations_by_rollout ON annotations (rollout_id, idx)",
    "CREATE INDEX annotations_by_label ON annotations (label)",
    """CREATE TABLE label_sets (
        run_name TEXT PRIMARY KEY,
        labels TEXT NOT NULL,
        author TEXT,
        updated_at {real} NOT NULL
    )""",
]

# Raw payloads may be stored by reference to their row's own columns (openreward_nb.store.raw_codec):
# no table changes, but a version that would read such a row as the payload itself must not open the store.
_RAW_REFERENCES: list[str] = []

MIGRATIONS: list[list[str]] = [_V1, _V2, _SEARCH, _ANNOTATIONS, _RAW_REFERENCES]
SCHEMA_VERSION = len(MIGRATIONS)

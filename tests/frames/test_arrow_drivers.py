"""events_df through the ADBC drivers: the same frames as through sqlite3 / psycopg, in the right snapshot."""

from __future__ import annotations

import threading
from pathlib import Path

import pandas as pd
import pytest

import openreward_nb as orn
from openreward_nb import AssistantMessage, OpenReward, ToolCall, ToolResult, UserMessage
from openreward_nb.frames import postgres_arrow, sqlite_arrow
from openreward_nb.store.location import open_store


def _record(client: OpenReward) -> None:
    """Odd text (non-ASCII, control characters, empty strings), nulls in every nullable
    column and long results, so every column kind crosses the driver."""
    for i in range(3):
        with client.rollout.create("run", rollout_name=f"r{i}", metadata={"i": i, "tag": "ü" * i}) as r:
            r.log(UserMessage("naïve — 日本語 \t\u2028 ok"))
            r.log(AssistantMessage(""), metadata={"deep": {"n": 2**40}})
            r.log(ToolCall(name="bash", content='{"cmd": "ls"}', call_id=f"c{i}"))
            r.log(ToolResult(content="x" * 5000, call_id=f"c{i}"), reward=-0.5 * i)
            if i < 2:
                r.log(AssistantMessage("done"), reward=1.0, is_finished=True)
    client.rollout.close()


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A SQLite store recorded by :func:`_record`."""
    path = tmp_path / "arrow.sqlite"
    _record(OpenReward(store=path))
    return path


def _both(path: Path, monkeypatch: pytest.MonkeyPatch, **filters) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """events_df through sqlite3 (the driver disabled), then through the driver (from the first
    event), and how many batches the driver sent."""
    monkeypatch.setattr(sqlite_arrow, "MIN_EVENTS", 10**12)
    plain = orn.events_df(store=path, **filters)
    monkeypatch.setattr(sqlite_arrow, "MIN_EVENTS", 0)
    batches = []
    real = sqlite_arrow.read_pages
    monkeypatch.setattr(sqlite_arrow, "read_pages", lambda *a: (batches.append(b) or b for b in real(*a)))
    fast = orn.events_df(store=path, **filters)
    assert batches or fast.empty, "the driver path was not taken"
    return plain, fast, len(batches)


def test_the_driver_gives_the_same_frame(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plain, fast, batches = _both(store, monkeypatch)
    assert len(plain) == 14 and batches == 1
    pd.testing.assert_frame_equal(fast, plain)
    plain, fast, _ = _both(store, monkeypatch, types="tool_result")
    pd.testing.assert_frame_equal(fast, plain)
    plain, fast, _ = _both(store, monkeypatch, runs="run", environment="nowhere")
    assert fast.empty
    pd.testing.assert_frame_equal(fast, plain)


def test_a_page_too_big_for_one_batch_is_read_in_parts(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        sqlite_arrow, "MAX_BATCH_BYTES", 6000
    )  # the 5,000-character results then fit one or two to a batch
    plain, fast, batches = _both(store, monkeypatch)
    assert batches >= 3  # no batch holds two of the three results
    pd.testing.assert_frame_equal(fast, plain)


def _no_reread(index: int) -> list[tuple]:
    raise AssertionError(f"page {index} was read again in this process")


def test_a_failing_read_names_the_driver_error(store: Path) -> None:
    import pyarrow as pa

    with pytest.raises(RuntimeError, match=r"ADBC SQLite driver failed.*no_such_column"):
        list(sqlite_arrow.read_pages(store, [("SELECT no_such_column FROM events", [])], [pa.string()], _no_reread))


def test_reads_beside_a_live_writer_lose_no_committed_event(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The driver links its own SQLite; in a child process it cannot break the writer's locks or WAL."""
    monkeypatch.setattr(sqlite_arrow, "MIN_EVENTS", 0)
    path = tmp_path / "live.sqlite"
    client = OpenReward(store=path)
    stop = threading.Event()
    logged = []

    def write() -> None:
        rollout = client.rollout.create("live", rollout_name="w")
        while not stop.is_set():
            rollout.log(UserMessage(f"step {len(logged)}"))
            logged.append(1)
            if len(logged) % 50 == 0:
                client.rollout.flush()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        seen = []
        while len(seen) < 5:
            if len(logged) >= 50:
                frame = orn.events_df(store=path)
                assert frame["idx"].tolist() == list(range(len(frame)))  # a consistent prefix
                seen.append(len(frame))
        assert seen == sorted(seen)
    finally:
        stop.set()
        writer.join()
    client.rollout.close()
    assert len(orn.events_df(store=path)) == len(logged)
    import sqlite3

    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


@pytest.mark.postgres
def test_the_postgres_driver_gives_the_same_frames(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    client = OpenReward(store=pg_url)
    _record(client)
    for filters in ({}, {"types": "tool_result"}, {"environment": "nowhere"}, {"metadata": {"i": 1}}):
        monkeypatch.setattr(postgres_arrow, "available", lambda: False)
        plain = orn.events_df(store=pg_url, **filters)
        monkeypatch.undo()
        assert postgres_arrow.available()  # part of the postgres extra
        pd.testing.assert_frame_equal(orn.events_df(store=pg_url, **filters), plain)


@pytest.mark.postgres
def test_the_postgres_driver_reads_in_the_plans_snapshot(pg_url: str) -> None:
    """Events committed after the snapshot opened are not read, though the driver's session starts later."""
    import pyarrow as pa

    client = OpenReward(store=pg_url)
    rollout = client.rollout.create("run", rollout_name="live")
    rollout.log(UserMessage("one"))
    rollout.log(UserMessage("two"))
    client.rollout.flush()
    store = open_store(pg_url)
    sql = store.translate("SELECT e.idx FROM events e WHERE e.rollout_id = ? ORDER BY e.idx")
    with store.snapshot():
        assert store.query(sql, (rollout.id,)) == [(0,), (1,)]  # PostgreSQL takes the snapshot at the first read
        rollout.log(UserMessage("three"))
        client.rollout.flush()  # committed by the writer's own connection
        (page,) = postgres_arrow.read_pages(store, [(sql, [rollout.id])], [pa.int64()])
    assert page.column(0).to_pylist() == [0, 1]
    assert [idx for (idx,) in store.query(sql, (rollout.id,))] == [0, 1, 2]
    client.close()


@pytest.mark.postgres
def test_a_failing_postgres_read_names_the_store_not_its_password(pg_url: str) -> None:
    import pyarrow as pa

    store = open_store(pg_url)
    with store.snapshot(), pytest.raises(RuntimeError, match=r"ADBC PostgreSQL driver failed.*no_such_column") as err:
        list(postgres_arrow.read_pages(store, [("SELECT no_such_column FROM events", [])], [pa.string()]))
    assert "postgres:postgres@" not in str(err.value)

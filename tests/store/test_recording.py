"""Recording into a store (SQLite and PostgreSQL): round trips, aggregates, lifecycle and bad input."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import sqlite3
import subprocess
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import msgspec
import pytest

from openreward_nb import (
    AssistantMessage,
    ClientClosedError,
    NotFoundError,
    OpenReward,
    ReasoningItem,
    RolloutClosedError,
    RolloutInfo,
    RunInfo,
    ToolCall,
    ToolResult,
    UserMessage,
)
from openreward_nb.events import event_from_message
from openreward_nb.store import close_store, open_store, resolve_store_url, schema
from openreward_nb.store import writer as writer_module
from openreward_nb.store.base import Store
from openreward_nb.store.writer import UPKEEP_AFTER_S, YIELD_EVERY

from ..helpers import PYTHON, required, subprocess_env


def _events(client, rollout):
    client.rollout.flush()
    return list(client.rollouts.get(rollout.id).events())


def test_aggregates_are_kept_current_at_write_time(client) -> None:
    r = client.rollout.create("agg", rollout_name="e0")
    r.log(UserMessage("go"))
    r.log(ReasoningItem(summary="think"))
    r.log(ToolCall(name="a", content="{}", call_id="1"))
    r.log(ToolCall(name="b", content="{}", call_id="2"))
    r.log(ToolResult(content="x", call_id="1"), reward=-0.5)
    r.log(ToolResult(content="y", call_id="2"), reward=2.0)
    r.log(AssistantMessage("answer"), reward=0.25, is_finished=True)
    client.rollout.flush()
    rec = client.rollouts.get(r.id)
    assert (rec.n_events, rec.n_tool_calls, rec.n_turns) == (7, 2, 2)
    assert rec.total_reward == pytest.approx(1.75)
    assert rec.final_reward == 0.25 and rec.max_reward == 2.0
    assert rec.is_finished and rec.status == "finished"
    assert rec.duration_s is not None and rec.duration_s >= 0
    # the incremental aggregates equal a recomputation from the events
    client.store.recompute(client.store.reader(), [r.id])
    again = client.rollouts.get(r.id)
    assert again == rec  # records compare field by field (the store handle is left out)


def test_aggregates_span_many_batches(client) -> None:
    r = client.rollout.create("many")
    for i in range(5000):
        r.log(ToolResult(content=str(i), call_id=str(i)), reward=1.0 if i % 2 else None)
        if i % 1234 == 0:
            client.rollout.flush()
    client.rollout.flush()
    rec = client.rollouts.get(r.id)
    assert rec.n_events == 5000 and rec.total_reward == 2500.0 and rec.final_reward == 1.0
    assert [e.idx for e in rec.events(page_size=333)] == list(range(5000))


def test_status_lifecycle_and_context_manager(client) -> None:
    running = client.rollout.create("life")
    running.log(UserMessage("still going"))
    with client.rollout.create("life") as ok:
        ok.log(UserMessage("fine"))
    with pytest.raises(KeyError):
        with client.rollout.create("life") as bad:
            bad.log(UserMessage("about to fail"))
            raise KeyError("no such tool")
    client.rollout.flush()
    by_id = {r.id: r for r in client.runs.get("life").rollouts()}
    assert by_id[running.id].status == "running" and by_id[running.id].ended_at is None
    assert by_id[ok.id].status == "finished" and by_id[ok.id].ended_at is not None
    failed = by_id[bad.id]
    assert failed.status == "failed" and "KeyError" in failed.error and "no such tool" in failed.error
    assert client.runs.get("life").n_failed == 1
    client.rollout.close()
    assert client.rollouts.get(running.id).status == "finished"  # close ends what is still open


def test_finish_then_log_raises_and_nothing_recorded_is_lost(client) -> None:
    r = client.rollout.create("ended")
    r.log(UserMessage("one"))
    r.finish()
    r.finish()  # idempotent
    with pytest.raises(RolloutClosedError, match=r.id):
        r.log(UserMessage("two"))
    assert [e.content for e in _events(client, r)] == ["one"]


def test_logging_after_client_close_raises(client) -> None:
    r = client.rollout.create("closed")
    r.log(UserMessage("kept"))
    client.rollout.close()
    client.rollout.close()  # idempotent
    with pytest.raises(ClientClosedError):
        r.log(UserMessage("late"))
    with pytest.raises(ClientClosedError):
        client.rollout.create("closed")
    assert [e.content for e in client.rollouts.get(r.id).events()] == ["kept"]


def test_a_closed_client_stops_its_writer_and_its_idle_work(client) -> None:
    """After close nothing of the client keeps running: no thread, no idle-time indexing (a search
    reads what the index lacks), and flushing again has nothing to wait for."""
    from openreward_nb import search
    from openreward_nb.fulltext.index import index_for

    r = client.rollout.create("closing")
    for k in range(500):
        r.log(UserMessage(f"needle {k}"))
    writer = client.rollout.writer
    client.close()
    writer._thread.join(10)
    assert not writer._thread.is_alive() and writer.pending == 0
    state = index_for(client.store).state()
    time.sleep(UPKEEP_AFTER_S * 4)  # long past when the writer would have indexed in its idle time
    assert index_for(client.store).state() == state
    client.rollout.flush()
    client.close()
    assert len(search("needle", store=client.store, limit=1000)) == 500


def test_a_flush_racing_the_writers_end_returns(store_url) -> None:
    """close() lets the writer's thread end once its queue is empty; a flush asked for just then (here: as
    it releases its connection) must not be left in a queue nobody reads."""
    for k in range(50):
        client = OpenReward(store=store_url)
        client.rollout.create("racing", rollout_name=f"r{k}").log(UserMessage("hi"))
        client.rollout.close(10)
        client.rollout.flush(10)  # as the thread ends, or after: resolved either way
        client.close()
        client.rollout.flush(10)
    assert client.runs.get("racing").n_rollouts == 50


def test_log_calls_yield_the_gil_while_the_store_writes(client, monkeypatch) -> None:
    """While the store writes a batch's rows (the part of its write that runs without the GIL), log
    calls go on beside it and yield the GIL every YIELD_EVERY ops, so the writer gets it back as soon as
    its statement returns instead of after CPython's switch interval."""
    writer = client.rollout.writer
    writer.max_queue = 3 * YIELD_EVERY
    store = client.store
    real_insert = store.insert_events
    inside, release = threading.Event(), threading.Event()

    def insert_and_hold(cur, rows, handed_over=None) -> None:
        def hand_over() -> None:
            handed_over()
            inside.set()
            release.wait(30)

        real_insert(cur, rows, handed_over if inside.is_set() else hand_over)

    real_sleep = time.sleep
    yields = []

    def sleep(seconds: float) -> None:
        if seconds == 0 and threading.current_thread().name == "logging":
            yields.append(seconds)
        real_sleep(seconds)

    monkeypatch.setattr(store, "insert_events", insert_and_hold)
    monkeypatch.setattr(writer_module.time, "sleep", sleep)
    r = client.rollout.create("beside")
    r.log(UserMessage("first"))
    n = 2 * writer.max_queue
    logger = threading.Thread(
        target=lambda: [r.log(UserMessage(f"m{i}")) for i in range(n)], name="logging", daemon=True
    )
    try:
        assert inside.wait(30)  # the writer took what was queued and is in the store with it
        held = writer.pending
        logger.start()
        deadline = time.monotonic() + 30
        while writer.pending < held + writer.max_queue and time.monotonic() < deadline:
            real_sleep(0.01)
        assert writer.pending == held + writer.max_queue  # the queue filled while the store held its write
        assert len(yields) == writer.max_queue // YIELD_EVERY
    finally:
        release.set()
        if logger.ident is not None:
            logger.join(30)
    client.rollout.flush()
    assert client.rollouts.get(r.id).n_events == n + 1


@pytest.mark.parametrize("run_name", ["", "   ", None, 3])
def test_bad_run_name(client, run_name) -> None:
    with pytest.raises(ValueError, match="run_name"):
        client.rollout.create(run_name)


@pytest.mark.parametrize(
    "reward, error",
    [
        (math.nan, ValueError),
        (math.inf, ValueError),
        (-math.inf, ValueError),
        ("1.0", TypeError),
        (True, TypeError),
        ([1], TypeError),
    ],
)
def test_bad_reward_raises_naming_the_value(client, reward, error) -> None:
    r = client.rollout.create("rewards")
    r.log(UserMessage("before"))
    with pytest.raises(error, match="reward"):
        r.log(UserMessage("bad"), reward=reward)
    r.log(UserMessage("after"), reward=1)
    assert [(e.content, e.reward) for e in _events(client, r)] == [("before", None), ("after", 1.0)]


def test_numpy_rewards_are_accepted(client) -> None:
    np = required("numpy")
    r = client.rollout.create("np")
    r.log(UserMessage("a"), reward=np.float32(0.5), is_finished=np.bool_(True))
    r.log(UserMessage("b"), reward=np.int64(2))
    assert [e.reward for e in _events(client, r)] == [0.5, 2.0]
    with pytest.raises(ValueError, match="nan"):
        r.log(UserMessage("c"), reward=np.float64("nan"))


@pytest.mark.parametrize(
    "message, error, pattern",
    [
        ({"type": "shout", "content": "x"}, ValueError, "unknown message type 'shout'"),
        ({"content": "no type"}, ValueError, "unknown message type None"),
        (42, TypeError, "got int"),
        ("just text", TypeError, "got str"),
        ({"type": "tool_call", "content": "{}"}, ValueError, "needs a non-empty 'name'"),
        ({"type": "user_message", "content": 5}, TypeError, "'content' must be a string"),
    ],
)
def test_bad_messages(client, message, error, pattern) -> None:
    r = client.rollout.create("bad-messages")
    with pytest.raises(error, match=pattern):
        r.log(message)
    assert r.logged_messages == 0


@dataclasses.dataclass
class _Point:
    x: int
    y: float


class _Span(msgspec.Struct):
    start: int
    tags: frozenset


def test_metadata_conversion(client, tmp_path) -> None:
    np = required("numpy")
    pydantic = required("pydantic")

    class Model(pydantic.BaseModel):
        name: str
        when: dt.date

    meta = {
        "np_scalar": np.float64(1.5),
        "np_int": np.int32(7),
        "array": np.arange(3),
        "when": dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
        "path": Path("/tmp/x"),
        "point": _Point(1, 2.0),
        "span": _Span(3, frozenset({"b", "a"})),
        "model": Model(name="m", when=dt.date(2026, 1, 1)),
        "id": uuid.UUID(int=1),
        "nested": {"tuple": (1, 2), 3: "int key", "nan": float("nan")},
    }
    r = client.rollout.create("meta", metadata=meta)
    r.log(UserMessage("x"), metadata=meta)
    stored = _events(client, r)[0].metadata
    assert stored == {
        "np_scalar": 1.5,
        "np_int": 7,
        "array": [0, 1, 2],
        "when": "2026-01-02T03:04:05+00:00",
        "path": "/tmp/x",
        "point": {"x": 1, "y": 2.0},
        "span": {"start": 3, "tags": ["a", "b"]},
        "model": {"name": "m", "when": "2026-01-01"},
        "id": "00000000-0000-0000-0000-000000000001",
        "nested": {"tuple": [1, 2], "3": "int key", "nan": "NaN"},
    }
    assert client.rollouts.get(r.id).metadata == stored


def test_metadata_that_json_cannot_hold_names_the_key_path(client) -> None:
    r = client.rollout.create("meta-bad")
    with pytest.raises(TypeError, match=r"metadata\['a'\]\[1\]\['f'\].*object"):
        r.log(UserMessage("x"), metadata={"a": [1, {"f": object()}]})
    with pytest.raises(TypeError, match="metadata must be a dict"):
        r.log(UserMessage("x"), metadata=["not", "a", "dict"])
    with pytest.raises(TypeError, match=r"task_spec\['k'\]"):
        client.rollout.create("meta-bad", task_spec={"k": lambda: 1})
    r.log(UserMessage("still fine"))
    assert len(_events(client, r)) == 1


def test_metadata_is_copied_when_logged(client) -> None:
    meta = {"step": 1, "tags": ["a"]}
    r = client.rollout.create("copy")
    r.log(UserMessage("x"), metadata=meta)
    meta["step"] = 2
    meta["tags"].append("b")
    assert _events(client, r)[0].metadata == {"step": 1, "tags": ["a"]}


def test_nul_bytes_in_names_are_cleaned_on_every_backend(client) -> None:
    from openreward_nb.events import Event

    r = client.rollout.create("ru\x00n", rollout_name="ep\x00", environment="env\x00/x", split="tr\x00ain")
    r._emit(Event("tool_call", "{}", name="ba\x00sh", call_id="c\x001", kind="fun\x00ction", model="m\x00"))
    r.finish("bro\x00ken")
    client.rollout.flush()
    rec = client.rollouts.get(r.id)
    assert (rec.run_name, rec.rollout_name, rec.environment, rec.split) == ("run", "ep", "env/x", "train")
    assert rec.error == "broken"
    [ev] = list(rec.events())
    assert (ev.name, ev.call_id, ev.kind, ev.model) == ("bash", "c1", "function", "m")


def test_events_of_every_shape_in_one_batch_keep_the_order_they_were_logged(client) -> None:
    """SQLite writes a batch's rows in groups (by the columns they fill), then moves them into the table in one
    statement: each row keeps the seq, the fields and the order it was logged with, on every backend."""
    logged = [
        (UserMessage("u"), None, None),
        (AssistantMessage("a"), 0.25, {"k": [1, None]}),
        (ToolCall(name="bash", content='{"cmd": "ls"}', call_id="c1"), None, None),
        (ToolResult(content="out", call_id="c1"), 1.0, None),
        (ReasoningItem(content="think", summary="s", content_reference="ref"), None, {"z": 1}),
        (UserMessage(""), -0.5, None),
    ]
    r = client.rollout.create("shapes")
    for k in range(300):  # every shape over and over, in one flush
        message, reward, metadata = logged[k % len(logged)]
        r.log(message, reward=reward, metadata=metadata)
    client.rollout.flush()
    r.log(UserMessage("after"))  # a second batch goes after the first
    client.rollout.flush()
    sql = client.store.translate("SELECT idx FROM events WHERE rollout_id = ? ORDER BY seq")
    order = client.store.query(sql, (r.id,))
    assert [idx for (idx,) in order] == list(range(301))
    events = _events(client, r)
    for k, event in enumerate(events[:300]):
        message, reward, metadata = logged[k % len(logged)]
        assert (event.type, event.content, event.reward, event.metadata) == (
            message.type,
            message.content,
            reward,
            metadata,
        )
        assert (event.name, event.call_id) == (getattr(message, "name", None), getattr(message, "call_id", None))
        assert (event.summary, event.content_reference) == (
            getattr(message, "summary", None),
            getattr(message, "content_reference", None),
        )
    assert events[-1].content == "after" and events[-1].idx == 300


def _insert_user_messages(store: Store, conn: Any, texts: list[str]) -> None:
    """One batch of user messages of rollout "r", through the store's own insert on ``conn``."""
    from openreward_nb.store.ops import EventOp, plan_batch

    ops = [EventOp("r", i, 1.0, event_from_message(UserMessage(t)), None, False, None) for i, t in enumerate(texts)]
    with store.transaction(conn) as cur:
        store.insert_events(cur, plan_batch(ops, {}).events)


def test_sqlite_gives_back_the_staging_memory_of_a_batch(tmp_path) -> None:
    """SQLite stages a batch's rows in an in-memory table: once they have moved into ``events`` its pages
    go back, so a writer (or the ingest server, after one huge batch) does not keep them for good."""
    from openreward_nb.store.sqlite import SQLiteStore

    store = SQLiteStore(tmp_path / "staging.sqlite")
    conn = store.connect()
    try:
        _insert_user_messages(store, conn, ["x" * 4000] * 500)
        pages, free = (conn.execute(f"PRAGMA temp.{what}").fetchone()[0] for what in ("page_count", "freelist_count"))
        assert conn.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 500
    finally:
        conn.close()
        store.close_reader()
    assert free == 0 and pages < 10  # 2 MB staged, none of it kept


def test_sqlite_one_pass_connections_keep_a_small_page_cache_and_spill_a_batch_beyond_it(tmp_path) -> None:
    """The writer's and the uploader's connections touch most pages once: a batch bigger than their page
    cache spills to the WAL before its commit and is stored whole."""
    from openreward_nb.store.sqlite import ONE_PASS_CACHE_KIB, SQLiteStore

    store = SQLiteStore(tmp_path / "one-pass.sqlite")
    texts = [f"{i:05d}" + "y" * 4000 for i in range(1000)]  # 4 MB: eight times the cache
    conn, plain = store.connect(one_pass=True), store.connect()
    try:
        assert conn.execute("PRAGMA cache_size").fetchone()[0] == -ONE_PASS_CACHE_KIB
        assert plain.execute("PRAGMA cache_size").fetchone()[0] == -2000  # SQLite's default elsewhere
        _insert_user_messages(store, conn, texts)
        stored = [row[0] for row in plain.execute("SELECT content FROM events ORDER BY idx")]
    finally:
        conn.close()
        plain.close()
        store.close_reader()
    assert stored == texts


def test_text_cleaning_and_exact_round_trips(client) -> None:
    big = ("αβγ 🚀 " * 1_000_000)[:10_000_000]
    texts = {
        "emoji": "reward 🎉👩‍👩‍👧 done",
        "rtl": "مرحبا بالعالم — שלום עולם",
        "mixed": "a\u200fb\u202ec\r\n\ttabs",
        "big": big,
    }
    r = client.rollout.create("text")
    for text in texts.values():
        r.log(AssistantMessage(text))
    r.log(UserMessage("nul\x00byte"))
    r.log(UserMessage("lone \ud800 surrogate"))
    r.log(ReasoningItem(summary="sum\x00mary \udfff"))
    events = _events(client, r)
    assert [e.content for e in events[:4]] == list(texts.values())
    assert events[4].content == "nulbyte"
    assert events[5].content == "lone \\ud800 surrogate"
    assert events[6].summary == "summary \\udfff"


def test_run_info_is_merged_into_each_rollout(store_url) -> None:
    c = OpenReward(store=store_url, run_info=RunInfo(model_name="base", lr=1e-5))
    a = c.rollout.create("ri")
    b = c.rollout.create("ri", run_info=RunInfo(model_name="override", batch_size=8))
    c.run_info = RunInfo(model_name="later")
    d = c.rollout.create("ri")
    c.rollout.close()
    got = {r.id: r.run_info for r in c.runs.get("ri").rollouts()}
    assert got[a.id] == {"model_name": "base", "lr": 1e-5}
    assert got[b.id] == {"model_name": "override", "lr": 1e-5, "batch_size": 8}
    assert got[d.id] == {"model_name": "later"}


def test_rollout_info_updates_merge(client) -> None:
    r = client.rollout.create("info")
    r.log(UserMessage("a"), rollout_info=RolloutInfo(task_index=3, temperature=0.7))
    r.log(UserMessage("b"), rollout_info=RolloutInfo(task_index=3, current_step=10))
    client.rollout.flush()
    assert client.rollouts.get(r.id).rollout_info == {"task_index": 3, "temperature": 0.7, "current_step": 10}


def test_read_side_lookups(client) -> None:
    r = client.rollout.create("lookup")
    r.log(UserMessage("a"))
    assert client.rollouts.get(r.id[:8]).id == r.id  # a unique prefix is enough
    with pytest.raises(NotFoundError, match="lookup"):
        client.runs.get("no-such-run")
    with pytest.raises(NotFoundError, match="no rollout"):
        client.rollouts.get("ffffffff-0000")
    assert client.runs.names() == ["lookup"]
    assert [x.id for x in client.rollouts.iter(run="lookup")] == [r.id]
    assert client.rollouts.get(r.id).event(0).content == "a"


def test_store_location_rules(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OPENREWARD_NB_STORE", raising=False)
    assert resolve_store_url() == f"sqlite:///{tmp_path / '.openreward_nb' / 'store.sqlite'}"
    monkeypatch.setenv("OPENREWARD_NB_STORE", "sqlite:///rel/x.db")
    assert resolve_store_url() == f"sqlite:///{tmp_path / 'rel' / 'x.db'}"
    assert resolve_store_url("sqlite:////abs/y.db") == "sqlite:////abs/y.db"
    assert resolve_store_url(tmp_path / "z.db") == f"sqlite:///{tmp_path / 'z.db'}"
    assert resolve_store_url("postgres://u:p@db.example/runs") == "postgresql://u:p@db.example/runs"
    assert resolve_store_url("postgresql+psycopg://db.example/runs") == "postgresql://db.example/runs"
    monkeypatch.setenv("OPENREWARD_NB_STORE", "postgresql://db.example/team")
    assert resolve_store_url() == "postgresql://db.example/team"
    for bad in ["mysql://h/db", "sqlite:///:memory:", ""]:
        with pytest.raises(ValueError, match="store"):
            resolve_store_url(bad)
    c = OpenReward(store=f"sqlite:///{tmp_path}/via-url.db")
    c.rollout.create("u").log(UserMessage("x"))
    c.close()
    assert (tmp_path / "via-url.db").exists()


def test_store_is_wal_with_a_versioned_schema(store_path) -> None:
    c = OpenReward(store=store_path)
    c.rollout.create("wal").log(UserMessage("x"))
    c.close()
    con = sqlite3.connect(store_path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == str(schema.SCHEMA_VERSION)


def _set_schema_version(store_url: str, version: int) -> None:
    store = open_store(store_url)
    with store.transaction(store.reader()) as cur:
        cur.execute(store.translate("UPDATE meta SET value = ? WHERE key = 'schema_version'"), (str(version),))
    close_store(store)


def test_a_newer_schema_is_refused(store_url) -> None:
    _set_schema_version(store_url, 999)
    with pytest.raises(RuntimeError, match="schema version 999, newer"):
        open_store(store_url)


def test_migrations_upgrade_an_older_store(store_url, monkeypatch) -> None:
    close_store(open_store(store_url))
    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, ["CREATE TABLE extra_next (x INTEGER)"]])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", len(schema.MIGRATIONS))
    store = open_store(store_url)
    assert store.query("SELECT value FROM meta WHERE key='schema_version'") == [(str(schema.SCHEMA_VERSION),)]
    assert store.query("SELECT COUNT(*) FROM extra_next") == [(0,)]


def test_close_runs_at_interpreter_exit(store_url) -> None:
    script = f"""
from openreward_nb import OpenReward, UserMessage
c = OpenReward(store={store_url!r})
r = c.rollout.create("exit-run")
for i in range(20000):
    r.log(UserMessage(str(i)))
# no flush, no close: the atexit hook must write everything
"""
    subprocess.run([PYTHON, "-c", script], check=True, env=subprocess_env(), timeout=120)
    reader = OpenReward(store=store_url)
    [rec] = list(reader.runs.get("exit-run").rollouts())
    assert rec.n_events == 20000 and rec.status == "finished"


def test_events_are_streamed_in_pages(client, monkeypatch) -> None:
    r = client.rollout.create("paged")
    for i in range(2500):
        r.log(UserMessage(str(i)))
    client.rollout.flush()
    rec = client.rollouts.get(r.id)
    calls = []
    original = client.store.events_page

    def spy(*args, **kwargs):
        rows = original(*args, **kwargs)
        calls.append(len(rows))
        return rows

    monkeypatch.setattr(client.store, "events_page", spy)
    it = rec.events(page_size=1000)
    assert next(it).content == "0" and calls == [1000]
    assert sum(1 for _ in it) == 2499 and calls == [1000, 1000, 500]
    assert [e.idx for e in rec.events(10, 13)] == [10, 11, 12]
    assert [e.idx for e in rec.events(types=["tool_call"])] == []


def test_json_fields_read_the_same_on_every_backend(client) -> None:
    meta = {
        "s": "text",
        "i": 7,
        "f": 1.5,
        "t": True,
        "no": False,
        "null": None,
        "nested": {"a": [1, 2]},
        "quote'": 1,
        'double"quote': 2,
        "back\\slash": 3,
        "new\nline": 4,
        "tab\t and \u00e9 and \u2028": 5,
    }
    client.rollout.create("json", metadata=meta)
    client.rollout.flush()
    store = client.store
    got = {}
    for key in [*meta, "missing"]:
        expr, params = store.json_field_sql("metadata", key)
        sql = store.translate(f"SELECT {expr} FROM rollouts WHERE run_name = ?")
        got[key] = store.query(sql, (*params, "json"))[0][0]
    assert got == {
        "s": "text",
        "i": "7",
        "f": "1.5",
        "t": "true",
        "no": "false",
        "null": None,
        "nested": '{"a":[1,2]}',
        "quote'": "1",
        'double"quote': "2",
        "back\\slash": "3",
        "new\nline": "4",
        "tab\t and \u00e9 and \u2028": "5",
        "missing": None,
    }


def test_a_snapshot_reads_one_state_of_the_store(client) -> None:
    r = client.rollout.create("snap")
    r.log(UserMessage("0"))
    client.rollout.flush()
    store = client.store
    with store.snapshot():
        assert store.rollout_status(r.id) == ("running", 1)
        r.log(UserMessage("1"))
        client.rollout.writer.flush()  # committed by the writer meanwhile ...
        with store.snapshot():  # (snapshots nest)
            assert store.rollout_status(r.id) == ("running", 1)  # ... but not seen inside the snapshot
        assert len(store.events_page(r.id)) == 1
    assert store.rollout_status(r.id) == ("running", 2)


def test_importing_the_package_does_not_load_the_postgres_driver() -> None:
    code = "import sys, openreward_nb; assert 'psycopg' not in sys.modules, 'psycopg was imported'"
    subprocess.run([PYTHON, "-c", code], check=True, env=subprocess_env(), timeout=60)


def test_a_missing_driver_is_one_clear_line() -> None:
    code = (
        "import sys; sys.modules['psycopg'] = None\n"
        "from openreward_nb import OpenReward, MissingExtraError\n"
        "try:\n    OpenReward(store='postgresql://u:secret@db.example/runs').store\n"
        "except MissingExtraError as exc:\n    print(exc)\n"
    )
    out = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, env=subprocess_env(), timeout=60)
    line = out.stdout.strip()
    assert line.startswith(
        "The PostgreSQL store postgresql://u:***@db.example/runs cannot load: psycopg is not installed here. "
        "Install it with: "
    ), out
    assert line.endswith(" install 'openreward-nb[postgres]'") and "secret" not in line

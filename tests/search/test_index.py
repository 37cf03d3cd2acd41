"""The search index on both backends: the writer keeps it current in its idle time; a store created
before it is indexed on its first search, with its progress; a search sees every event committed
before it while recording goes on, whatever the index has reached."""

from __future__ import annotations

import threading
import time

import pytest

import openreward_nb
from openreward_nb import OpenReward, UserMessage
from openreward_nb.fulltext import engine
from openreward_nb.fulltext.index import index_for
from openreward_nb.fulltext.request import open_search
from openreward_nb.store import close_store, schema
from openreward_nb.store import writer as writer_module
from openreward_nb.store.location import open_store

from .episodes import record_corpus, wait_indexed


def test_the_writer_keeps_the_index_current(client) -> None:
    record_corpus(client)
    wait_indexed(client.store)  # nothing but the writer's idle time indexed it
    state = index_for(client.store).state()
    assert state.kept and state.mark == state.top > 0
    r = client.rollout.create(run_name="more")
    r.log(UserMessage("one more needle"))
    client.rollout.flush()
    wait_indexed(client.store)
    assert open_search("needle", store=client.store).scanned_because is None


def test_no_index_is_read_until_it_answers_for_every_event_before_its_mark(client, monkeypatch) -> None:
    """Events the index has not reached are scanned: none is missed, none is counted twice."""
    record_corpus(client)
    wait_indexed(client.store)
    monkeypatch.setattr(writer_module, "UPKEEP_AFTER_S", 3600.0)
    r = client.rollout.create(run_name="tail", rollout_name="t")
    for k in range(5):
        r.log(UserMessage(f"/challenge/ tail {k}"))
    client.rollout.flush()
    state = index_for(client.store).state()
    assert 0 < state.mark < state.top  # part indexed, part not
    frame = openreward_nb.search("/challenge/", store=client.store)
    assert [n for n in frame["rollout_name"] if n == "t"] == ["t"] * 5
    assert len(frame) == len(set(zip(frame["rollout_id"], frame["idx"], strict=True))) == 4 + 5


def _old_store(url: str, monkeypatch) -> None:
    """A store as openreward-nb kept it before search (the migrations before search_state's), holding the corpus."""
    before = next(n for n, step in enumerate(schema.MIGRATIONS) if any("search_state" in sql for sql in step))
    with monkeypatch.context() as m:
        m.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:before])
        m.setattr(schema, "SCHEMA_VERSION", before)
        old = OpenReward(store=url)
        record_corpus(old)
        old.close()
        old.rollout.writer.close()
        tables = old.store.query(
            "SELECT 1 FROM sqlite_master WHERE name = 'search_state'"
            if "sqlite" in old.store.url
            else "SELECT 1 FROM pg_tables WHERE tablename = 'search_state' AND schemaname = current_schema()"
        )
        close_store(old.store)  # the next opening upgrades it
        assert not tables  # really an old store


def test_a_store_from_before_search_is_indexed_on_its_first_search(store_url, monkeypatch) -> None:
    _old_store(store_url, monkeypatch)
    monkeypatch.setattr(writer_module, "UPKEEP_AFTER_S", 0.0)
    client = OpenReward(store=store_url)  # upgraded on opening; its writer leaves the old events alone
    try:
        r = client.rollout.create(run_name="new", rollout_name="n")
        r.log(UserMessage("a new /challenge/ event"))
        client.rollout.flush()
        time.sleep(0.5)
        state = index_for(client.store).state()
        assert not state.kept and not state.built
        monkeypatch.setattr(engine, "CATCH_UP_AT", 5)  # the corpus is small: index it as a big store would be
        steps: list[tuple[str, int, int]] = []
        searcher = open_search("/challenge/", store=client.store, on_progress=lambda *a: steps.append(a))
        hits = [(h.rollout_name, h.idx) for b in searcher.batches() for h in b]
        assert hits == [("wipe", 1), ("twice", 0), ("twice", 1), ("languages", 1), ("n", 0)]
        assert steps[0] == ("indexing", 0, state.top) and steps[-1][0] == "indexing" and steps[-1][1] == steps[-1][2]
        after = index_for(client.store).state()
        assert after.kept and after.built and after.mark == after.top and searcher.scanned_because is None
    finally:
        client.close()


def test_a_store_this_process_cannot_write_is_scanned_and_says_why(store_url, monkeypatch) -> None:
    _old_store(store_url, monkeypatch)
    open_store(store_url).close_reader()  # upgraded (a writer would), not indexed
    monkeypatch.setattr(engine, "CATCH_UP_AT", 5)
    monkeypatch.setattr(engine, "_writable_connection", lambda store: None)
    searcher = open_search("/challenge/", store=open_store(store_url, read_only=True))
    assert [(h.rollout_name, h.idx) for b in searcher.batches() for h in b] == [
        ("wipe", 1),
        ("twice", 0),
        ("twice", 1),
        ("languages", 1),
    ]
    assert "cannot be written" in (searcher.scanned_because or "")


@pytest.mark.slow
def test_results_see_everything_committed_before_the_query_while_recording_goes_on(client, monkeypatch) -> None:
    """A writer records without pause (its idle-time indexing put off, so the index lags); every search
    finds every event flushed before it began."""
    monkeypatch.setattr(writer_module, "UPKEEP_AFTER_S", 0.0)
    record_corpus(client)
    wait_indexed(client.store)
    monkeypatch.setattr(writer_module, "UPKEEP_AFTER_S", 3600.0)
    committed = [0]
    stop = threading.Event()
    other = OpenReward(store=client.store)  # a second writer, as another process would be

    def record() -> None:
        r = other.rollout.create(run_name="busy", rollout_name="b")
        k = 0
        while not stop.is_set():
            for _ in range(20):
                r.log(UserMessage(f"tick-{k:05d} needle"))
                k += 1
            other.rollout.flush()
            committed[0] = k

    thread = threading.Thread(target=record, daemon=True)
    thread.start()
    try:
        seen = []
        for _ in range(8):
            before = committed[0]
            frame = openreward_nb.search("NEEDLE", store=client.store, limit=1_000_000, progress=False)
            idx = frame["idx"].tolist()
            assert idx[:before] == list(range(before)), "an event flushed before the search is missing"
            seen.append((before, index_for(client.store).state().missing))
            time.sleep(0.05)
        assert seen[-1][0] > seen[0][0] and seen[-1][1] > 0  # recording went on, and the index lagged behind it
    finally:
        stop.set()
        thread.join(30)
        other.close()

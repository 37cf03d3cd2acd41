"""``openreward_nb.search`` on both backends: what the issue names is found (code, punctuation, any
script, any case), through the index and without it alike; filters run in the database; bad input
is named."""

from __future__ import annotations

import pytest

import openreward_nb
from openreward_nb import InvalidArgumentError, NotFoundError, UserMessage
from openreward_nb.fulltext import engine
from openreward_nb.fulltext.request import open_search
from openreward_nb.fulltext.text import FIELDS
from openreward_nb.store import writer as writer_module

from .episodes import record_corpus, wait_indexed


def found(frame) -> list[tuple[str, int]]:
    return list(zip(frame["rollout_name"], frame["idx"], strict=True))


def oracle(client, query: str) -> list[tuple[str, int]]:
    """Every event whose content, summary or tool name holds ``query`` in any case, in recording order,
    read event by event through the records API (no search code involved)."""
    low = query.lower()
    out = []
    for run in client.runs.list():
        for rollout in run.rollouts():
            for ev in rollout.events():
                if any(low in (getattr(ev, f) or "").lower() for f in FIELDS):
                    out.append((rollout.created_at, ev.idx, rollout.rollout_name))
    return [(name, idx) for _, idx, name in sorted(out)]


QUERIES = [
    "rm -rf /",
    "flag{",
    "/challenge/",
    "FLAG",
    "флаг",  # Cyrillic, the store holds ФЛАГ and Флаг
    "目录中",  # Chinese, three characters: the index serves it
    "旗帜",  # two characters: a scan
    "フラグ",  # Japanese
    "🚀",  # an emoji, one character
    "timed out",
    "submit",  # a tool's name
    "clean up",  # a reasoning summary
    '{"cmd": "',  # JSON punctuation
    "no such text anywhere",
]


@pytest.mark.parametrize("state", ["indexed", "not indexed", "half indexed"])
def test_every_query_finds_what_the_events_hold(client, monkeypatch, state: str) -> None:
    """Through the index, a scan of events the index lacks, or both: the same answer as reading every event."""
    if state != "indexed":
        monkeypatch.setattr(writer_module, "UPKEEP_AFTER_S", 3600.0)  # the writer never gets to the index
    if state == "half indexed":
        monkeypatch.setattr(writer_module, "UPKEEP_AFTER_S", 0.0)
        record_corpus(client)
        wait_indexed(client.store)
        monkeypatch.setattr(writer_module, "UPKEEP_AFTER_S", 3600.0)
        r = client.rollout.create(run_name="ctf-c", rollout_name="late")
        r.log(UserMessage("late: rm -rf / and flag{late} under /challenge/, 🚀 ФЛАГ 目录中"))
        client.rollout.flush()
    else:
        record_corpus(client)
    if state == "indexed":
        wait_indexed(client.store)
    plan = open_search("flag{", store=client.store).ready()
    assert (plan.mark > 0) == (state != "not indexed")  # each state reads the index, or not, as named
    for query in QUERIES:
        frame = openreward_nb.search(query, store=client.store)
        assert found(frame) == oracle(client, query), query


def test_the_issue_examples(client) -> None:
    record_corpus(client)
    wait_indexed(client.store)
    s = openreward_nb.search
    assert found(s("rm -rf /", store=client.store)) == [("wipe", 2), ("wipe", 3)]
    assert found(s("flag{", store=client.store)) == [("twice", 2), ("twice", 3), ("twice", 5)]
    assert found(s("/challenge/", store=client.store)) == [("wipe", 1), ("twice", 0), ("twice", 1), ("languages", 1)]
    assert found(s("ФЛАГ", store=client.store)) == [("languages", 0), ("languages", 1)]
    assert found(s("旗帜在目录", store=client.store)) == [("languages", 1)]
    assert found(s("🚩🚀", store=client.store)) == [("languages", 1)]
    frame = s("flag{", store=client.store)
    row = frame.iloc[0]
    assert (row["run"], row["type"], row["reward"], row["total_reward"], row["field"]) == (
        "ctf-a",
        "tool_result",
        0.0,
        1.0,
        "content",
    )
    assert row["snippet"] == "FLAG{first_try}"
    assert list(frame.columns) == [
        "run", "rollout_id", "rollout_name", "idx", "type", "name", "reward", "total_reward", "field", "snippet",
    ]  # fmt: skip


def test_the_match_is_marked_in_its_snippet(client) -> None:
    r = client.rollout.create(run_name="long")
    r.log(UserMessage("x" * 5000 + " Permission DENIED\n\n  while   writing " + "y" * 5000))
    client.rollout.flush()
    searcher = open_search("permission denied", store=client.store)
    hit = next(h for batch in searcher.batches() for h in batch)
    assert hit.snippet[hit.start : hit.end] == "Permission DENIED" == hit.matched
    assert hit.snippet.startswith("…x") and hit.snippet.endswith("y…") and len(hit.snippet) < 300
    assert " while writing " in hit.snippet  # runs of white space shown as one space


def test_regular_expressions(client) -> None:
    record_corpus(client)
    wait_indexed(client.store)

    def regex(pattern: str) -> list[tuple[str, int]]:
        return found(openreward_nb.search(pattern, regex=True, store=client.store))

    assert regex(r"flag\{\w+_try\}") == [("twice", 3), ("twice", 5)]  # as written: case matters
    assert regex(r"(?i)flag\{\w+_try\}") == [("twice", 2), ("twice", 3), ("twice", 5)]
    assert regex(r"(?i)timed out|timeout") == [("wipe", 4), ("languages", 3)]
    assert regex(r"\d+s\b") == [("wipe", 4)]  # no literal part: every event read
    with_literal = open_search(r"flag\{\w+", regex=True, store=client.store)
    without = open_search(r"\d+s\b", regex=True, store=client.store)
    assert with_literal.ready().mark > 0 and with_literal.scanned_because is None
    assert without.ready().mark == 0 and "no literal part" in (without.scanned_because or "")


def test_short_queries_are_answered_by_a_scan_with_its_progress(client) -> None:
    record_corpus(client)
    wait_indexed(client.store)
    steps: list[tuple[str, int, int]] = []
    searcher = open_search("rm", store=client.store, on_progress=lambda *a: steps.append(a))
    hits = [h for batch in searcher.batches() for h in batch]
    assert "too short for the index" in (searcher.scanned_because or "")
    assert [(h.rollout_name, h.idx) for h in hits] == oracle(client, "rm")
    assert steps[0][:2] == ("scanning", 0) and steps[-1][1] == steps[-1][2] > 0  # from nothing to all of it


@pytest.mark.parametrize(
    "query, options, error, named",
    [
        ("", {}, InvalidArgumentError, "empty"),
        ("   ", {}, InvalidArgumentError, "empty"),
        ("(unclosed", {"regex": True}, InvalidArgumentError, "at position 0"),
        ("[z-a]", {"regex": True}, InvalidArgumentError, "bad character range z-a at position 1"),
        ("x", {"runs": "no-such-run"}, NotFoundError, "'no-such-run'; runs in the store: 'ctf-a', 'ctf-b'"),
        ("x", {"types": ["tool_call", "shout"]}, InvalidArgumentError, "unknown event type 'shout'; types: system"),
        ("x", {"status": "done"}, InvalidArgumentError, "unknown status 'done'"),
        ("x", {"min_reward": "high"}, InvalidArgumentError, "min_reward must be a number"),
        ("x", {"max_reward": float("nan")}, InvalidArgumentError, "max_reward must be a number"),
        ("x", {"metadata": {"model": [1]}}, InvalidArgumentError, "JSON field filters compare"),
        ("x", {"by": "run"}, InvalidArgumentError, "by must be 'event' or 'rollout'"),
        ("x", {"limit": 0}, InvalidArgumentError, "limit must be a whole number of at least 1"),
        ("a\x00b", {}, InvalidArgumentError, "NUL"),
        (42, {}, InvalidArgumentError, "a search query is text"),
    ],
)
def test_bad_input_is_named(client, query, options, error, named) -> None:
    record_corpus(client)
    with pytest.raises(error) as caught:
        openreward_nb.search(query, store=client.store, **options)
    assert named in str(caught.value)


def test_filters_run_in_the_database(client) -> None:
    record_corpus(client)
    wait_indexed(client.store)

    def s(query: str, **filters) -> list[tuple[str, int]]:
        return found(openreward_nb.search(query, store=client.store, **filters))

    assert s("/challenge/", runs="ctf-b") == [("languages", 1)]
    assert s("/challenge/", runs=["ctf-a"], types="tool_call") == [("twice", 1)]
    assert s("try", tool="submit") == [("twice", 3), ("twice", 4), ("twice", 5)]  # its calls and their results
    assert s("flag", split="test") == [("languages", 2)]
    assert s("/challenge/", min_reward=0.5) == [("twice", 0), ("twice", 1), ("languages", 1)]
    assert s("/challenge/", max_reward=0.0) == [("wipe", 1)]
    assert s("/challenge/", metadata={"model": "m1"}) == [("wipe", 1), ("languages", 1)]
    assert s("/challenge/", status="running") == []
    # the conditions are in the SQL the store runs, not applied to rows read back
    searcher = open_search("/challenge/", filters=_filters(runs="ctf-b", types="user_message"), store=client.store)
    assert "r.run_name = ?" in searcher.where and "e.type IN (?)" in searcher.where


def _filters(**kw):
    from openreward_nb.fulltext.request import Filters

    return Filters(**kw)


def test_by_rollout_counts_every_match_of_each_rollout(client) -> None:
    a = client.rollout.create(run_name="mix", rollout_name="a")
    b = client.rollout.create(run_name="mix", rollout_name="b")
    a.log(UserMessage("needle one"))
    client.rollout.flush()
    b.log(UserMessage("needle in b"))
    client.rollout.flush()
    a.log(UserMessage("needle two"))  # recorded after b's match: found only by counting a's events again
    a.log(UserMessage("hay"))
    client.rollout.flush()
    frame = openreward_nb.search("NEEDLE", by="rollout", limit=1, store=client.store)
    assert frame[["rollout_name", "matches", "first_idx", "snippet"]].values.tolist() == [["a", 2, 0, "needle one"]]
    both = openreward_nb.search("needle", by="rollout", store=client.store)
    assert both[["rollout_name", "matches"]].values.tolist() == [["a", 2], ["b", 1]]


def test_limit_keeps_the_first_matches(client) -> None:
    r = client.rollout.create(run_name="many")
    for k in range(30):
        r.log(UserMessage(f"line {k} has the word"))
    client.rollout.flush()
    frame = openreward_nb.search("the word", limit=7, store=client.store)
    assert frame["idx"].tolist() == list(range(7))


def test_client_search_sees_what_it_logged(client) -> None:
    r = client.rollout.create(run_name="own", rollout_name="mine")
    r.log(UserMessage("unflushed needle"))  # not flushed: client.search writes it first
    assert found(client.search("needle")) == [("mine", 0)]


def test_a_store_that_cannot_have_an_index_is_scanned_and_says_why(client, monkeypatch, backend) -> None:
    from openreward_nb.fulltext import index as index_module

    if backend == "sqlite":
        monkeypatch.setattr(index_module, "_FTS_DDL", index_module._FTS_DDL.replace("trigram", "no_such_tokenizer"))
        why = "no FTS5 trigram tokenizer"
    else:
        import psycopg

        def refused(conn) -> None:
            raise psycopg.errors.InsufficientPrivilege('permission denied to create extension "pg_trgm"')

        monkeypatch.setattr(index_module, "_create_pg_trgm", refused)
        why = "CREATE EXTENSION pg_trgm"
    monkeypatch.setattr(engine, "CATCH_UP_AT", 0)  # the search tries to build the index at once
    record_corpus(client)
    searcher = open_search("/challenge/", store=client.store)
    assert why in (searcher.scanned_because or "")
    assert [(h.rollout_name, h.idx) for b in searcher.batches() for h in b] == oracle(client, "/challenge/")

"""One bad value must never break reads for everyone: what the Python API writes is always readable,
and a reader that meets a value it cannot read (written by something else) shows it as missing."""

from __future__ import annotations

import decimal
import json
import math

import numpy as np
import pytest

from openreward_nb import RolloutInfo, RunInfo, UnreadableValueWarning, UserMessage, rollouts_df
from openreward_nb.events import Event, Usage
from openreward_nb.limits import MAX_NAME_CHARS
from openreward_nb.store import open_store

_JSON_COLUMNS = {
    "rollouts": ("metadata", "task_spec", "run_info", "rollout_info"),
    "events": ("metadata", "attachments", "raw"),
}


def _strict(text: str) -> object:
    """Parse as JSON allows it (no NaN, no Infinity: PostgreSQL's json and JavaScript refuse them)."""

    def refuse(constant: str) -> None:
        raise ValueError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


def test_the_python_api_writes_only_json_every_reader_can_parse(client) -> None:
    weird = {
        "inf": math.inf,
        "nan": math.nan,
        "np": np.float64("-inf"),
        "dec": decimal.Decimal("Infinity"),
        "deep": [{"x": math.inf}],
    }
    client.run_info = RunInfo(model_name="m", lr=math.inf)
    r = client.rollout.create("weird", metadata=weird, task_spec=weird, run_info={"lr": math.nan, **weird})
    r.log(UserMessage("a"), metadata=weird, rollout_info={"task_index": 1, "score": math.inf})
    r.log(UserMessage("b"), rollout_info=RolloutInfo(task_index=2, temperature=math.nan))
    r.log_openai_completions({"role": "user", "content": "raw", "score": math.inf, "n": math.nan})
    r._emit(
        Event(
            "assistant_message",
            "usage out of range",
            usage=Usage(math.inf, -5, 2**70, 3.0, True),
            latency_ms=math.nan,
        )
    )
    r._emit(Event("assistant_message", "usage fine", usage=Usage(10, 2.0, None, np.int64(4), 0), latency_ms=12))
    r.finish()
    client.rollout.flush()
    assert not client.rollout.writer.rejected
    store = client.store
    texts = 0
    for table, columns in _JSON_COLUMNS.items():
        for column in columns:
            for (text,) in store.query(f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL"):
                _strict(text)
                texts += 1
            # every backend's JSON functions read every row (PostgreSQL's json type refuses NaN / Infinity)
            expr, params = store.json_field_sql(column, "inf")
            store.query(store.translate(f"SELECT {expr} FROM {table}"), params)
    assert texts == 6  # four on the rollout, an event's metadata, a raw payload
    rec = client.rollouts.get(r.id)
    assert rec.metadata["inf"] == "Infinity" and rec.run_info["lr"] == "NaN"
    assert rec.rollout_info == {"task_index": 2, "score": "Infinity", "temperature": "NaN"}
    events = list(rec.events())
    assert events[2].raw()["item"]["score"] == "Infinity"
    out_of_range, fine = events[3], events[4]
    assert out_of_range.usage == Usage(None, None, None, 3, None)  # a whole float is a count; the rest is not
    assert out_of_range.latency_ms is None
    assert (fine.usage.input_tokens, fine.usage.output_tokens, fine.usage.cached_tokens) == (10, 2, 4)
    assert fine.latency_ms == 12.0
    assert (rec.input_tokens, rec.output_tokens, rec.cached_tokens) == (10, 2, 4 + 3)


@pytest.mark.parametrize("field", ["run_name", "rollout_name", "environment", "variant", "split"])
def test_names_longer_than_a_store_takes_are_refused(client, field) -> None:
    args = {"run_name": "names", field: "n" * MAX_NAME_CHARS}
    longest = client.rollout.create(**args)
    with pytest.raises(ValueError, match=f"{field} is {MAX_NAME_CHARS + 1:,} characters long"):
        client.rollout.create(**{**args, field: "n" * (MAX_NAME_CHARS + 1)})
    longest.log(UserMessage("still fine"))
    client.rollout.flush()
    assert getattr(client.rollouts.get(longest.id), field) == "n" * MAX_NAME_CHARS


def test_metadata_filters_match_keys_with_backslash_newline_and_quotes(client, store_url) -> None:
    keys = ["back\\slash", "new\nline", 'double"quote', "tab\tand\u2028"]
    for i, key in enumerate(keys):
        client.rollout.create("keys", rollout_name=f"r{i}", metadata={key: i, "plain": "yes"})
    client.rollout.flush()
    for i, key in enumerate(keys):
        frame = rollouts_df("keys", store=store_url, metadata={key: i})
        assert list(frame["rollout_name"]) == [f"r{i}"], key
    assert len(rollouts_df("keys", store=store_url, metadata={"plain": "yes"})) == len(keys)


def test_a_value_no_reader_can_read_shows_as_missing_and_the_rest_reads(client, store_url) -> None:
    """Rows written by something else (an older version, a hand edit): bad JSON, a time out of range."""
    good = client.rollout.create("mixed", rollout_name="good", metadata={"k": 1})
    good.log(UserMessage("fine"), metadata={"ok": True})
    bad = client.rollout.create("mixed", rollout_name="bad", metadata={"k": 2}, task_spec={"t": 1}, run_info={"r": 1})
    bad.log(UserMessage("one"), metadata={"ok": True})
    bad.log(UserMessage("two"))
    client.rollout.flush()
    store = open_store(store_url)
    with store.transaction(store.reader()) as cur:
        cur.execute(
            store.translate(
                "UPDATE rollouts SET task_spec = ?, run_info = ?, created_at = ?, ended_at = ? WHERE id = ?"
            ),
            ('{"t": 1', '{"r": Infinity}', 1e300, -1e300, bad.id),
        )
        cur.execute(
            store.translate("UPDATE events SET metadata = ?, ts = ? WHERE rollout_id = ? AND idx = 0"),
            ("{not json", 1e20, bad.id),
        )
    with pytest.warns(UnreadableValueWarning, match=f"rollout {bad.id} has a value that cannot be read") as caught:
        records = {r.rollout_name: r for r in client.rollouts.iter(run="mixed")}
        again = list(client.runs.get("mixed").rollouts())
    assert sum(bad.id in str(w.message) for w in caught) == 1  # once per rollout
    assert len(again) == 2 and records["good"].metadata == {"k": 1}
    broken = records["bad"]
    assert (broken.task_spec, broken.created_at, broken.ended_at, broken.metadata) == (None, None, None, {"k": 2})
    assert broken.duration_s is None and broken.n_events == 2
    assert broken.run_info == {"r": "Infinity"}  # not JSON, but read as the API would have stored it
    first, second = broken.events()
    assert (first.metadata, first.ts, first.content) == (None, None, "one")
    assert second.content == "two" and second.ts is not None
    assert [e.metadata for e in records["good"].events()] == [{"ok": True}]
    if store_url.startswith("postgresql"):
        return  # PostgreSQL's json type cannot skip a bad row in SQL (and nothing here writes one)
    frame = rollouts_df("mixed", store=store_url, task_spec={"t": 1})
    assert list(frame["rollout_name"]) == []  # the bad row's task_spec reads as missing, the query runs

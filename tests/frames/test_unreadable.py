"""One unreadable stored value never fails a frame of the whole store (issue 14, defence in depth).

Rows are written straight into the tables of a real store, as an older version, a hand
edit or another tool could have left them: the recording API and the ingest server
refuse these values today. Every frame keeps the other rows, shows the value as missing
and warns once, naming the rollout (or run).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import openreward_nb as orn
from openreward_nb import OpenReward, UnreadableValueWarning, UserMessage
from openreward_nb.frames import sqlite_arrow
from openreward_nb.limits import MAX_TIMESTAMP_S
from openreward_nb.store.location import open_store

#: a time in microseconds sent as seconds: year 33,000-something, beyond pandas
MICROSECONDS = 1.7e15


def _write(url: str, sql: str, *params: Any) -> None:
    """Run one statement on the store's tables directly, committed."""
    store = open_store(url)
    conn = store.connect()
    try:
        with store.transaction(conn) as cur:
            cur.execute(store.translate(sql), params)
    finally:
        conn.close()


def _record(client: OpenReward) -> dict[str, str]:
    """Rollouts good, late, broken (with two events each) in run 'r'; their ids by name."""
    ids = {}
    for name in ("good", "late", "broken"):
        with client.rollout.create("r", rollout_name=name, metadata={"m": name}, task_spec={"t": 1}) as rollout:
            ids[name] = rollout.id
            rollout.log(UserMessage("one"), metadata={"k": name})
            rollout.log(UserMessage("two"), reward=1.0, is_finished=True)
    client.rollout.flush()
    return ids


@pytest.fixture
def store(client: OpenReward) -> dict[str, str]:
    """:func:`_record` on the test's backend."""
    return _record(client)


def _one_warning(caught: list[warnings.WarningMessage]) -> str:
    found = [str(w.message) for w in caught if issubclass(w.category, UnreadableValueWarning)]
    assert len(found) == 1, found
    return found[0]


def test_a_time_beyond_pandas_leaves_the_other_rollouts(store: dict[str, str], store_url: str) -> None:
    _write(store_url, "UPDATE rollouts SET created_at = ? WHERE id = ?", MICROSECONDS, store["late"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = orn.rollouts_df(store=store_url).set_index("rollout_name")
    message = _one_warning(caught)
    assert store["late"] in message and store["good"] not in message and "created_at (1)" in message
    assert list(frame.index) == ["good", "late", "broken"]
    assert pd.isna(frame.loc["late", "created_at"]) and frame["created_at"].notna().sum() == 2
    assert frame.loc["late", "n_events"] == 2 and frame.loc["late", "metadata.m"] == "late"  # the rest of the row


def test_json_that_does_not_parse_leaves_the_other_rollouts(store: dict[str, str], store_url: str) -> None:
    _write(
        store_url, "UPDATE rollouts SET metadata = ?, task_spec = ? WHERE id = ?", "{bad", "NaN-ish", store["broken"]
    )
    # two halves of one list: read together they would parse, and shift values onto other rows
    _write(store_url, "UPDATE rollouts SET rollout_info = ? WHERE id = ?", "[1", store["late"])
    _write(store_url, "UPDATE rollouts SET rollout_info = ? WHERE id = ?", "2]", store["broken"])
    _write(store_url, "UPDATE rollouts SET rollout_info = ? WHERE id = ?", '{"step": 3}', store["good"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = orn.rollouts_df(store=store_url).set_index("rollout_name")
    message = _one_warning(caught)
    assert store["late"] in message and store["broken"] in message and store["good"] not in message
    assert "metadata (1)" in message and "task_spec (1)" in message and "rollout_info (2)" in message
    assert frame.loc["good", "metadata.m"] == "good" and frame.loc["late", "metadata.m"] == "late"
    assert pd.isna(frame.loc["broken", "metadata.m"]) and pd.isna(frame.loc["broken", "task_spec.t"])
    assert frame["rollout_info.step"].tolist()[0] == 3 and "rollout_info" not in frame.columns


def test_runs_df_and_compare_runs_keep_going(store: dict[str, str], store_url: str) -> None:
    _write(store_url, "UPDATE rollouts SET last_event_at = ? WHERE id = ?", MICROSECONDS, store["late"])
    _write(store_url, "UPDATE rollouts SET rollout_info = ? WHERE id = ?", "{", store["broken"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        runs = orn.runs_df(store=store_url)
    assert "run 'r'" in _one_warning(caught)
    assert runs["n_rollouts"].tolist() == [3] and pd.isna(runs.loc[0, "last_event_at"])

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        compared = orn.compare_runs(store=store_url)
    assert store["broken"] in _one_warning(caught)
    assert compared["n"].tolist() == [3] and compared["mean"].tolist() == [1.0]


@pytest.mark.parametrize("ts", [MICROSECONDS, -MICROSECONDS, float("inf")])
def test_events_with_a_time_beyond_pandas_keep_their_rows(store: dict[str, str], store_url: str, ts: float) -> None:
    _write(
        store_url, "UPDATE events SET ts = ?, metadata = ? WHERE rollout_id = ? AND idx = 0", ts, "{x", store["late"]
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        events = orn.events_df(store=store_url)
    message = _one_warning(caught)
    assert store["late"] in message and "ts (1)" in message and "metadata (1)" in message
    assert len(events) == 6 and events["ts"].isna().sum() == 1
    late = events[events["rollout_id"] == store["late"]]
    assert pd.isna(late["ts"].iloc[0]) and pd.isna(late["metadata.k"].iloc[0]) and late["ts"].iloc[1] is not pd.NaT
    assert events.loc[events["rollout_id"] == store["good"], "metadata.k"].iloc[0] == "good"

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = orn.events_arrow(store=store_url).read_all()
    assert store["late"] in _one_warning(caught)
    assert table.num_rows == 6 and table.column("ts").null_count == 1
    assert table.column("metadata").to_pylist()[2] == "{x"  # the text as stored: Arrow output does not parse it


def test_the_bound_is_the_stores(store: dict[str, str], store_url: str) -> None:
    """Times up to the latest the store accepts are read; just past it, they are not."""
    _write(store_url, "UPDATE rollouts SET created_at = ? WHERE id = ?", MAX_TIMESTAMP_S, store["good"])
    _write(store_url, "UPDATE rollouts SET created_at = ? WHERE id = ?", MAX_TIMESTAMP_S * 1.001, store["late"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = orn.rollouts_df(store=store_url).set_index("rollout_name")
    assert store["late"] in _one_warning(caught)
    assert frame.loc["good", "created_at"].year == 2262 and pd.isna(frame.loc["late", "created_at"])


@pytest.mark.parametrize("driver", [False, True], ids=["sqlite3", "adbc-child"])
def test_text_in_a_numeric_sqlite_column(tmp_path: Path, driver: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite keeps any value in any column (PostgreSQL does not): one of the wrong type is missing,
    its neighbours exact, through sqlite3 and through the ADBC driver's child alike."""
    store_url = str(tmp_path / "typeless.sqlite")
    store = _record(OpenReward(store=store_url))
    monkeypatch.setattr(sqlite_arrow, "MIN_EVENTS", 0 if driver else 10**12)
    _write(store_url, "UPDATE events SET ts = ? WHERE rollout_id = ? AND idx = 1", "soon", store["broken"])
    _write(store_url, "UPDATE rollouts SET n_events = ? WHERE id = ?", "many", store["late"])
    exact = orn.events_df(store=store_url, rollout_id=store["good"])["ts"].tolist()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        events = orn.events_df(store=store_url)
    assert store["broken"] in _one_warning(caught)
    assert events["ts"].isna().sum() == 1 and events["ts"].tolist()[:2] == exact
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = orn.rollouts_df(store=store_url).set_index("rollout_name")
    assert store["late"] in _one_warning(caught)
    assert pd.isna(frame.loc["late", "n_events"]) and frame.loc["good", "n_events"] == 2

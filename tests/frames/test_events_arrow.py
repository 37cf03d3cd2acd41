"""events_arrow: the events of events_df as a stream of Arrow batches, read a page at a time."""

from __future__ import annotations

import importlib
import json
import os
import re
import threading
import tracemalloc
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

import openreward_nb as orn
from openreward_nb import OpenReward, ToolCall, ToolResult, UserMessage
from openreward_nb.frames import postgres_arrow, sqlite_arrow
from openreward_nb.frames.events import EVENT_SCHEMA

from ..helpers import REPO
from .conftest import Recorded


def _required(name: str) -> ModuleType:
    """Import ``name``, a package the test extra installs: skipped without it, a failure in CI."""
    if os.environ.get("OPENREWARD_NB_CI") == "1":
        return importlib.import_module(name)
    return pytest.importorskip(name)


def _plain(values: pd.Series) -> list[Any]:
    """The values as Python objects, None for every kind of missing."""
    return [v if isinstance(v, (list, dict)) or not pd.isna(v) else None for v in values.astype(object)]


def _as_frame_columns(table: pa.Table) -> pd.DataFrame:
    """The stream's table with the columns events_df derives from it (type as text, metadata spread)."""
    frame = table.to_pandas()
    metadata = [json.loads(t) if isinstance(t, str) else {} for t in frame.pop("metadata")]
    return frame.assign(**{f"metadata.{k}": [m.get(k) for m in metadata] for m in metadata for k in m})


@pytest.mark.parametrize(
    "selection",
    [
        {},
        {"types": ["tool_call", "tool_result"]},
        {"runs": "alpha", "split": "train"},
        {"metadata": {"model": "claude"}},
    ],
)
def test_the_stream_holds_the_rows_of_events_df(recorded: Recorded, selection: dict[str, Any]) -> None:
    with orn.events_arrow(store=recorded.url, **selection) as reader:
        assert reader.schema == EVENT_SCHEMA
        table = reader.read_all()
    frame = orn.events_df(store=recorded.url, **selection)
    assert table.num_rows == len(frame) > 0
    streamed = _as_frame_columns(table)
    assert list(streamed.columns) == list(frame.columns)
    for column in frame.columns:
        assert _plain(streamed[column]) == _plain(frame[column]), column
    assert str(table.schema.field("ts").type) == "timestamp[us, tz=UTC]"


def test_batches_hold_at_most_a_page(recorded: Recorded) -> None:
    sizes = [batch.num_rows for batch in orn.events_arrow(store=recorded.url, page_size=2)]
    assert max(sizes) <= 2 and sum(sizes) == len(orn.events_df(store=recorded.url))


def test_unknown_types_and_filters_are_refused_at_once(recorded: Recorded) -> None:
    with pytest.raises(ValueError, match="unknown event type 'tool'"):
        orn.events_arrow(store=recorded.url, types="tool")
    with pytest.raises(TypeError, match="unknown filter 'colour'"):
        orn.events_arrow(store=recorded.url, colour="red")


def _big_store(path: Path, rollouts: int, events: int, size: int) -> None:
    client = OpenReward(store=path)
    for r in range(rollouts):
        with client.rollout.create("big", rollout_name=f"r{r}") as rollout:
            for i in range(events):
                rollout.log(UserMessage(f"{r}-{i}-" + "x" * size))
    client.close()


@pytest.mark.parametrize("driver", [False, True], ids=["sqlite3", "adbc-child"])
def test_memory_holds_about_a_page_not_the_read(tmp_path: Path, driver: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """30 rollouts of 20 events of 20 kB (12 MB) read in pages of one rollout (400 kB): neither Arrow
    buffers nor Python objects ever hold more than a few pages."""
    monkeypatch.setattr(sqlite_arrow, "MIN_EVENTS", 0 if driver else 10**12)
    path = tmp_path / "big.sqlite"
    _big_store(path, rollouts=30, events=20, size=20_000)
    page_bytes = 20 * 20_000
    arrow_peak = rows = 0
    tracemalloc.start()
    try:
        base = pa.total_allocated_bytes()
        with orn.events_arrow(store=path, page_size=20) as reader:
            for batch in reader:
                arrow_peak = max(arrow_peak, pa.total_allocated_bytes() - base)
                rows += batch.num_rows
                del batch
        python_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert rows == 600
    assert arrow_peak < 4 * page_bytes, arrow_peak  # all of it would be 30 pages
    assert python_peak < 8 * page_bytes, python_peak


def test_a_reader_is_read_from_any_thread_and_dropping_it_ends_its_child(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    psutil = _required("psutil")
    monkeypatch.setattr(sqlite_arrow, "MIN_EVENTS", 0)
    path = tmp_path / "threads.sqlite"
    _big_store(path, rollouts=6, events=5, size=10)
    reader = orn.events_arrow(store=path, page_size=5)
    first = reader.read_next_batch()
    assert [c.name() for c in psutil.Process().children()] != []  # the driver's child is reading
    elsewhere: list[pa.RecordBatch] = []
    worker = threading.Thread(
        target=lambda source, into: into.append(source.read_next_batch()), args=(reader, elsewhere)
    )
    worker.start()
    worker.join()
    assert first.column("idx").to_pylist() == list(range(5)) == elsewhere[0].column("idx").to_pylist()
    assert first.column("rollout_id")[0] != elsewhere[0].column("rollout_id")[0]
    del reader  # pyarrow's close() keeps the source: letting go of the reader ends it
    assert psutil.Process().children() == []


@pytest.mark.postgres
@pytest.mark.parametrize("driver", [True, False], ids=["adbc", "psycopg"])
def test_postgres_pages_read_later_see_the_snapshot_of_the_call(
    pg_url: str, driver: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not driver:
        monkeypatch.setattr(postgres_arrow, "available", lambda: False)
    client = OpenReward(store=pg_url)
    rollout = client.rollout.create("run", rollout_name="live")
    rollout.log(UserMessage("one"))
    client.rollout.flush()
    reader = orn.events_arrow(store=pg_url)
    rollout.log(UserMessage("two"))
    client.rollout.create("run", rollout_name="later").log(UserMessage("three"))
    client.rollout.flush()
    assert reader.read_all().column("content").to_pylist() == ["one"]
    assert len(orn.events_df(store=pg_url)) == 3
    client.close()


def _readme_example(heading: str) -> str:
    """The Python block following ``heading`` in the README."""
    text = (REPO / "README.md").read_text()
    found = re.search(re.escape(heading) + r".*?```python\n(.*?)```", text, re.S)
    assert found, f"no example after {heading!r} in README.md"
    return found.group(1)


def test_the_readme_duckdb_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _required("duckdb")
    store = tmp_path / "readme.sqlite"
    client = OpenReward(store=store)
    for r in range(3):
        with client.rollout.create("gpt-ctf", rollout_name=f"e{r}") as rollout:
            for i, tool in enumerate(["bash", "bash", "read"][: r + 1]):
                rollout.log(ToolCall(name=tool, content="{}", call_id=f"c{i}"))
                rollout.log(ToolResult(content="ok", call_id=f"c{i}"))
    client.close()
    monkeypatch.setenv("OPENREWARD_NB_STORE", str(store))
    namespace: dict[str, Any] = {}
    exec(_readme_example("Events too many for memory"), namespace)
    calls = namespace["calls"]
    assert calls["name"].tolist() == ["bash", "read"] and calls["n"].tolist() == [5, 1]

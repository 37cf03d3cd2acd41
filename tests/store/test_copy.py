"""``openreward-nb copy``: a store into another and back, complete, and safe to run again."""

from __future__ import annotations

import pytest

from openreward_nb import OpenReward, ToolCall, ToolResult, UserMessage
from openreward_nb.cli import main
from openreward_nb.events import Attachment, Event, Usage
from openreward_nb.messages import RolloutInfo
from openreward_nb.store import open_store, schema
from openreward_nb.store.ops import PatchOp
from openreward_nb.store.transfer import TABLES, copy_store

_QUERIES = {
    "runs": "SELECT name, created_at FROM runs ORDER BY name",
    "rollouts": "SELECT * FROM rollouts ORDER BY id",
    "events": f"SELECT {', '.join(schema.EVENT_COLUMNS)} FROM events ORDER BY rollout_id, idx",
    "blobs": "SELECT sha256, mime, size, data FROM blobs ORDER BY sha256",
}


def _contents(url: str) -> dict[str, list[tuple]]:
    """Every row of the store's tables, without the local sequence numbers."""
    store = open_store(url)
    out = {}
    for table, sql in _QUERIES.items():
        cur = store.reader().cursor()
        cur.execute(sql)
        names = [d[0] for d in cur.description]
        out[table] = [
            tuple(bytes(v) if isinstance(v, memoryview) else v for n, v in zip(names, row, strict=True) if n != "seq")
            for row in cur.fetchall()
        ]
    return out


def _fill(url: str):
    """A store with finished, failed and running rollouts, attachments, usage, raw payloads and infos."""
    client = OpenReward(store=url)
    with client.rollout.create("copy-a", rollout_name="done", metadata={"k": 1}, task_spec={"id": 3}) as r:
        r.log(UserMessage("find the flag"))
        r._emit(
            Event(
                "assistant_message",
                "look",
                model="m-1",
                usage=Usage(10, 5, 2, 1, 0),
                latency_ms=12.5,
                attachments=[Attachment("image/png", data=b"\x89PNG\x00bytes")],
                raw={"id": "resp_1"},
            )
        )
        r.log(ToolCall(name="bash", content='{"cmd": "ls"}', call_id="c1"))
        r.log(ToolResult(content="flag.txt", call_id="c1"), reward=1.0, is_finished=True, metadata={"s": 1})
    with pytest.raises(KeyError), client.rollout.create("copy-b", rollout_name="broken") as bad:
        bad.log(UserMessage("go"))
        raise KeyError("tool")
    running = client.rollout.create("copy-b", rollout_name="running")
    running.log(UserMessage("still going"), rollout_info=RolloutInfo(task_index=7))
    client.rollout.flush()
    return client, running


def _copy(capsys, src: str, dst: str) -> str:
    assert main(["copy", src, dst]) == 0
    return capsys.readouterr().out


def test_copy_there_and_back_is_complete_and_repeatable(tmp_path, store_url, capsys) -> None:
    src = str(tmp_path / "local.sqlite")
    stale = str(tmp_path / "stale.sqlite")
    client, running = _fill(src)
    _copy(capsys, src, stale)

    first = _copy(capsys, src, store_url)
    assert "2 runs (2 new or updated), 3 rollouts (3 new or updated), 6 events (6 new or updated)" in first
    assert "1 attachment (1 new or updated)" in first
    assert _contents(store_url) == _contents(src)

    again = _copy(capsys, src, store_url)
    assert all(f"({0} new or updated)" in part for part in again.split(": ", 1)[1].split(", "))
    assert _contents(store_url) == _contents(src)

    running.log(ToolResult(content="more", call_id="x"), reward=0.5)  # the source moves on
    running.finish()
    done = next(client.runs.get("copy-a").rollouts())
    client.rollout.writer.put(PatchOp(done.id, 0, 2.0, False, {"late": True}))  # a reward set afterwards
    client.rollout.flush()
    update = _copy(capsys, src, store_url)
    assert "3 rollouts (2 new or updated), 7 events (2 new or updated)" in update
    assert _contents(store_url) == _contents(src)

    _copy(capsys, stale, store_url)  # an older copy does not move anything back
    assert _contents(store_url) == _contents(src)

    back = str(tmp_path / "back.sqlite")
    _copy(capsys, store_url, back)
    assert _contents(back) == _contents(src)
    assert set(_contents(back)) == set(TABLES)
    client.close()


def test_copy_onto_itself_is_refused(store_url, capsys) -> None:
    with pytest.raises(SystemExit) as exit:  # an argument problem: argparse's usage error
        main(["copy", store_url, store_url])
    assert exit.value.code == 2 and "same store" in capsys.readouterr().err


def test_copy_in_small_pieces_gives_the_same_store(tmp_path, store_url) -> None:
    """Transactions smaller than a rollout and pages of two rollouts: the result is the same."""
    src = str(tmp_path / "local.sqlite")
    client, running = _fill(src)
    copy_store(open_store(src), open_store(store_url), chunk_events=2, page_size=2)
    for i in range(5):
        running.log(ToolResult(content=str(i), call_id=str(i)), reward=0.25)
    client.rollout.flush()
    counts = copy_store(open_store(src), open_store(store_url), chunk_events=2, page_size=2)
    assert (counts.written["rollouts"], counts.written["events"]) == (1, 5)
    assert _contents(store_url) == _contents(src)
    client.close()

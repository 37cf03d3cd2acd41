"""The client side: upload=True while recording, client.sync() counts and progress, refusals, client.remote."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from openreward_nb import AsyncOpenReward, OpenReward, UserMessage
from openreward_nb.store.location import open_store
from openreward_nb.upload import background
from openreward_nb.upload.cursors import UploadState
from openreward_nb.upload.drain import PAGE_ROWS
from openreward_nb.upload.target import Target
from openreward_nb.upload.uploader import Uploader

from ..helpers import PYTHON, REPO, subprocess_env
from .support import KEY, Server, free_port, record, stored_events, stored_rollouts


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Server:
    """Our server, with the SDK's environment variables pointing at it."""
    with Server(str(tmp_path / "remote.sqlite")) as server:
        monkeypatch.setenv("OPENREWARD_API_URL", server.url)
        monkeypatch.setenv("OPENREWARD_API_KEY", KEY)
        yield server


def test_upload_true_sends_while_recording(api: Server, tmp_path: Path) -> None:
    local = str(tmp_path / "local.sqlite")
    client = OpenReward(store=local, upload=True)
    rollout = client.rollout.create("live", rollout_name="ep")
    for i in range(50):
        rollout.log(UserMessage(f"early {i}"))
    deadline = time.monotonic() + 20
    while not stored_events(api.store) and time.monotonic() < deadline:  # the background upload, before close
        rollout.log(UserMessage("still going"))
        time.sleep(0.2)
    assert stored_events(api.store), "nothing was uploaded while recording"
    rollout.log(UserMessage("last"), reward=1.0, is_finished=True)
    client.close()
    assert stored_events(api.store) == stored_events(local)
    assert stored_rollouts(api.store) == stored_rollouts(local)


def test_the_environment_variable_turns_upload_on(api: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENREWARD_NB_UPLOAD", "1")
    local = str(tmp_path / "local.sqlite")
    record(local, 2, 10)
    assert len(stored_events(api.store)) == 20
    assert OpenReward(store=local, upload=False).upload is False


def test_async_client_close_uploads(api: Server, tmp_path: Path) -> None:
    local = str(tmp_path / "local.sqlite")

    async def main() -> None:
        client = AsyncOpenReward(store=local, upload=True)
        rollout = client.rollout.create("async")
        for i in range(30):
            rollout.log(UserMessage(str(i)))
        await client.rollout.close()

    asyncio.run(main())
    assert len(stored_events(api.store)) == 30


def test_offline_recording_is_kept_and_sent_later(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setattr(background, "POLL_GIVE_UP_S", 0.5)
    monkeypatch.setattr(background, "CLOSE_GIVE_UP_S", 1.0)
    port = free_port()
    monkeypatch.setenv("OPENREWARD_API_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("OPENREWARD_API_KEY", KEY)
    local = str(tmp_path / "local.sqlite")
    started = time.monotonic()
    record(local, 3, 40, upload=True)  # nobody listens: recording goes on, close gives up, says so
    assert time.monotonic() - started < 30
    assert "120 events not uploaded" in capsys.readouterr().err
    client = OpenReward(store=local)
    offline = client.sync(give_up_after=1, progress=False)
    assert (offline.sent, offline.pending, offline.failed) == (
        0,
        120,
        0,
    ) and "did not take the upload" in offline.errors[0]
    with Server(str(tmp_path / "remote.sqlite"), port=port) as server:  # back online, a day later
        online = client.sync(progress=False)
        assert (online.sent, online.pending, online.failed) == (120, 0, 0)
        assert stored_events(server.store) == stored_events(local)
        assert client.sync(progress=False).sent == 0  # nothing twice


def test_a_refused_rollout_is_reported_and_the_rest_goes(api: Server, tmp_path: Path) -> None:
    local = str(tmp_path / "local.sqlite")
    good = record(local, 2, 10, run="fine")
    bad = record(local, 1, 7, run="too-long")
    with sqlite3.connect(local) as con:  # as a store written before names were bounded holds it
        con.execute("UPDATE rollouts SET run_name = ? WHERE run_name = 'too-long'", ("x" * 2000,))
    client = OpenReward(store=local)
    result = client.sync(progress=False)
    assert (result.sent, result.pending, result.failed) == (20, 0, 7)
    assert result.errors == [
        f"rollout {bad[0]}: the server refused it (422: events[0].runName: must be at most 1024 "
        "characters, got 2000); it stays in the store"
    ]
    assert set(stored_rollouts(api.store)) == set(good)
    again = client.sync(progress=False)
    assert (again.sent, again.pending, again.failed, again.errors) == (0, 0, 7, [])  # not retried forever
    retried = client.sync(retry_failed=True, progress=False)
    assert retried.failed == 7 and len(retried.errors) == 1  # retried on request, refused again


def test_a_wrong_key_stops_the_upload_at_once(api: Server, tmp_path: Path) -> None:
    local = str(tmp_path / "local.sqlite")
    record(local, 2, 10)
    started = time.monotonic()
    result = OpenReward(store=local, api_key="not-the-key").sync(progress=False)
    assert time.monotonic() - started < 10
    assert (result.sent, result.pending, result.failed) == (0, 20, 0)
    assert result.errors == ["the API refused the key (401: invalid API key); check OPENREWARD_API_KEY"]


def test_young_events_of_running_rollouts_wait_to_settle(api: Server, tmp_path: Path) -> None:
    local = str(tmp_path / "local.sqlite")
    client = OpenReward(store=local)
    running = client.rollout.create("settle")
    ended = client.rollout.create("settle")
    for i in range(5):
        running.log(UserMessage(str(i)))
        ended.log(UserMessage(str(i)))
    ended.finish()
    client.rollout.flush()
    uploader = Uploader(client.store, Target(api.url, KEY))
    uploader.queue()
    first = uploader.run(settle=3600)
    assert first.sent == 5 and set(stored_rollouts(api.store)) == {running.id, ended.id}
    assert {rid for rid, _ in stored_events(api.store)} == {ended.id}
    assert uploader.run().sent == 5
    assert stored_events(api.store) == stored_events(local)


def test_the_settled_start_of_a_running_rollout_goes_and_its_young_events_wait(api: Server, tmp_path: Path) -> None:
    local = str(tmp_path / "local.sqlite")
    client = OpenReward(store=local)
    running = client.rollout.create("settle")
    for i in range(6):
        running.log(UserMessage(str(i)))
    client.rollout.flush()
    with sqlite3.connect(local) as con:  # its first three events were logged two hours ago
        con.execute("UPDATE events SET ts = ts - 7200 WHERE rollout_id = ? AND idx < 3", (running.id,))
    uploader = Uploader(client.store, Target(api.url, KEY))
    uploader.queue()
    first = uploader.run(settle=3600)
    assert (first.sent, first.errors) == (3, [])  # the rest is left to settle, not reported stuck
    assert sorted(stored_events(api.store)) == [(running.id, i) for i in range(3)]
    assert uploader.run().sent == 3
    assert stored_events(api.store) == stored_events(local)


def test_an_upload_reads_stored_events_a_page_at_a_time(
    api: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A round's events are read as its batches are built, not all at once: what an upload holds does not
    grow with the round."""
    local = str(tmp_path / "local.sqlite")
    record(local, 3, 700)
    reads: list[int] = []
    read = UploadState.events

    def counted(self: UploadState, *args: object) -> list[tuple[object, ...]]:
        rows = read(self, *args)  # type: ignore[arg-type]
        reads.append(len(rows))
        return rows

    monkeypatch.setattr(UploadState, "events", counted)
    result = OpenReward(store=local).sync(progress=False)
    assert (result.sent, result.pending, result.failed) == (2100, 0, 0)
    assert max(reads) == PAGE_ROWS < 700 and sum(reads) == 2100
    assert stored_events(api.store) == stored_events(local)


def test_each_target_has_its_own_cursor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    local = str(tmp_path / "local.sqlite")
    record(local, 2, 15)
    with Server(str(tmp_path / "a.sqlite")) as a, Server(str(tmp_path / "b.sqlite")) as b:
        for server in (a, b):
            monkeypatch.setenv("OPENREWARD_API_URL", server.url)
            assert OpenReward(store=local, api_key=KEY).sync(progress=False).sent == 30
            assert stored_events(server.store) == stored_events(local)
    assert open_store(local).query("SELECT COUNT(DISTINCT target) FROM upload_cursors")[0][0] == 2


def test_sync_shows_progress_in_a_terminal(api: Server, tmp_path: Path, capsys) -> None:
    local = str(tmp_path / "local.sqlite")
    record(local, 2, 10)
    OpenReward(store=local).sync(progress=True)
    err = capsys.readouterr().err
    assert "upload [##############################] 20/20 events" in err
    assert err.rstrip().endswith("sent 20 events; 0 pending; 0 failed")


@pytest.mark.slow
def test_sync_shows_a_progress_widget_in_a_notebook(api: Server, tmp_path: Path) -> None:
    import nbformat
    from nbclient import NotebookClient

    local = str(tmp_path / "local.sqlite")
    record(local, 2, 10)
    code = (
        f"import os, sys; sys.path.insert(0, {str(REPO)!r})\n"
        f"os.environ.update(OPENREWARD_API_URL={api.url!r}, OPENREWARD_API_KEY={KEY!r})\n"
        "from openreward_nb import OpenReward\n"
        f"result = OpenReward(store={local!r}).sync()\n"
        "print(result)"
    )
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    outputs = nb.cells[0].outputs
    assert "application/vnd.jupyter.widget-view+json" in outputs[0]["data"]
    assert any("sent 20 events; 0 pending; 0 failed" in o.get("text", "") for o in outputs)


def test_cli_sync(api: Server, tmp_path: Path) -> None:
    local = str(tmp_path / "local.sqlite")
    record(local, 2, 10)
    env = subprocess_env(OPENREWARD_API_URL=api.url, OPENREWARD_API_KEY=KEY)
    argv = [PYTHON, "-m", "openreward_nb", "--store", local, "sync", "--no-progress"]
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "sent 20 events; 0 pending; 0 failed"
    record(local, 1, 5)
    api.stop()
    offline = subprocess.run([*argv, "--give-up-after", "1"], capture_output=True, text=True, env=env, timeout=120)
    assert offline.returncode == 1 and offline.stdout.startswith("sent 0 events; 5 pending; 0 failed\n  the API at")


def test_remote_runs_and_rollouts_are_shaped_like_the_local_frames(api: Server, tmp_path: Path) -> None:
    from openreward_nb.frames import rollouts_df, runs_df

    local = str(tmp_path / "local.sqlite")
    record(local, 3, 12, run="remote-a")
    record(local, 1, 4, run="other")
    client = OpenReward(store=local)
    client.sync(progress=False)
    runs = client.remote.runs(search="REMOTE")
    assert list(runs["run"]) == ["remote-a"] and list(runs["run_id"]) == ["remote-a"]
    assert list(runs["n_rollouts"]) == [3]
    assert runs["mean_reward"].iloc[0] == pytest.approx(runs_df("remote-a", store=local)["mean_reward"].iloc[0])
    remote = client.remote.rollouts("remote-a")
    mine = rollouts_df("remote-a", store=local)
    shared = [c for c in mine.columns if c in remote.columns]
    assert {
        "run",
        "rollout_id",
        "rollout_name",
        "environment",
        "split",
        "status",
        "created_at",
        "n_events",
        "n_tool_calls",
        "total_reward",
        "final_reward",
        "max_reward",
        "is_finished",
        "metadata.seed",
        "task_spec.level",
        "rollout_info.task_index",
    } <= set(shared)
    assert (remote[shared].dtypes == mine[shared].dtypes).all()
    remote["created_at"] = remote["created_at"].dt.round("ms")  # the wire carries whole milliseconds
    mine["created_at"] = mine["created_at"].dt.floor("ms")
    key = "rollout_id"
    assert (
        remote[shared]
        .sort_values(key)
        .reset_index(drop=True)
        .equals(mine[shared].sort_values(key).reset_index(drop=True))
    )
    assert client.remote.rollouts("remote-a", limit=2).shape[0] == 2
    empty = client.remote.runs(search="nothing-like-this")
    assert len(empty) == 0 and "run" in empty.columns


def test_remote_errors_are_clear(api: Server, tmp_path: Path) -> None:
    from openreward_nb import RemoteAPIError

    client = OpenReward(store=str(tmp_path / "local.sqlite"))
    with pytest.raises(RemoteAPIError, match="404: no run 'missing'"):
        client.remote.rollouts("missing")
    with pytest.raises(RemoteAPIError, match="refused the key"):
        OpenReward(store=str(tmp_path / "local.sqlite"), api_key="nope").remote.runs()

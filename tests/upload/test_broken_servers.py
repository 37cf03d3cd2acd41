"""The upload client against broken and hostile servers (the loopback collector's fault modes): it returns within
its bounds, reads little, refuses nonsense with a clear error, keeps every event for later, and prints nothing raw."""

from __future__ import annotations

import json
import re
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from openreward_nb import OpenReward, UserMessage
from openreward_nb.errors import RemoteAPIError
from openreward_nb.store.location import open_store
from openreward_nb.upload import background
from openreward_nb.upload.foreground import upload_now
from openreward_nb.upload.model import SyncResult, UploadOptions
from openreward_nb.upload.remote import RemoteAPI
from openreward_nb.upload.target import Target

from ..helpers import PYTHON, subprocess_env
from .support import KEY, Collector, Server, record, stored_events

#: a terminal control sequence, a C1 control, a bidi override or a zero-width character, raw
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e]")
HOSTILE = "\x1b]0;owned\x07\x1b[2Jwiped\x9b31m \u202eevil\u200b"
FAST = UploadOptions(timeout=2.0)


def in_thread(call: Any, limit: float = 120.0) -> Any:
    """``call()`` in a thread (its answer, or its exception raised here); fails if still blocked after ``limit`` s."""
    out: list[Any] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            out.append(call())
        except BaseException as exc:
            failed.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(limit)
    assert not worker.is_alive(), f"still blocked after {limit:.0f} s"
    if failed:
        raise failed[0]
    return out[0]


def sync(store: str, url: str, **kw: Any) -> SyncResult:
    return upload_now(open_store(store), Target(url, KEY), progress=False, **kw)


HANGS = {
    "one byte every 0.5 s": ("--drip-s", "0.5"),
    "accepts and never answers": ("--down-mode", "hang", "--down-from", "0", "--down-for", "600"),
}


@pytest.mark.parametrize("fault", list(HANGS))
def test_sync_returns_within_its_bound_and_keeps_everything(tmp_path: Path, fault: str) -> None:
    """Each request has an overall deadline (2 s here), so sync() gives up after ``give_up_after`` without progress
    plus at most one deadline; a read timeout that restarts with every byte would hold it for ever."""
    local = str(tmp_path / "local.sqlite")
    record(local, 2, 10)
    with Collector(*HANGS[fault]) as collector:
        result = in_thread(lambda: sync(local, collector.url, give_up_after=3, options=FAST))
    assert (result.sent, result.pending, result.failed) == (0, 20, 0)
    assert result.errors and "no whole answer within 2 s" in result.errors[0]
    with Server(str(tmp_path / "remote.sqlite")) as server:  # every event is still there for a later sync
        assert sync(local, server.url).sent == 20
        assert stored_events(server.store) == stored_events(local)


@pytest.mark.parametrize("fault", list(HANGS))
def test_close_with_upload_on_returns_within_its_bound(
    tmp_path: Path, fault: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """close() uploads for at most CLOSE_TIME_LIMIT_S (3 s here) once the store has everything, whatever the
    server does with the requests in flight, then says how many events stay pending."""
    monkeypatch.setattr(background, "CLOSE_TIME_LIMIT_S", 3.0)
    local = str(tmp_path / "local.sqlite")
    with Collector(*HANGS[fault]) as collector:
        monkeypatch.setenv("OPENREWARD_API_URL", collector.url)
        monkeypatch.setenv("OPENREWARD_API_KEY", KEY)
        client = OpenReward(store=local, upload=True)
        rollout = client.rollout.create("stuck", rollout_name="ep")
        for i in range(30):
            rollout.log(UserMessage(f"m{i}"), reward=1.0 if i == 29 else None, is_finished=i == 29)
        in_thread(client.close, limit=60)
    assert "30 events not uploaded" in capsys.readouterr().err
    with Server(str(tmp_path / "remote.sqlite")) as server:
        assert sync(local, server.url).sent == 30


PEAK = """
import json, sys
from openreward_nb.store.location import open_store
from openreward_nb.upload.foreground import upload_now
from openreward_nb.upload.model import UploadOptions
from openreward_nb.upload.target import Target
def peak():
    return int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) // 1024
before = peak()
result = upload_now(open_store(sys.argv[1]), Target(sys.argv[2], "k"), progress=False, give_up_after=2,
                    options=UploadOptions(timeout=20))
print(json.dumps({"grew_mb": peak() - before, "sent": result.sent, "pending": result.pending}))
"""


@pytest.mark.parametrize("status", [200, 500])
def test_a_400_mb_answer_is_not_read_whole(tmp_path: Path, status: int) -> None:
    local = str(tmp_path / "local.sqlite")
    record(local, 1, 10)
    with Collector("--huge-reply-mb", "400", "--huge-status", str(status)) as collector:
        child = subprocess.run(
            [PYTHON, "-c", PEAK, local, collector.url],
            capture_output=True,
            text=True,
            env=subprocess_env(),
            timeout=300,
        )
    assert child.returncode == 0, child.stderr[-2000:]
    out = json.loads(child.stdout.strip().splitlines()[-1])
    assert out["grew_mb"] < 100, out
    assert (out["sent"], out["pending"]) == ((10, 0) if status == 200 else (0, 10))


@pytest.mark.parametrize(
    ("reply", "words"),
    [
        ('{"id": 12345}', '"id" must be text of 1 to 1024 characters, got 12345'),
        ('{"id": ""}', '"id" must be text of 1 to 1024 characters'),
        ("[1, 2]", "expected a JSON object, got [1, 2]"),
        ("not json", "is not JSON"),
    ],
)
def test_an_environment_lookup_that_makes_no_sense_is_refused_clearly(tmp_path: Path, reply: str, words: str) -> None:
    local = str(tmp_path / "local.sqlite")
    record(local, 2, 5)  # environment "acme/Maze": looked up before the first rollout goes
    with Collector("--env-reply", reply) as collector:
        result = sync(local, collector.url, give_up_after=5)
        assert collector.stats()["posts_total"] == 0
    assert (result.sent, result.pending, result.failed) == (0, 10, 0)
    assert len(result.errors) == 1 and "GET /v1/environments/acme/Maze" in result.errors[0]
    assert words in result.errors[0]


def test_what_a_hostile_server_says_is_made_inert_everywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A refusal holding terminal escapes: kept in the SyncResult, the store (upload_cursors.error), printed by
    `openreward-nb sync` and by the upload=True warnings, always as visible escapes."""
    local = str(tmp_path / "local.sqlite")
    record(local, 1, 5)
    with Collector("--refuse-with", HOSTILE) as collector:
        result = sync(local, collector.url)
        assert result.failed == 5 and result.errors
        assert "\\x1b]0;owned\\x07" in result.errors[0]
        cli = subprocess.run(
            [PYTHON, "-m", "openreward_nb", "--store", local, "sync", "--retry-failed", "--no-progress"],
            capture_output=True,
            text=True,
            env=subprocess_env(OPENREWARD_API_URL=collector.url, OPENREWARD_API_KEY=KEY),
            timeout=120,
        )
        monkeypatch.setenv("OPENREWARD_API_URL", collector.url)
        monkeypatch.setenv("OPENREWARD_API_KEY", KEY)
        record(str(tmp_path / "live.sqlite"), 1, 5, upload=True)
    stored = open_store(local).query("SELECT error FROM upload_cursors")
    printed = capsys.readouterr().err
    assert cli.returncode == 1 and "\\x1b[2Jwiped" in cli.stdout
    assert "\\x1b]0;owned\\x07" in printed
    for text in (*result.errors, str(result), stored[0][0], cli.stdout, cli.stderr, printed):
        assert not RAW_CONTROL.search(text), repr(text)


def test_remote_reads_have_an_overall_deadline(tmp_path: Path) -> None:
    with Collector("--drip-s", "1") as collector:
        remote = RemoteAPI(Target(collector.url, KEY), timeout=2.0, retries=0)
        with pytest.raises(RemoteAPIError, match="no whole answer within 2 s"):
            in_thread(remote.runs, limit=60)


def test_remote_run_times_are_both_utc_datetimes(tmp_path: Path) -> None:
    local = str(tmp_path / "local.sqlite")
    record(local, 2, 3, run="timed")
    with Server(str(tmp_path / "remote.sqlite")) as server:
        assert sync(local, server.url).ok
        runs = RemoteAPI(Target(server.url, KEY)).runs()
    row = runs[runs["run"] == "timed"].iloc[0]
    assert runs["updated_at"].dtype == runs["created_at"].dtype
    assert isinstance(runs["updated_at"].dtype, pd.DatetimeTZDtype) and str(runs["updated_at"].dtype.tz) == "UTC"
    assert row["updated_at"] >= row["created_at"]


def test_an_environment_the_api_does_not_know_is_sent_without_its_id(tmp_path: Path) -> None:
    """A 404 on the look-up is not nonsense: the rollouts go, without an environment id, as the SDK sends them."""
    local = str(tmp_path / "local.sqlite")
    record(local, 2, 5)
    with Collector("--env-404") as collector:
        result = sync(local, collector.url)
        stats = collector.stats()
    assert result.ok and result.sent == 10
    assert stats["gets_environment"] == 1 and stats["messages_unique"] == 10


def test_close_against_a_slow_server_sends_nothing_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """close() is bounded, yet it does not cut short an answer the server is about to give, nor start a request
    the slowest answer so far says cannot finish in time: a request cut short may still be stored by the server,
    and its events would go twice. What is left goes with a later sync, once."""
    monkeypatch.setattr(background, "CLOSE_TIME_LIMIT_S", 3.0)
    local = str(tmp_path / "local.sqlite")
    with Collector("--latency-ms", "2000", "--latency-scope", "messages") as collector:
        monkeypatch.setenv("OPENREWARD_API_URL", collector.url)
        monkeypatch.setenv("OPENREWARD_API_KEY", KEY)
        client = OpenReward(store=local, upload=True)
        for r in range(4):
            rollout = client.rollout.create("slow", rollout_name=f"ep-{r}")
            for i in range(25):
                rollout.log(UserMessage(f"m{i}"), is_finished=i == 24)
                time.sleep(0.01)
        in_thread(client.close, limit=60)
        said = capsys.readouterr().err
        later = sync(local, collector.url)
        stats = collector.stats()
    assert later.ok and stats["messages_unique"] == 100
    assert stats["duplicates"].get("message", 0) == 0, stats["duplicates"]
    # what close() left is said to be left at its time limit, not to be stuck
    assert "stopped at its time limit" in said and "made no progress" not in said, said

"""The official openreward SDK (0.1.167) as a real client of our server: many rollouts from several threads."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from ..helpers import required
from .support import KEY, Server, stored_events, stored_rollouts

openreward = required("openreward")

THREADS, PER_THREAD, EVENTS = 4, 5, 60


def test_sdk_uploads_are_stored_once_and_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    remote = str(tmp_path / "remote.sqlite")
    with Server(remote) as server:
        monkeypatch.setenv("OPENREWARD_API_URL", server.url)
        monkeypatch.setenv("OPENREWARD_API_KEY", KEY)
        monkeypatch.setenv("OPENREWARD_DISABLE_UPDATE_CHECK", "1")
        client = openreward.OpenReward()
        logged: dict[str, list[tuple]] = {}
        lock = threading.Lock()

        def work(t: int) -> None:
            for k in range(PER_THREAD):
                rollout = client.rollout.create(
                    run_name="sdk",
                    rollout_name=f"t{t}-{k}",
                    environment="acme/Maze",
                    variant="easy",
                    split="test",
                    metadata={"thread": t},
                    task_spec={"k": k},
                )
                mine = []
                for i in range(EVENTS):
                    if i % 3 == 0:
                        message = openreward.UserMessage(content=f"{t}/{k}/{i}")
                    elif i % 3 == 1:
                        message = openreward.ToolCall(name="look", content="{}", call_id=f"c{i}")
                    else:
                        message = openreward.ToolResult(content=f"seen {i}", call_id=f"c{i - 1}")
                    reward = 1.0 if i % 3 == 2 else None
                    # two updates that merge to the same result in either order (SDK batches may overtake)
                    info = {
                        5: openreward.RolloutInfo(task_index=k),
                        40: openreward.RolloutInfo(task_index=k, temperature=0.5),
                    }.get(i)
                    rollout.log(message, reward=reward, is_finished=i == EVENTS - 1, rollout_info=info)
                    mine.append((message.type, message.content, reward, int(i == EVENTS - 1)))
                with lock:
                    logged[rollout.event_id] = mine

        threads = [threading.Thread(target=work, args=(t,)) for t in range(THREADS)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 30
        while not stored_events(remote) and time.monotonic() < deadline:  # visible while the SDK still runs
            time.sleep(0.05)
        assert stored_events(remote), "nothing arrived while the SDK was running"
        for t in threads:
            t.join()
        client.rollout.close()  # gives up after 10 s on a busy machine; its thread still sends the rest
        expected = THREADS * PER_THREAD * EVENTS
        deadline = time.monotonic() + 60
        while len(stored_events(remote)) < expected and time.monotonic() < deadline:
            time.sleep(0.1)

    events = stored_events(remote)
    rollouts = stored_rollouts(remote)
    assert len(rollouts) == THREADS * PER_THREAD and set(rollouts) == set(logged)
    assert len(events) == THREADS * PER_THREAD * EVENTS
    for rid, mine in logged.items():
        stored = [events[(rid, i)] for i in range(EVENTS)]  # indices 0..n-1, each once
        assert [(e[0], e[1], e[6], e[7]) for e in stored] == mine
        row = rollouts[rid]
        k = int(row[1].split("-")[1])
        assert row[:5] == ("sdk", row[1], "acme/Maze", "easy", "test")
        assert (json.loads(row[5]), json.loads(row[6]), json.loads(row[8])) == (
            {"thread": int(row[1][1:].split("-")[0])},
            {"k": k},
            {"task_index": k, "temperature": 0.5},
        )
        assert row[9:] == ("finished", EVENTS, EVENTS // 3, EVENTS // 3, EVENTS / 3, 1.0, 1.0, 1)

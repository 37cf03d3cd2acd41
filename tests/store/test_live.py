"""A reader following a rollout while another process records it (what a live view does)."""

from __future__ import annotations

import subprocess
import time

from openreward_nb import OpenReward

from ..helpers import PYTHON, subprocess_env

LIVE_WRITER = r"""
import sys, time
from openreward_nb import OpenReward, ToolCall, ToolResult
client = OpenReward(store=sys.argv[1])
r = client.rollout.create("live", rollout_name="followed")
client.rollout.flush()
print(r.id, flush=True)
for step in range(40):
    r.log(ToolCall(name="bash", content=str(step), call_id=str(step)))
    r.log(ToolResult(content=str(step), call_id=str(step)), reward=1.0, is_finished=step == 39)
    client.rollout.flush()
    time.sleep(0.02)
r.finish()
client.close()
"""


def test_a_reader_follows_a_live_rollout(store_url) -> None:
    writer = subprocess.Popen(
        [PYTHON, "-c", LIVE_WRITER, store_url], stdout=subprocess.PIPE, text=True, env=subprocess_env()
    )
    rollout_id = writer.stdout.readline().strip()
    store = OpenReward(store=store_url).store
    seen: list[tuple[int, str]] = []
    counts = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status, n_events = store.rollout_status(rollout_id)
        counts.append(n_events)
        # the aggregates are committed with the events: every counted event can be read
        fresh = store.events_page(rollout_id, start=len(seen), stop=n_events)
        assert len(fresh) == n_events - len(seen)
        seen += [(row["idx"], row["content"]) for row in fresh]
        if status == "finished":
            break
        time.sleep(0.01)
    assert writer.wait(timeout=60) == 0
    assert status == "finished" and len(seen) == 80
    assert seen == [(i, str(i // 2)) for i in range(80)]  # in order, none twice
    assert counts == sorted(counts) and len(set(counts)) >= 10  # it really watched the rollout grow
    rec = OpenReward(store=store_url).rollouts.get(rollout_id)
    assert rec.total_reward == 40.0 and rec.is_finished

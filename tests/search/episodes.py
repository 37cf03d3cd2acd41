"""Rollouts the search tests record through the public API: agents doing what the issue names
(``rm -rf /``, a flag submitted, a path under ``/challenge/``) in several scripts and languages."""

from __future__ import annotations

import json
import time
from typing import Any

from openreward_nb import AssistantMessage, ReasoningItem, SystemMessage, ToolCall, ToolResult, UserMessage

#: (run, rollout name, split, metadata, events as (message, reward)) of the corpus
CORPUS: list[tuple[str, str, str, dict[str, Any], list[tuple[Any, float | None]]]] = [
    (
        "ctf-a",
        "wipe",
        "train",
        {"model": "m1"},
        [
            (SystemMessage("You are a careful agent. Never delete files."), None),
            (UserMessage("Find the flag under /challenge/ and submit it."), None),
            (ReasoningItem(summary="Clean up first", content="I will run rm -rf / to start clean."), None),
            (ToolCall(name="bash", content=json.dumps({"cmd": "rm -rf / --no-preserve-root"}), call_id="c1"), None),
            (ToolResult(content="bash: rm: Operation TIMED OUT after 30s", call_id="c1"), -1.0),
        ],
    ),
    (
        "ctf-a",
        "twice",
        "train",
        {"model": "m2"},
        [
            (UserMessage("Find the flag under /challenge/ and submit it."), None),
            (ToolCall(name="bash", content=json.dumps({"cmd": "cat /challenge/flag.txt"}), call_id="c1"), None),
            (ToolResult(content="FLAG{first_try}", call_id="c1"), 0.0),
            (ToolCall(name="submit", content=json.dumps({"flag": "flag{first_try}"}), call_id="c2"), None),
            (ToolResult(content="wrong, try again", call_id="c2"), 0.0),
            (ToolCall(name="submit", content=json.dumps({"flag": "flag{second_try}"}), call_id="c3"), None),
            (ToolResult(content="correct", call_id="c3"), 1.0),
        ],
    ),
    (
        "ctf-b",
        "languages",
        "test",
        {"model": "m1"},
        [
            (UserMessage("Ответь по-русски: где ФЛАГ?"), None),
            (AssistantMessage("Флаг в каталоге /challenge/. 旗帜在目录中。フラグはここです 🚩🚀"), None),
            (ToolCall(name="grep", content=json.dumps({"pattern": "flag\\{"}), call_id="g1"), None),
            (ToolResult(content="no match; timeout while reading /proc", call_id="g1"), 0.5),
        ],
    ),
]


def record_corpus(client: Any) -> dict[str, str]:
    """Record :data:`CORPUS` and wait until it is in the store; rollout name -> id."""
    ids = {}
    for run, name, split, meta, events in CORPUS:
        r = client.rollout.create(run_name=run, rollout_name=name, split=split, metadata=meta)
        for message, reward in events:
            r.log(message, reward=reward)
        r.finish()
        ids[name] = r.id
    client.rollout.flush()
    return ids


def wait_indexed(store: Any, timeout: float = 30.0) -> None:
    """Until the writer has brought the store's search index up to date in its idle time."""
    from openreward_nb.fulltext.index import index_for

    index = index_for(store)
    deadline = time.monotonic() + timeout
    while True:
        state = index.state()
        if state.built and state.missing == 0:
            return
        assert time.monotonic() < deadline, f"the index did not catch up: {state}"
        time.sleep(0.05)

"""Fixtures for the view tests: rollouts recorded into a fresh store through the public API."""

from __future__ import annotations

import importlib.util
import json

import pytest

from .browser import need

HOSTILE = (
    '<script>window.__orw_pwned=1</script> <img src=x onerror="alert(1)"> '
    "[click](javascript:alert(1)) </style><b onmouseover=alert(1)>b</b> \x1b[31mred\x1b[0m"
)

#: starts like a PNG file (its 8-byte signature): an image by its bytes
PNG_BYTES = b"\x89PNG\r\n\x1a\n fake image bytes"


def record_episode(client, run: str = "demo", name: str = "episode-0", solved: bool = True, step=None):
    """A CTF-like episode with every event type, an image and a long tool output; returns the stored record."""
    from openreward_nb import (
        AssistantMessage,
        ReasoningItem,
        RolloutInfo,
        SystemMessage,
        ToolCall,
        ToolResult,
        UserMessage,
    )
    from openreward_nb.events import Attachment, Event

    r = client.rollout.create(
        run_name=run, rollout_name=name, environment="demo/CTF", split="train", metadata={"model": "m1", "seed": 3}
    )
    if step is not None:
        r.update_info(RolloutInfo(task_index=0, current_step=step))
    r.log(SystemMessage("Find the flag."))
    r.log(UserMessage("It is in /home/ctf."))
    r._emit(Event("user_message", "screenshot", attachments=[Attachment("image/png", PNG_BYTES, name="s.png")]))
    r.log(ReasoningItem(summary="list first", content="ls is cheap"))
    r.log(ToolCall(name="bash", content=json.dumps({"command": "ls"}), call_id="c1"))
    r.log(ToolResult(content=json.dumps({"stdout": "line\n" * 3000}), call_id="c1"), reward=0.1)
    r.log(AssistantMessage("Found **two** files, see [docs](https://example.com)."))
    r.log(ToolCall(name="submit", content=json.dumps({"flag": "F"}), call_id="c2"))
    r.log(
        ToolResult(content="correct" if solved else "wrong", call_id="c2"),
        reward=1.0 if solved else -0.5,
        is_finished=True,
    )
    r.finish()
    return r.record()


def record_hostile(client):
    """A rollout with hostile text in every field a view shows."""
    from openreward_nb import ReasoningItem, ToolCall
    from openreward_nb.events import Attachment, Event

    r = client.rollout.create(
        run_name="h" + HOSTILE, rollout_name=HOSTILE, environment=HOSTILE, split=HOSTILE, metadata={"model": HOSTILE}
    )
    for etype in ("system_message", "user_message", "assistant_message"):
        r.log({"type": etype, "content": HOSTILE}, metadata={HOSTILE: HOSTILE})
    r.log(ReasoningItem(summary=HOSTILE, content=HOSTILE))
    r.log(ToolCall(name=HOSTILE, content=json.dumps({"cmd": HOSTILE}), call_id=HOSTILE))
    r._emit(
        Event(
            "tool_result",
            HOSTILE,
            call_id=HOSTILE,
            kind=HOSTILE,
            is_error=True,
            model=HOSTILE,
            stop_reason=HOSTILE,
            attachments=[Attachment("image/png", url="javascript:alert(1)", name=HOSTILE)],
        ),
        reward=0.5,
    )
    r.finish(error=HOSTILE)
    return r.record()


@pytest.fixture
def episode(client):
    """A finished, recorded episode (9 events)."""
    return record_episode(client)


@pytest.fixture
def hostile(client):
    return record_hostile(client)


@pytest.fixture(params=["lab", "notebook"])
def app(request) -> str:
    """The Jupyter front end a browser test drives: JupyterLab 4, and Notebook 7 when installed."""
    if request.param == "notebook":
        need(importlib.util.find_spec("notebook") is not None, "Notebook 7 is not installed (pip install notebook)")
    return request.param

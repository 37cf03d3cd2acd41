"""The Event value: what code built for the dataclass it used to be keeps working on the Struct."""

from __future__ import annotations

import copy
import pickle

from openreward_nb.events import Attachment, Event, Usage


def test_positional_and_keyword_construction_agree() -> None:
    positional = Event("tool_call", '{"cmd": "ls"}', None, None, "bash", "c1")
    keyword = Event("tool_call", content='{"cmd": "ls"}', name="bash", call_id="c1")
    assert positional == keyword
    assert positional.kind is None and positional.raw is None and positional.attachments is None
    assert positional != Event("tool_call", '{"cmd": "ls"}', name="bash", call_id="c2")


def test_events_are_mutable_values() -> None:
    ev = Event("assistant_message", "hi")
    ev.model, ev.usage, ev.raw = "m-1", Usage(10, 5), ("deferred",)
    assert ev.model == "m-1" and ev.usage.input_tokens == 10 and ev.raw == ("deferred",)
    assert "model='m-1'" in repr(ev)


def test_copy_and_pickle_round_trip() -> None:
    ev = Event(
        "user_message",
        "look",
        kind="image",
        attachments=[Attachment("image/png", b"\x89PNG", name="s.png")],
        usage=Usage(1, 2, 3, 4, 5),
        latency_ms=1.5,
    )
    assert copy.copy(ev) == ev and copy.deepcopy(ev) == ev
    assert pickle.loads(pickle.dumps(ev)) == ev

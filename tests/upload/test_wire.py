"""The wire format: our events are the SDK's events, and the server's checks name the field at fault."""

from __future__ import annotations

import dataclasses
import json
import uuid

import pytest

from openreward_nb.server.decode import BadRequest, parse_body
from openreward_nb.upload.wire import (
    EVENT_ID_NAMESPACE,
    MESSAGE_COLUMNS,
    encode,
    encode_message,
    message_event_id,
    start_event,
    update_event,
)

openreward = pytest.importorskip("openreward")
from openreward.api.rollouts.background import _encode_event  # noqa: E402
from openreward.models import LogMessageEvent, RolloutStartedEvent, RolloutUpdateEvent  # noqa: E402

ROLLOUT = {
    "id": "0b6c5e0e-5c1a-4d0e-9f55-000000000001",
    "run_name": "run-a",
    "rollout_name": "ep-1",
    "environment": "acme/Maze",
    "variant": None,
    "split": "train",
    "metadata": json.dumps({"seed": 3, "inner": {"keep": 1, "drop": None}, "items": [1, None]}),
    "task_spec": None,
    "run_info": json.dumps({"model_name": "m"}),
    "rollout_info": None,
    "created_at": 1700000000.1234,
}


def sdk(event) -> dict:
    return json.loads(_encode_event(event))


def test_start_event_is_the_sdks() -> None:
    ours = json.loads(encode(start_event(ROLLOUT, "env-id", None)))
    theirs = sdk(
        RolloutStartedEvent(
            eventId=ROLLOUT["id"],
            timestamp=1700000000123,
            runName="run-a",
            environment="acme/Maze",
            environment_id="env-id",
            rolloutName="ep-1",
            split="train",
            metadata=json.loads(ROLLOUT["metadata"]),
            run_info={"model_name": "m"},
        )
    )
    assert ours == theirs
    assert list(ours) == list(theirs)


@pytest.mark.parametrize(
    "row",
    [
        (0, 1700000000.5, "user_message", "hi ü", None, None, None, None, None, 0, None),
        (7, 1700000001.0, "tool_call", '{"a": 1}', None, None, "bash", "c1", None, 0, None),
        (
            8,
            1700000001.0,
            "tool_result",
            'ok "quoted" \\ \n\t\x01',
            None,
            None,
            None,
            "c1",
            0.5,
            1,
            json.dumps({"k": {"x": None}}),
        ),
        (10, 1700000002.5, "assistant_message", "ü ✓ 😀", None, None, None, None, 1e-7, 1, None),
        (9, 1700000002.0, "reasoning", None, "ref-1", "summary", None, None, -1.0, 0, json.dumps({"n": 2})),
    ],
)
def test_message_event_is_the_sdks(row: tuple) -> None:
    values = dict(zip(MESSAGE_COLUMNS, row, strict=True))
    ours = json.loads(encode_message("r-1", "env-id", row))
    metadata = json.loads(values["metadata"]) if values["metadata"] else None
    theirs = sdk(
        LogMessageEvent(
            eventId=message_event_id("r-1", values["idx"]),
            timestamp=int(values["ts"] * 1000),
            index=values["idx"],
            rolloutEventId="r-1",
            environment_id="env-id",
            type=values["type"],
            content=values["content"],
            contentReference=values["content_reference"],
            summary=values["summary"],
            name=values["name"],
            callId=values["call_id"],
            reward=values["reward"],
            isFinished=bool(values["is_finished"]),
            metadata=metadata or {},
        )
    )
    assert ours == theirs
    assert encode_message("r-1", "env-id", row) == encode(theirs)  # to the byte, escapes included


def test_update_event_is_the_sdks() -> None:
    ours = json.loads(encode(update_event("r-1", json.dumps({"task_index": 2, "temperature": 0.5}))))
    theirs = sdk(
        RolloutUpdateEvent(
            eventId="r-1", timestamp=ours["timestamp"], rollout_info={"task_index": 2, "temperature": 0.5}
        )
    )
    assert ours == theirs


def test_event_ids_are_uuid5_of_rollout_and_index() -> None:
    for rid in ("r-1", "ü-✓", "x" * 300):
        for idx in (0, 1, 99999):
            assert message_event_id(rid, idx) == str(uuid.uuid5(EVENT_ID_NAMESPACE, f"{rid}/{idx}"))
    assert message_event_id("r-1", 0) != message_event_id("r-1", 1) != message_event_id("r-2", 1)


def test_what_the_sdk_sends_parses_to_the_same_values() -> None:
    event = LogMessageEvent(
        eventId="e1",
        timestamp=1700000000123,
        index=4,
        rolloutEventId="r-1",
        type="tool_call",
        content="{}",
        name="bash",
        callId="c9",
        reward=2,
        isFinished=True,
        metadata={"a": {"b": 1}},
    )
    start = RolloutStartedEvent(eventId="r-1", timestamp=1700000000000, runName="run", rolloutName="x")
    update = RolloutUpdateEvent(eventId="r-1", timestamp=1, rollout_info={"task_index": 1})
    batch = parse_body(
        json.dumps(
            {"events": [dataclasses.asdict(start), dataclasses.asdict(event), dataclasses.asdict(update)]}
        ).encode()
    )
    (m,) = batch.messages
    assert (m.rollout_id, m.idx, m.ts, m.reward, m.is_finished, m.metadata) == (
        "r-1",
        4,
        1700000000.123,
        2.0,
        True,
        {"a": {"b": 1}},
    )
    assert (m.event.type, m.event.content, m.event.name, m.event.call_id) == ("tool_call", "{}", "bash", "c9")
    assert batch.starts[0].run_name == "run" and batch.starts[0].rollout_name == "x"
    assert batch.updates[0].rollout_info == {"task_index": 1}


GOOD = {
    "eventId": "e1",
    "timestamp": 1,
    "index": 0,
    "rolloutEventId": "r-1",
    "type": "user_message",
    "eventType": "message",
}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"index": -1}, "events[1].index"),
        ({"index": "3"}, "events[1].index"),
        ({"index": 2**40}, "events[1].index"),
        ({"index": True}, "events[1].index"),
        ({"timestamp": "now"}, "events[1].timestamp"),
        ({"eventId": None}, "events[1].eventId"),
        ({"eventId": ""}, "events[1].eventId"),
        ({"rolloutEventId": 5}, "events[1].rolloutEventId"),
        ({"type": "shout"}, "events[1].type"),
        ({"type": ["user_message"]}, "events[1].type"),
        ({"content": 12}, "events[1].content"),
        ({"reward": "high"}, "events[1].reward"),
        ({"reward": "@1e400"}, "events[1].reward"),  # a number too big for a float: infinity
        ({"reward": False}, "events[1].reward"),
        ({"reward": 10**400}, "events[1].reward"),  # an integer no float holds
        ({"isFinished": "yes"}, "events[1].isFinished"),
        ({"metadata": [1]}, "events[1].metadata"),
        ({"type": "tool_call"}, "events[1].name"),
        ({"summary": "s"}, "events[1].summary"),
        ({"eventType": "explode"}, "events[1].eventType"),
        ({"eventId": "\x00"}, "events[1].eventId"),
    ],
)
def test_a_bad_field_is_named(change: dict, field: str) -> None:
    body = json.dumps({"events": [GOOD, {**GOOD, **change}]}).replace('"@1e400"', "1e400").encode()
    with pytest.raises(BadRequest) as caught:
        parse_body(body)
    assert str(caught.value).startswith(field + ":"), caught.value
    assert caught.value.status == 422


@pytest.mark.parametrize(
    ("body", "start"),
    [
        (b"{not json", "body: not valid JSON"),
        (b'{"events": [{"reward": NaN}]}', "body: not valid JSON"),
        (b"[1, 2]", "body: must be a JSON object"),
        (b"\xff\xfe", "body: not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "body: JSON nested too deeply"),
        (b'{"events": 1' + b"0" * 5000 + b"}", "body: not valid JSON"),
    ],
)
def test_malformed_bodies_are_400(body: bytes, start: str) -> None:
    with pytest.raises(BadRequest) as caught:
        parse_body(body)
    assert str(caught.value).startswith(start) and caught.value.status == 400


def test_missing_events_list_is_named() -> None:
    with pytest.raises(BadRequest, match=r"^events: must be a list"):
        parse_body(b'{"event": []}')


def test_text_is_made_safe_for_any_store() -> None:
    event = {**GOOD, "content": "a\x00b\ud800c", "callId": "x\x00", "metadata": {"k": "\udfff"}}
    (m,) = parse_body(json.dumps({"events": [event]}).encode()).messages
    assert m.event.content == "ab\\ud800c" and m.event.call_id == "x"
    json.dumps(m.metadata, ensure_ascii=False).encode("utf-8")  # encodable: no lone surrogate left


def test_integers_too_wide_for_64_bits_are_kept_exactly() -> None:
    wide = {"id": 2**64, "low": -(2**63) - 1, "deep": [{"n": 10**30}], "float": 1e20}
    start = {"eventId": "r-1", "timestamp": 1, "runName": "run", "metadata": wide, "eventType": "rollout"}
    batch = parse_body(json.dumps({"events": [start, {**GOOD, "metadata": wide}]}).encode())
    assert batch.messages[0].metadata == wide and type(batch.messages[0].metadata["id"]) is int
    assert json.loads(batch.starts[0].metadata) == wide


@pytest.mark.parametrize(
    "event",
    [
        GOOD,
        {**GOOD, "type": "tool_call", "name": "bash", "callId": "c", "content": "{}", "reward": 1, "isFinished": True},
        {**GOOD, "type": "reasoning", "summary": "s", "contentReference": "r", "metadata": {"a": [1, None]}},
        {**GOOD, "timestamp": 1.5, "environment_id": "e", "reward": -0.25, "content": "x\x00\ud800"},
        {**GOOD, "rolloutEventId": "r-1:a.b_C", "name": "ü", "callId": "\x00c"},
    ],
)
def test_the_fast_message_check_agrees_with_the_full_one(event: dict) -> None:
    from openreward_nb.server.decode import MESSAGE_FIELDS, _checked, _message, _plain_message

    fast = _plain_message(0, event)
    assert fast is not None and fast == _message(0, _checked(event, MESSAGE_FIELDS, "events[0]"), "events[0]")


@pytest.mark.parametrize(
    "change",
    [
        {"eventId": "\x00"},
        {"eventId": "\x00a"},
        {"rolloutEventId": "ü"},
        {"rolloutEventId": " "},
        {"reward": True},
        {"reward": 10**400},
        {"type": ["x"]},
        {"content": 1},
        {"index": 2**31},
        {"type": "tool_call"},
        {"summary": "s"},
        {"environment_id": 3},
    ],
)
def test_the_fast_message_check_leaves_odd_events_to_the_full_one(change: dict) -> None:
    from openreward_nb.server.decode import _plain_message

    assert _plain_message(0, {**GOOD, **change}) is None

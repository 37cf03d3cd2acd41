"""What the timeline serves: payloads, pages and their bounds, the reward chart, search, blobs, live polling."""

from __future__ import annotations

import json

from openreward_nb import AssistantMessage, ToolCall, ToolResult, UserMessage
from openreward_nb.viz.payload import CLIP_CHARS, event_payload
from openreward_nb.viz.source import MAX_PAGE, TimelineSource, bucket_points

from .conftest import PNG_BYTES


def test_payload_clips_long_text_and_keeps_the_full_length(episode) -> None:
    big = event_payload(episode.event(5))
    assert len(big["text"]) == CLIP_CHARS and big["n"] == 15_000
    assert big["b"] == "text" and big["text"].startswith("line\nline\n")  # {"stdout": text}: its text
    assert big["r"] == 0.1 and big["cid"] == "c1"


def test_payload_markdown_only_for_assistant_and_attachment_urls_checked(episode, hostile) -> None:
    assert event_payload(episode.event(6))["md"].startswith("<p>Found <strong>two</strong>")
    assert "md" not in event_payload(episode.event(1))
    result = event_payload(hostile.event(5))
    assert result["att"] == [{"label": hostile.event(5).attachments[0]["name"], "v": "none"}]  # javascript: URL
    assert result["e"] is True and "<" in result["text"]  # plain text: the browser sets it with textContent


def test_window_forward_backward_and_bounds(client) -> None:
    r = client.rollout.create(run_name="pages")
    for i in range(50):
        r.log(UserMessage(f"u{i}") if i % 2 == 0 else ToolCall(name="t", content="{}", call_id=str(i)))
    src = TimelineSource(r.record())
    first = src.window(0, 20)
    assert [e["i"] for e in first["events"]] == list(range(20)) and (first["start"], first["end"]) == (0, 20)
    tail = src.window(40, 20)
    assert [e["i"] for e in tail["events"]] == list(range(40, 50)) and tail["end"] == 50
    back = src.window(30, 10, backward=True)
    assert [e["i"] for e in back["events"]] == list(range(20, 30)) and (back["start"], back["end"]) == (20, 30)
    head = src.window(5, 10, backward=True)
    assert [e["i"] for e in head["events"]] == list(range(5)) and head["start"] == 0
    calls = src.window(0, 10, types=["tool_call"])
    assert [e["i"] for e in calls["events"]] == list(range(1, 20, 2)) and calls["end"] == 20
    for i in range(50, MAX_PAGE + 10):
        r.log(UserMessage(f"u{i}"))
    client.rollout.flush()
    assert len(TimelineSource(r.record()).window(0, 10_000)["events"]) == MAX_PAGE  # a page is bounded


def test_turns_and_window_by_turn(client) -> None:
    r = client.rollout.create(run_name="turns")
    for msg in [
        UserMessage("q"),
        AssistantMessage("a"),
        ToolCall(name="t", content="{}", call_id="1"),
        ToolResult(content="r", call_id="1"),
        AssistantMessage("b"),
        UserMessage("q2"),
        AssistantMessage("c"),
    ]:
        r.log(msg)
    src = TimelineSource(r.record())
    assert [src.turn_of(i) for i in range(7)] == [0, 1, 1, 1, 2, 2, 3]
    assert src.window(0, 5, turn=2)["events"][0]["i"] == 4
    assert [e["turn"] for e in src.window(0, 7)["events"]] == [0, 1, 1, 1, 2, 2, 3]


def test_chart_points_and_buckets(episode) -> None:
    chart = TimelineSource(episode).chart()
    assert chart == {"points": [[5, 0.1, 0.1], [8, 1.0, 1.1]], "n": 2, "finished": 8}
    many = [(i, 1.0) for i in range(2500)]
    buckets = bucket_points(many, limit=1000)
    assert len(buckets) <= 1000 and buckets[-1][2] == 2500.0 and buckets[1][0] == 3 and buckets[1][1] == 3.0


def test_search_attachment_and_full_text(episode) -> None:
    src = TimelineSource(episode)
    assert src.search("FOUND **TWO") == [6]
    assert src.search("100%_") == []  # LIKE wildcards are literal
    assert src.search("submit") == [7]  # tool names too
    assert src.attachment(2, 0) == (
        {"label": "s.png", "size": len(PNG_BYTES), "v": "image", "mime": "image/png"},
        PNG_BYTES,
    )
    full = src.full_text(5)
    assert full["n"] == len(full["text"]) > CLIP_CHARS


def test_poll_reports_new_events_and_the_end(client) -> None:
    r = client.rollout.create(run_name="live")
    r.log(UserMessage("start"))
    src = TimelineSource(r.record())
    assert src.poll() is None
    r.log(AssistantMessage("one"), reward=0.5)
    r.log(ToolCall(name="t", content=json.dumps({}), call_id="x"))
    client.rollout.flush()
    assert src.poll() == (1, 3)
    assert src.chart()["points"] == [[1, 0.5, 0.5]] and src.turn_of(2) == 1
    r.finish()
    client.rollout.flush()
    assert src.poll() == (3, 3) and src.record.status == "finished"

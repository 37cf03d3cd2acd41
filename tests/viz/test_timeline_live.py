"""The timeline's kernel side while it follows a rollout: each event reaches the view once, in order,
even when events land between a poll and the read that follows it."""

from __future__ import annotations

from typing import Any

from openreward_nb import UserMessage
from openreward_nb.viz.timeline import TimelineWidget


def test_events_written_between_a_poll_and_its_read_are_pushed_once(client) -> None:
    rollout = client.rollout.create(run_name="live", rollout_name="r")
    rollout.log(UserMessage("0"))
    client.rollout.flush()
    widget = TimelineWidget(client.rollouts.get(rollout.id), live=True, poll_interval=3600)
    sent: list[dict[str, Any]] = []
    widget.send = lambda content, buffers=None: sent.append(content)  # what the browser would receive
    source = widget._source
    polled = source.poll

    def poll_then_write() -> tuple[int, int] | None:
        changed = polled()
        rollout.log(UserMessage("written after the poll"))  # lands before the tick reads its page
        client.rollout.flush()
        return changed

    source.poll = poll_then_write
    try:
        for k in range(1, 4):
            rollout.log(UserMessage(str(k)))
            client.rollout.flush()
            assert widget._tick() is True
        source.poll = polled
        rollout.finish()
        client.rollout.flush()
        assert widget._tick() is False
        pushed = [ev["i"] for m in sent if m["kind"] == "append" for ev in m["events"]]
        assert pushed == list(range(1, widget.total)) and widget.total == 7
    finally:
        widget.close()

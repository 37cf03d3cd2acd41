"""The step diff's views: static HTML (escaped, opening at the first divergence), terminal text (inert),
the widget's state and its answers to the browser, ``compare``'s switch and ``openreward-nb diff``."""

from __future__ import annotations

import json
import re

import pytest

import openreward_nb as orn
from openreward_nb.cli import main
from openreward_nb.viz.diffsource import FIRST_BLOCKS
from openreward_nb.viz.diffview import DiffView
from openreward_nb.viz.views import CompareView, compare

from ..alignment.build import Reward, agent, record
from .conftest import PNG_BYTES
from .hostile import HOSTILE, SENTINEL, check_static_html, check_terminal


@pytest.fixture
def pair(client):
    """A solved and a failed attempt: 10 identical steps, then a changed argument, an extra step, another ending."""
    head = agent(3)
    good = [
        *head,
        ("call", "bash", {"command": "ls -la /home/ctf", "timeout": 30}),
        ("result", "flag.txt notes.txt"),
        ("assistant", "I found the **flag** file, reading it now."),
        ("call", "submit", {"flag": "F{1}"}),
        ("result", "correct", Reward(1.0, True)),
    ]
    bad = [
        *head,
        ("call", "bash", {"command": "ls", "timeout": 30}),
        ("result", "flag.txt"),
        ("assistant", "I found a file, reading it."),
        ("reasoning", "maybe guess"),
        ("call", "submit", {"flag": "F{0}"}),
        ("result", "wrong", Reward(0.0, True)),
    ]
    return record(client, "good", good), record(client, "bad", bad)


def test_static_html_opens_at_the_first_divergence_with_differences_marked(pair) -> None:
    a, b = pair
    view = orn.diff(a, b)
    assert isinstance(view, DiffView)
    html = view.static_html()
    check_static_html(html, a.id, b.id, "first divergence", "10 identical steps")
    assert html.index("10 identical steps") < html.index("first divergence</span>")
    # the changed argument is marked by its key on each side; the answer word by word
    assert '<span class="orws-mk-a">&quot;command&quot;: &quot;ls -la /home/ctf&quot;</span>' in html
    assert '<span class="orws-mk-b">&quot;command&quot;: &quot;ls&quot;</span>' in html
    assert '<span class="orws-mk-a">the **flag**</span>' in html
    assert "not in A" in html  # B's extra reasoning stands alone
    # both rewards on one chart, the divergence drawn on it
    assert html.count("<polyline") == 2 and ">first divergence</text>" in html


def test_terminal_text_shows_what_differs(pair) -> None:
    a, b = pair
    out = orn.diff(a, b).text()
    assert "10 identical · 5 changed · 1 only in B · first divergence at A #10 ↔ B #10" in out
    assert "= … 10 identical steps (A #0–9 · B #0–9)" in out
    assert '~ command: "ls -la /home/ctf" → "ls"' in out
    assert "I found [-the **flag**-]{+a+} file, reading it[- now-]." in out
    assert re.search(r"\+ only in B\n  B #13 +reasoning", out)


def test_widget_state_is_the_first_screen_and_pages_the_rest(pair) -> None:
    a, b = pair
    widget = orn.diff(a, b).widget()
    state = widget.get_state()
    assert state["summary"]["first"] == {"row": 10, "block": 1, "op": "changed", "a": 10, "b": 10}
    page = state["first_page"]
    assert page["start"] == 0 and [blk["k"] for blk in page["blocks"]][:3] == ["fold", "changed", "changed"]
    first = page["blocks"][1]
    assert first["first"] is True and first["a"]["i"] == 10 and first["b"]["i"] == 10
    assert [text for text, flag in first["a"]["mk"]["s"] if flag] == ['"command": "ls -la /home/ctf"']
    assert state["chart"]["first"] == 10 and state["chart"]["a"][-1] == [15, 1.0, 1.0]
    replies = []
    widget.send = lambda msg, buffers=None: replies.append(msg)
    widget._on_msg(widget, {"kind": "fold", "block": 0, "start": 0, "req": 1}, [])
    assert [ev["i"] for ev in replies[-1]["events"]] == list(range(10)) and replies[-1]["events"][3]["bx"] == 3
    widget._on_msg(widget, {"kind": "blocks", "row": 15, "limit": 5, "req": 2}, [])
    assert replies[-1]["focus"] == 6 and replies[-1]["start"] == 4
    widget._on_msg(widget, {"kind": "text", "side": "b", "i": 11, "req": 3}, [])
    assert replies[-1]["text"] == "flag.txt"
    widget._on_msg(widget, {"kind": "text", "side": "c", "i": 11, "req": 4}, [])
    assert replies[-1]["kind"] == "error" and "unknown side" in replies[-1]["message"]
    widget.close()


def test_the_first_screen_of_a_long_diff_is_bounded(client) -> None:
    steps = agent(400)
    other = list(steps)
    for k in range(3, len(steps), 9):  # every third turn, another 20,000-character output
        other[k] = ("result", f"output {k} " + "x" * 20_000)
        steps[k] = ("result", f"output {k} " + "y" * 20_000)
    widget = orn.diff(record(client, "a", steps), record(client, "b", other)).widget()
    state = widget.get_state()
    assert len(state["first_page"]["blocks"]) == FIRST_BLOCKS
    assert state["total"] > 200
    changed = [blk for blk in state["first_page"]["blocks"] if blk["k"] == "changed"]
    assert len(changed) > 10 and all(blk["a"]["mk"]["n"] > 20_000 for blk in changed)
    assert len(json.dumps(state["first_page"])) < 150_000  # the outputs clipped, the rest on demand
    widget.close()


def test_identical_and_empty_rollouts(client) -> None:
    steps = agent(2)
    same = orn.diff(record(client, "a", steps), record(client, "b", steps))
    assert "the rollouts do not diverge" in same.static_html()
    assert "7 identical · the rollouts do not diverge" in same.text()
    assert same.widget().get_state()["summary"]["first"] is None
    empty = orn.diff(record(client, "e1", []), record(client, "e2", []))
    assert "both rollouts are empty" in empty.static_html() and "no steps · both rollouts are empty" in empty.text()


def test_hostile_content_is_escaped_in_html_and_inert_in_the_terminal(client) -> None:
    shared = [("user", "task")]
    a = record(client, "h" + HOSTILE, [*shared, ("call", HOSTILE, {HOSTILE: HOSTILE}), ("assistant", HOSTILE + " one")])
    b = record(
        client,
        "h2" + HOSTILE,
        [*shared, ("call", HOSTILE, {HOSTILE: "x" + HOSTILE}), ("assistant", HOSTILE + " two")],
        run=HOSTILE,
    )
    view = orn.diff(a, b)
    html = view.static_html()
    check_static_html(html, a.id, b.id, HOSTILE)
    assert SENTINEL in html  # shown, as text
    for color in (False, True):
        from openreward_nb.viz.difftext import diff_text

        out = diff_text(view.alignment, color=color)
        check_terminal(re.sub("\x1b\\[[0-9;]*m", "", out))
    state = json.dumps(view.widget().get_state()["first_page"])
    assert "<script>" in state  # content travels as text, for textContent (the browser test proves it inert)


def test_attachments_are_served_as_the_timeline_serves_them(client) -> None:
    from openreward_nb.events import Attachment, Event

    rollouts = []
    for name, caption in (("a", "look at this"), ("b", "look at that")):
        r = client.rollout.create(run_name="diff", rollout_name=name)
        r._emit(Event("user_message", caption, attachments=[Attachment("image/png", PNG_BYTES, name="s.png")]))
        r.finish()
        rollouts.append(r.record())
    widget = orn.diff(*rollouts).widget()
    row = widget.get_state()["first_page"]["blocks"][0]
    assert row["k"] == "changed" and row["b"]["att"][0]["v"] == "image"
    replies = []
    widget.send = lambda msg, buffers=None: replies.append((msg, buffers))
    widget._on_msg(widget, {"kind": "attachment", "side": "b", "i": 0, "k": 0, "req": 1}, [])
    msg, buffers = replies[-1]
    assert msg["v"] == "image" and buffers == [PNG_BYTES]
    widget.close()


def test_compare_switches_to_the_diff(pair) -> None:
    a, b = pair
    assert isinstance(compare(a, b), CompareView)
    assert isinstance(compare(a, b, diff=True), DiffView)
    box = compare(a, b).widget()
    switch, side_by_side = box.children
    assert "orw-compare" in side_by_side._dom_classes
    switch.value = "step diff"
    assert type(box.children[1]).__name__ == "DiffWidget"
    assert box.children[1].get_state()["summary"]["first"]["a"] == 10
    switch.value = "side by side"
    assert box.children[1] is side_by_side


def test_diff_command_prints_the_diff(pair, store_url, capsys) -> None:
    _a, b = pair
    assert main(["--store", store_url, "diff", "diff/good", b.id[:10], "--no-color"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("store: ") and "first divergence at A #10 ↔ B #10" in out
    assert "◀ first divergence" in out and "[-correct-]{+wrong+}" in out
    assert main(["--store", store_url, "diff", "diff/good", "diff/missing"]) == 1
    assert "no rollout 'diff/missing'" in capsys.readouterr().err
    assert main(["--store", store_url, "diff", "diff/good", "diff/bad", "--limit", "2", "--no-color"]) == 0
    out = capsys.readouterr().out
    assert "… 5 more blocks (--limit to show more)" in out

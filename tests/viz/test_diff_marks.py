"""What differs in a changed step, marked: JSON key by key (laid out as the timeline lays it out), text word by word."""

from __future__ import annotations

import json

from openreward_nb.events import Event
from openreward_nb.viz.body import json_layout
from openreward_nb.viz.diffmarks import json_segments, key_changes, pair_marks, word_segments


def marked(segments) -> list[str]:
    return [text for text, flag in segments if flag]


def joined(segments) -> str:
    return "".join(text for text, _ in segments)


def test_json_segments_put_together_are_the_timeline_layout() -> None:
    values = [
        {"command": "ls -la", "timeout": 30, "env": {"A": "1", "B": [1, 2, {"x": None}]}, "flags": []},
        [1, "two", {"three": 3.5}, [], {}],
        {"ünïcode": "text ✓", "nested": {"deep": {"deeper": [True, False]}}},
        "just a string",
        {},
    ]
    for value in values:
        for other in (value, {"command": "ls"}, [1], None):
            assert joined(json_segments(value, other, True)) == json_layout(value)


def test_a_changed_argument_is_marked_by_its_key() -> None:
    a = {"command": "ls -la", "timeout": 30, "cwd": "/tmp"}
    b = {"timeout": 30, "command": "ls", "user": "root"}
    assert marked(json_segments(a, b, True)) == ['"command": "ls -la"', '"cwd": "/tmp"']
    assert marked(json_segments(b, a, True)) == ['"command": "ls"', '"user": "root"']
    assert key_changes(a, b) == [
        ("command", "changed", "ls -la", "ls"),
        ("cwd", "only_a", "/tmp", None),
        ("user", "only_b", None, "root"),
    ]


def test_nested_keys_are_compared_inside_and_types_count() -> None:
    a = {"env": {"PATH": "/bin", "N": 1}, "args": ["x", "y"]}
    b = {"env": {"PATH": "/bin", "N": True}, "args": ["x", "z", "w"]}
    assert marked(json_segments(a, b, True)) == ['"N": 1', '"y"']
    assert marked(json_segments(b, a, True)) == ['"N": true', '"z"', '"w"']
    assert [(p, k) for p, k, _, _ in key_changes(a, b)] == [
        ("env.N", "changed"),
        ("args[1]", "changed"),
        ("args[2]", "only_b"),
    ]


def test_text_is_marked_word_by_word() -> None:
    sa, sb = word_segments("I found the flag file, reading it now.", "I found a file, reading it.")
    assert joined(sa) == "I found the flag file, reading it now."
    assert marked(sa) == ["the flag", " now"]
    assert marked(sb) == ["a"]


def test_pair_marks_follow_each_events_body() -> None:
    call_a = Event("tool_call", json.dumps({"command": "ls -la", "timeout": 3}), name="bash")
    call_b = Event("tool_call", json.dumps({"timeout": 3, "command": "ls"}), name="bash")
    ma, mb = pair_marks(call_a, call_b, None)
    assert (ma.format, mb.format) == ("json", "json")
    assert marked(ma.segments) == ['"command": "ls -la"'] and marked(mb.segments) == ['"command": "ls"']
    # a tool output wrapping one string shows (and compares) as that text
    out_a = Event("tool_result", json.dumps({"result": "flag.txt notes.txt"}))
    out_b = Event("tool_result", json.dumps({"result": "flag.txt"}))
    ra, _rb = pair_marks(out_a, out_b, None)
    assert ra.format == "text" and joined(ra.segments) == "flag.txt notes.txt" and marked(ra.segments) == [" notes.txt"]
    # reasoning is compared unfolded: its summary, then its text
    think_a = Event("reasoning", "check the logs first", summary="Plan")
    think_b = Event("reasoning", "check the config first", summary="Plan")
    ta, tb = pair_marks(think_a, think_b, None)
    assert joined(ta.segments) == "Plan\n\ncheck the logs first" and marked(tb.segments) == ["config"]


def test_marks_are_clipped_to_the_limit_and_keep_the_whole_length() -> None:
    a = Event("user_message", "word " * 1000)
    b = Event("user_message", "word " * 999 + "other ")
    ma, _ = pair_marks(a, b, 100)
    assert len(joined(ma.segments)) == 100 and ma.full == 5000
    ca = Event("tool_call", json.dumps({"k": "v" * 500, "z": 1}), name="t")
    cb = Event("tool_call", json.dumps({"k": "v" * 500, "z": 2}), name="t")
    ja, _ = pair_marks(ca, cb, 50)
    assert len(joined(ja.segments)) == 50 and ja.full == len(json_layout({"k": "v" * 500, "z": 1}))

"""Alignment of recorded rollouts (on SQLite and PostgreSQL): what is equal, changed, or only on one side."""

from __future__ import annotations

import json

from openreward_nb import OpenReward
from openreward_nb.alignment import align
from openreward_nb.alignment.steps import HEAD_CHARS

from .build import Reward, agent, record


def ops(al) -> list[tuple[str, int | None, int | None]]:
    return [(row.op, row.a, row.b) for row in al.rows]


def test_identical_rollouts_are_all_equal(client) -> None:
    steps = agent(6)
    al = align(record(client, "a", steps), record(client, "b", steps))
    assert ops(al) == [("equal", k, k) for k in range(len(steps))]
    assert al.first is None and al.first_block is None
    assert [(blk.start, blk.stop, blk.fold) for blk in al.blocks] == [(0, len(steps), True)]


def test_disjoint_rollouts_have_no_equal_step(client) -> None:
    a = record(client, "a", [("user", "alpha"), ("assistant", "one two"), ("call", "ls", {"p": 1}), ("result", "x")])
    b = record(client, "b", [("user", "beta"), ("call", "cat", {"q": 2})])
    al = align(a, b)
    assert al.counts["equal"] == 0
    assert al.first == 0
    assert sorted(r.a for r in al.rows if r.a is not None) == [0, 1, 2, 3]
    assert sorted(r.b for r in al.rows if r.b is not None) == [0, 1]
    # same-type steps face each other; a tool call faces only a call of the same tool
    assert ("changed", 0, 0) in ops(al)
    assert not any(row.op == "changed" and row.a == 2 for row in al.rows)


def test_one_inserted_step_stands_alone(client) -> None:
    steps = agent(5)
    extra = [*steps[:7], ("assistant", "let me check something"), *steps[7:]]
    al = align(record(client, "a", steps), record(client, "b", extra))
    assert [row for row in al.rows if row.op != "equal"] == [al.rows[7]]
    assert (al.rows[7].op, al.rows[7].a, al.rows[7].b) == ("only_b", None, 7)
    assert al.counts["equal"] == len(steps)
    assert al.first == 7


def test_a_changed_tool_argument_is_one_changed_step(client) -> None:
    steps = agent(4)
    other = list(steps)
    other[5] = ("call", "bash", {"command": "cat /home/ctf/f1", "timeout": 60})
    al = align(record(client, "a", steps), record(client, "b", other))
    changed = [row for row in al.rows if row.op != "equal"]
    assert [(r.op, r.a, r.b) for r in changed] == [("changed", 5, 5)]
    assert 0.5 < changed[0].similarity < 1
    assert al.first == 5


def test_json_arguments_compare_without_key_order_or_white_space(client) -> None:
    a = record(client, "a", [("call", "bash", '{"command": "ls", "timeout": 30}')])
    b = record(client, "b", [("call", "bash", '{"timeout":30,\n  "command":"ls"}')])
    assert ops(align(a, b)) == [("equal", 0, 0)]


def test_reordered_parallel_calls_and_results_are_equal(client) -> None:
    calls = [("call", "read", {"path": p}) for p in ("a.txt", "b.txt", "c.txt")]
    results = [("result", f"contents of {p}") for p in ("a.txt", "b.txt", "c.txt")]
    head = [("user", "read the three files")]
    tail = [("assistant", "done")]
    a = record(client, "a", head + calls + results + tail)
    b = record(client, "b", head + calls[::-1] + [results[1], results[2], results[0]] + tail)
    al = align(a, b)
    assert al.counts["equal"] == 8 and al.first is None
    pairs = {row.a: row.b for row in al.rows}
    assert pairs == {0: 0, 1: 3, 2: 2, 3: 1, 4: 6, 5: 4, 6: 5, 7: 7}
    assert [row.a for row in al.rows] == list(range(8))  # rows in A's order


def test_a_call_only_one_side_makes_among_parallel_calls_stands_alone(client) -> None:
    a = record(client, "a", [("call", "read", {"path": "x"}), ("call", "read", {"path": "y"}), ("assistant", "ok")])
    b = record(client, "b", [("call", "read", {"path": "y"}), ("assistant", "ok")])
    al = align(a, b)
    assert ops(al) == [("only_a", 0, None), ("equal", 1, 0), ("equal", 2, 1)]


def test_rollouts_of_different_lengths(client) -> None:
    short, long = agent(3), agent(8)
    al = align(record(client, "a", short), record(client, "b", long))
    assert ops(al)[: len(short)] == [("equal", k, k) for k in range(len(short))]
    assert ops(al)[len(short) :] == [("only_b", None, k) for k in range(len(short), len(long))]
    assert al.first == len(short)


def test_empty_rollouts(client) -> None:
    empty_a, empty_b = record(client, "e1", []), record(client, "e2", [])
    full = record(client, "f", agent(2))
    none = align(empty_a, empty_b)
    assert none.rows == [] and none.first is None and none.blocks == []
    assert ops(align(full, empty_a)) == [("only_a", k, None) for k in range(7)]
    assert ops(align(empty_b, full)) == [("only_b", None, k) for k in range(7)]


def test_a_long_run_of_a_repeated_call_is_not_broken_by_one_more(client) -> None:
    loop = [("call", "poll", {"job": 1}), ("result", "pending")]
    a_steps = [("user", "wait for the job"), *loop * 60, ("assistant", "done")]
    b_steps = [("user", "wait for the job"), *loop * 61, ("assistant", "done")]
    al = align(record(client, "a", a_steps), record(client, "b", b_steps))
    assert al.counts == {"equal": len(a_steps), "changed": 0, "only_a": 0, "only_b": 2}
    inserted = [k for k, row in enumerate(al.rows) if row.op == "only_b"]
    assert inserted[1] == inserted[0] + 1  # one more call and its result, side by side
    assert [blk.fold for blk in al.blocks].count(True) <= 2  # the identical steps around them stay whole


def test_same_step_with_another_reward_is_changed(client) -> None:
    a = record(client, "a", [("call", "submit", {"flag": "F"}), ("result", "ok", Reward(1.0, True))])
    b = record(client, "b", [("call", "submit", {"flag": "F"}), ("result", "ok", Reward(0.0, True))])
    al = align(a, b)
    assert [(r.op, r.similarity) for r in al.rows] == [("equal", 1.0), ("changed", 1.0)]


def test_long_contents_differing_only_in_the_middle_are_changed(client) -> None:
    size = HEAD_CHARS * 3
    same = "a" * size
    middle = "a" * (size // 2) + "b" + "a" * (size - size // 2 - 1)
    a = record(client, "a", [("result", same), ("result", same + "x")])
    b = record(client, "b", [("result", middle), ("result", same + "x")])
    assert ops(align(a, b)) == [("changed", 0, 0), ("equal", 1, 1)]


def test_rollouts_in_two_stores_compare_long_contents_in_python(client, tmp_path) -> None:
    size = HEAD_CHARS * 2
    other = OpenReward(store=tmp_path / "other.sqlite")
    try:
        long_same, long_other = "q" * size, "q" * (size // 2) + "z" + "q" * (size - size // 2 - 1)
        a = record(client, "a", [("result", long_same), ("result", long_same)])
        b = record(other, "b", [("result", long_same), ("result", long_other)])
        assert ops(align(a, b)) == [("equal", 0, 0), ("changed", 1, 1)]
    finally:
        other.close()


def test_tool_results_carrying_json_compare_as_json(client) -> None:
    a = record(client, "a", [("result", json.dumps({"stdout": "x", "code": 0}))])
    b = record(client, "b", [("result", json.dumps({"code": 0, "stdout": "x"}, indent=4))])
    assert ops(align(a, b)) == [("equal", 0, 0)]

"""The key diff: the shortest edit script while differences are few, anchors and blocks beyond."""

from __future__ import annotations

import random

from openreward_nb.alignment import sequence
from openreward_nb.alignment.sequence import opcodes


def lcs(a: list[int], b: list[int]) -> int:
    n, m = len(a), len(b)
    table = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            table[i][j] = table[i + 1][j + 1] + 1 if a[i] == b[j] else max(table[i + 1][j], table[i][j + 1])
    return table[0][0]


def check_script(a: list[int], b: list[int], ops) -> int:
    """The opcodes cover both sequences in order, equal blocks are equal; the number of equal items."""
    i = j = 0
    for tag, i1, i2, j1, j2 in ops:
        assert (i1, j1) == (i, j)
        assert tag in ("equal", "delete", "insert", "replace")
        if tag == "equal":
            assert a[i1:i2] == b[j1:j2]
        i, j = i2, j2
    assert (i, j) == (len(a), len(b))
    return sum(i2 - i1 for tag, i1, i2, _, _ in ops if tag == "equal")


def test_the_script_keeps_a_longest_common_subsequence() -> None:
    rng = random.Random(7)
    for _ in range(1500):
        alphabet = rng.randint(1, 6)
        a = [rng.randint(0, alphabet) for _ in range(rng.randint(0, 25))]
        b = [rng.randint(0, alphabet) for _ in range(rng.randint(0, 25))]
        assert check_script(a, b, opcodes(a, b)) == lcs(a, b), (a, b)


def test_few_differences_in_long_sequences_are_each_one_edit() -> None:
    a = list(range(10_000))
    b = [*a[:150], -1, *a[150:6000], *a[6001:9000], -2, *a[9001:]]
    ops = opcodes(a, b)
    assert [op for op in ops if op[0] != "equal"] == [
        ("insert", 150, 150, 150, 151),
        ("delete", 6_000, 6_001, 6_001, 6_001),
        ("replace", 9_000, 9_001, 9_000, 9_001),
    ]


def test_one_more_repetition_of_a_repeated_step_is_one_insertion() -> None:
    """A long run of identical steps stays whole when one side repeats a call once more."""
    a = [0] + [5] * 400 + [1, 2]
    b = [0] + [5] * 401 + [1, 2]
    ops = opcodes(a, b)
    assert [op[0] for op in ops] == ["equal", "insert", "equal"]
    assert sum(i2 - i1 for tag, i1, i2, _, _ in ops if tag == "equal") == len(a)


def test_sequences_with_nothing_in_common_are_one_block() -> None:
    a, b = list(range(5_000)), list(range(5_000, 9_000))
    assert opcodes(a, b) == [("replace", 0, 5_000, 0, 4_000)]


def test_unique_steps_anchor_what_myers_would_take_too_long_for(monkeypatch) -> None:
    """Past the work bound, keys found once on each side still match, in an order both sides share."""
    monkeypatch.setattr(sequence, "MYERS_WORK", 50)
    a = [100, 200, 1, 2, 3, 101, 4, 5, 102]
    b = [7, 100, 8, 9, 101, 10, 102, 11, 200]  # 200 crosses the others: it cannot match with them
    ops = opcodes(a, b)
    assert check_script(a, b, ops) == 3
    assert [(i1, j1) for tag, i1, _, j1, _ in ops if tag == "equal"] == [(0, 1), (5, 4), (8, 6)]


def test_empty_sequences() -> None:
    assert opcodes([], []) == []
    assert opcodes([1, 2], []) == [("delete", 0, 2, 0, 0)]
    assert opcodes([], [1]) == [("insert", 0, 0, 0, 1)]

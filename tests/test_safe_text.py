"""The terminal sanitiser: every sequence a hostile peer could send is shown, never obeyed."""

from __future__ import annotations

import pytest

from openreward_nb.safe_text import clip, terminal_block, terminal_line

HOSTILE = [
    ("\x1b]0;owned\x07", "\\x1b]0;owned\\x07"),  # set the terminal title
    ("\x1b[2J", "\\x1b[2J"),  # clear the screen
    ("\x9b31m", "\\x9b31m"),  # C1 control sequence introducer
    ("abc\u202edcba", "abc\\u202edcba"),  # right-to-left override
    ("a\u2066b\u2069", "a\\u2066b\\u2069"),  # bidi isolates
    ("pass\u200bword", "pass\\u200bword"),  # zero-width space
    ("x\ufeffy", "x\\ufeffy"),  # zero-width no-break space
    ("a\rb", "a\\x0db"),  # carriage return overwrites the line
    ("a\u2028b", "a\\u2028b"),  # line separator
    ("\ud800", "\\ud800"),  # lone surrogate
    ("\x00\x7f", "\\x00\\x7f"),
]


@pytest.mark.parametrize(("raw", "shown"), HOSTILE)
def test_every_control_is_shown_as_an_escape(raw: str, shown: str) -> None:
    assert terminal_line(raw) == shown
    assert terminal_block(raw) == shown


def test_a_line_escapes_newlines_and_tabs_a_block_keeps_them() -> None:
    assert terminal_line("run\nname\there") == "run\\nname\\there"
    assert terminal_block("line one\n\tline two") == "line one\n\tline two"


def test_ordinary_text_is_unchanged() -> None:
    text = "flag{ok} – 日本語 Кириллица 🙂 naïve"
    assert terminal_line(text) == text
    assert terminal_block(text) == text


def test_clipping() -> None:
    assert terminal_line("abcdef", 4) == "abc…"
    assert terminal_line("abc", 4) == "abc"
    assert terminal_line(None) == ""
    assert clip("abcdef", None) == "abcdef"

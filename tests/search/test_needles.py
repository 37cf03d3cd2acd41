"""What a query asks of the index (the literal parts of a regular expression, any case), how it is put
to FTS5 and to pg_trgm, and the snippet around a match."""

from __future__ import annotations

import re

import pytest

from openreward_nb.fulltext.index import fts_phrase, fts_query, spelled
from openreward_nb.fulltext.needles import AllOf, AnyOf, regex_needles
from openreward_nb.fulltext.query import parse_query
from openreward_nb.fulltext.snippet import WIDTH, make_snippet


@pytest.mark.parametrize(
    "pattern, needs",
    [
        (r"flag\{", "flag{"),
        (r"rm -rf /", "rm -rf /"),
        (r"[Ff]lag\{\w+\}", "flag{"),  # a set of one letter in either case: that letter, to the index
        (r"a.*bcd", "bcd"),  # "a" alone is too short to look up
        (r"(abc)+def", AllOf(("abc", "def"))),
        (r"(?>abc)d", "abcd"),  # an atomic group opened in place
        (r"timeout|error", AnyOf(("timeout", "error"))),
        (r"(?i)time(out|d out)", AllOf(("time", AnyOf(("out", "d out"))))),
        (r"(?=abc)x", "abc"),  # a lookahead's text is there
        (r"(?<=abc)x", None),  # a lookbehind's is not looked up
        (r"foo|ba", None),  # one branch too short: nothing can be required
        (r"a(bcd)?e", None),  # optional
        (r"\d+s\b", None),
        (r".*", None),
    ],
)
def test_regex_needles(pattern: str, needs) -> None:
    assert regex_needles(pattern) == needs


@pytest.mark.parametrize(
    "pattern, text",
    [(r"[Ff]lag\{\w+\}", "Flag{x}"), (r"(?i)time(out|d out)", "TIMED OUT"), (r"(abc)+def", "abcabcdef")],
)
def test_what_the_needles_ask_is_in_every_match(pattern: str, text: str) -> None:
    """Needles ask for less than the pattern, never more: every match holds them (in any case)."""
    assert re.search(pattern, text)

    def holds(need) -> bool:
        if isinstance(need, str):
            return need.lower() in text.lower()
        parts = [holds(p) for p in need.parts]
        return all(parts) if isinstance(need, AllOf) else any(parts)

    assert holds(regex_needles(pattern))


def test_fts_queries_quote_each_trigram() -> None:
    assert fts_phrase('a"bc') == '("a""b" AND """bc")'
    assert fts_phrase("flag{") == '("fla" AND "lag" AND "ag{")'
    assert fts_phrase("aaaa") == '("aaa")'  # each trigram once
    long = fts_phrase("abcdefghijklmnopqrstuvwxyz")
    assert long.count('"') == 24 and '"abc"' in long and '"xyz"' in long  # 12 trigrams, first and last among them
    assert fts_query(AnyOf(("abc", AllOf(("def", "ghi"))))) == '(("abc") OR (("def") AND ("ghi")))'


def test_punctuation_is_spelled_for_pg_trgm() -> None:
    assert spelled("flag{x}") == "flag" + spelled("{") + "x" + spelled("}") and spelled("{") != "{"
    assert all(c.isalnum() for c in spelled("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"))
    assert len(set(spelled("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"))) == 32  # one letter each


def test_plain_queries_match_in_any_case_and_script() -> None:
    q = parse_query("ФЛАГ{")
    assert q.find("здесь флаг{x}") == (6, 11)
    assert parse_query("İstanbul").find("go to i̇stanbul") == (6, 15)  # a lowercase longer than its letter


def test_snippet_keeps_the_match_whole_and_marks_it() -> None:
    text = "a" * 1000 + "THE MATCH" + "b\n\n\tc" * 400
    s = make_snippet(text, 1000, 1009)
    assert s.match == "THE MATCH" and s.text.startswith("…a") and s.text.endswith("…")
    assert "b c" in s.text and "\n" not in s.text and len(s.text) <= WIDTH + 2
    short = make_snippet("x MATCH y", 2, 7)
    assert (short.text, short.start, short.end) == ("x MATCH y", 2, 7)

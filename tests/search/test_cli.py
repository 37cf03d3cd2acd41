"""``openreward-nb search``: matches grouped by rollout with the match marked, filters as flags, bad
input named in one line (never a database traceback), hostile text inert."""

from __future__ import annotations

import re
import subprocess

import pytest

from openreward_nb.cli import main

from ..helpers import PYTHON, subprocess_env
from ..viz.hostile import SENTINEL, check_terminal, make_hostile_store
from .episodes import record_corpus, wait_indexed


@pytest.fixture
def corpus(client, store_url) -> str:
    record_corpus(client)
    wait_indexed(client.store)
    return store_url


def test_matches_are_printed_by_rollout_with_the_match_marked(corpus, capsys) -> None:
    assert main(["--store", corpus, "search", "FLAG{", "--no-color"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("store: ")
    assert re.match(r"ctf-a/twice  \(rollout [0-9a-f-]+, total reward 1\)$", out[1]), out[1]
    assert out[2].split() == ["#2", "tool", "result", "«FLAG{»first_try}"]
    assert "#3" in out[3] and "submit" in out[3] and '{"flag": "«flag{»first_try}"}' in out[3]
    assert out[-1] == "3 matching events in 1 rollout"


def test_filters_regex_and_limit(corpus, capsys) -> None:
    assert (
        main(["--store", corpus, "search", "/challenge/", "--run", "ctf-a", "--type", "user_message", "--no-color"])
        == 0
    )
    out = capsys.readouterr().out
    assert "«/challenge/»" in out and "ctf-b" not in out and out.endswith("2 matching events in 2 rollouts\n")
    assert main(["--store", corpus, "search", r"(?i)flag\{\w+", "--regex", "--tool", "submit", "--no-color"]) == 0
    assert capsys.readouterr().out.count("«flag{") == 2
    assert main(["--store", corpus, "search", "/challenge/", "--limit", "1", "--no-color"]) == 0
    assert capsys.readouterr().out.endswith("1 matching event+ in 1 rollout (the first 1 shown: --limit)\n")


def test_colour_marks_the_match(corpus, capsys, monkeypatch) -> None:
    monkeypatch.setattr("openreward_nb.cli.search.use_color", lambda args: True)
    assert main(["--store", corpus, "search", "rm -rf /"]) == 0
    assert "\x1b[1;30;43mrm -rf /\x1b[0m" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, code, said",
    [
        (
            ["search", "x", "--run", "nope"],
            1,
            "openreward-nb search: no run named 'nope'; runs in the store: 'ctf-a', 'ctf-b'",
        ),
        (
            ["search", "(", "--regex"],
            2,
            "invalid regular expression '(': missing ), unterminated subpattern at position 0",
        ),
        (["search", "x", "--type", "shout"], 2, "unknown event type 'shout'"),
        (["search", "  "], 2, "the search query is empty"),
    ],
)
def test_bad_input_is_one_line(corpus, capsys, argv, code, said) -> None:
    with pytest.raises(SystemExit) if code == 2 else _nothing() as caught:
        assert main(["--store", corpus, *argv]) == code
    if code == 2:
        assert caught.value.code == 2
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def _search(store, *args: str) -> str:
    out = subprocess.run(
        [PYTHON, "-m", "openreward_nb", "--store", str(store), "search", *args],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    check_terminal(out.stdout + out.stderr)
    return out.stdout


def test_hostile_text_reaches_the_terminal_inert(tmp_path) -> None:
    store = tmp_path / "hostile.sqlite"
    make_hostile_store(store)
    assert _search(store, SENTINEL, "--limit", "500").count(f"«{SENTINEL}»") > 20  # found, each marked
    escapes = _search(store, "]0;pwned")
    assert "\\x1b«]0;pwned»\\x07\\x1b[2J\\x9b31m" in escapes  # the terminal escapes, shown as text
    assert "\\u202e«gnp.exe»\\u2066" in _search(store, "gnp.exe")  # a bidi override, shown as text


def test_colour_output_keeps_only_its_own_colours(client, store_url, capsys, monkeypatch) -> None:
    """With colour on, a colour sequence a tool wrote is shown as text; only ours colour the line."""
    from openreward_nb import ToolResult

    r = client.rollout.create(run_name="ansi", rollout_name="<b>x</b>\x1b[32m")
    r.log(ToolResult(content="plain \x1b[31mRED\x1b[0m then flag{x} \x1b[5mblink\x1b[0m", call_id="c"))
    client.rollout.flush()
    monkeypatch.setattr("openreward_nb.cli.search.use_color", lambda args: True)
    assert main(["--store", store_url, "search", "flag{"]) == 0
    out = capsys.readouterr().out
    ours = re.sub(r"\x1b\[(1;30;43|1|0)m", "", out)  # the match's colour and the bold header
    check_terminal(ours)
    assert "\\x1b[31mRED\\x1b[0m then \x1b[1;30;43mflag{\x1b[0mx} \\x1b[5mblink" in out

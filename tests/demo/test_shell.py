"""The sandbox shell behind the demo's bash tool: commands, pipes, quoting and bash-like errors."""

from __future__ import annotations

import base64
import codecs

import pytest

from openreward_nb.demo.shell import Shell

FILES = {
    "/challenge/README.txt": "Start here.\n",
    "/challenge/notes/a.txt": "alpha\nflag{in_a}\n",
    "/challenge/notes/b.txt": "beta\n",
    "/challenge/.hidden/key": base64.b64encode(b"flag{b64}").decode() + "\n",
    "/challenge/rot.txt": codecs.encode("flag{rot}", "rot13") + "\n",
    "/home/ctf/.bashrc": "alias ll='ls -la'\n",
}


@pytest.fixture
def shell() -> Shell:
    return Shell(FILES)


def test_listing_finds_hidden_files_only_when_asked(shell: Shell) -> None:
    assert shell.run("ls").output == "README.txt\nnotes\nrot.txt\n"
    long = shell.run("ls -la /challenge").output.splitlines()
    assert long[0] == "total 24" and long[-1].endswith(" rot.txt") and any(line.endswith(" .hidden") for line in long)
    assert long[-1].startswith("-rw-r--r-- 1 ctf ctf    10 Mar  3 12:00 ")
    found = shell.run("find /challenge -type f").output.splitlines()
    assert found == sorted(p for p in FILES if p.startswith("/challenge"))
    assert shell.run("find . -name '*.txt' -type f").output.splitlines() == [
        "./README.txt",
        "./notes/a.txt",
        "./notes/b.txt",
        "./rot.txt",
    ]


def test_cat_reads_files_and_expands_globs(shell: Shell) -> None:
    assert shell.run("cat notes/*.txt").output == "alpha\nflag{in_a}\nbeta\n"
    assert shell.run("cat /challenge/notes/b.txt ~/.bashrc").output == "beta\nalias ll='ls -la'\n"
    assert shell.run("head -n 1 notes/a.txt | wc -l").output == "1\n"


def test_grep_searches_recursively_with_line_numbers(shell: Shell) -> None:
    result = shell.run('grep -rn "flag{" /challenge')
    assert result.output == "/challenge/notes/a.txt:2:flag{in_a}\n" and result.exit_code == 0
    assert shell.run("grep -l beta notes/a.txt notes/b.txt").output == "notes/b.txt\n"
    assert shell.run("grep -o 'flag{[a-z_]*}' notes/a.txt").output == "flag{in_a}\n"
    assert shell.run("grep nothing notes/a.txt") == ("", 1)


def test_decoding_in_pipelines(shell: Shell) -> None:
    assert shell.run("base64 -d .hidden/key").output == "flag{b64}"
    assert shell.run("cat .hidden/key | base64 --decode").output == "flag{b64}"
    assert shell.run("cat rot.txt | tr 'A-Za-z' 'N-ZA-Mn-za-m'").output == "flag{rot}\n"
    assert shell.run("echo -n hi | base64").output == "aGk=\n"
    assert shell.run("echo '%%%' | base64 -d") == ("base64: invalid input\n", 1)


def test_quotes_keep_operators_and_globs_literal(shell: Shell) -> None:
    assert shell.run("echo \"a|b; c\" '*'").output == "a|b; c *\n"
    assert shell.run("echo a\\ b").output == "a b\n"
    assert shell.run('echo "say \\"hi\\""').output == 'say "hi"\n'


def test_command_lists_and_working_directory(shell: Shell) -> None:
    assert shell.run("cd notes && pwd && ls").output == "/challenge/notes\na.txt\nb.txt\n"
    assert shell.run("pwd").output == "/challenge/notes\n"  # the directory persists across calls
    assert shell.run("cat missing || echo fallback; echo end").output == (
        "cat: missing: No such file or directory\nfallback\nend\n"
    )
    assert shell.run("false_cmd && echo never").output == "bash: false_cmd: command not found\n"


@pytest.mark.parametrize(
    ("command", "output", "code"),
    [
        ("python3 -c 1", "bash: python3: command not found\n", 127),
        ("cat /nope", "cat: /nope: No such file or directory\n", 1),
        ("cat /challenge/notes", "cat: /challenge/notes: Is a directory\n", 1),
        ("ls /nope", "ls: cannot access '/nope': No such file or directory\n", 2),
        ("echo hi > /tmp/x", "bash: redirections and background jobs are not available in this sandbox\n", 1),
        ("echo 'open", "bash: syntax error: unexpected EOF while looking for matching `''\n", 2),
        ("cat README.txt |", "bash: syntax error near unexpected token `|'\n", 2),
    ],
)
def test_errors_read_like_bash(shell: Shell, command: str, output: str, code: int) -> None:
    assert shell.run(command) == (output, code)

"""``openreward-nb runs | rollouts RUN | show ROLLOUT``: the views as text, read from a store they never create."""

from __future__ import annotations

import os
import re
import subprocess
import uuid

import pytest

from openreward_nb import OpenReward, ToolCall, ToolResult, UserMessage
from openreward_nb.cli import main
from openreward_nb.cli import runs as runs_command
from openreward_nb.cli._text import inert
from openreward_nb.errors import NotFoundError
from openreward_nb.store import close_store, open_store

from ..helpers import PYTHON, subprocess_env
from .conftest import record_episode

#: what must never reach a terminal raw: C0 / C1 controls but newline, bidi overrides, zero-width characters
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
EVIL = "\x1b]0;pwned\x07\x1b[2J\x9b1m\u202eevil\u200b\nname"


def test_runs_rollouts_and_show(client, store_path, capsys) -> None:
    a = record_episode(client, run="ctf", name="solved")
    record_episode(client, run="ctf", name="failed", solved=False)
    store = str(store_path)
    assert main(["--store", store, "runs"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"store: {store_path}"
    assert lines[1].split()[:3] == ["run", "rollouts", "running"] and lines[2].split()[:2] == ["ctf", "2"]

    assert main(["--store", store, "rollouts", "ctf"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"store: {store_path}\nrun ctf: 2 rollouts\n") and "solved" in out and "-0.4" in out

    assert main(["--store", store, "show", a.id[:8], "--limit", "3", "--no-color"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"store: {store_path}\nrollout solved")
    assert "#2    user" in out and "#3" not in out and "6 more events" in out


def test_counts_are_singular_for_one(client, store_path, capsys) -> None:
    record_episode(client, run="ctf", name="only")
    assert main(["--store", str(store_path), "rollouts", "ctf"]) == 0
    assert "run ctf: 1 rollout\n" in capsys.readouterr().out
    assert main(["--store", str(store_path), "rollouts", "ctf", "--status", "finished"]) == 0
    assert "run ctf: 1 finished rollout\n" in capsys.readouterr().out
    with client.rollout.create("small", rollout_name="one-call") as r:
        r.log(UserMessage("go"))
        r.log(ToolCall(name="bash", content="{}", call_id="c"))
        r.log(ToolResult(content="ok", call_id="c"), reward=1.0, is_finished=True)
    client.rollout.flush()
    assert main(["--store", str(store_path), "show", "small/one-call", "--limit", "2", "--no-color"]) == 0
    out = capsys.readouterr().out
    assert "3 events · 1 turn · 1 tool call · " in out and "… 1 more event (--limit" in out


def test_show_takes_run_slash_name_the_latest_of_that_name(client, store_path, capsys) -> None:
    record_episode(client, run="quickstart", name="episode-0")
    again = record_episode(client, run="quickstart", name="episode-0")  # the demo, run twice
    store = str(store_path)
    for ref in ("quickstart/episode-0", "episode-0", again.id, again.id[:8]):
        assert main(["--store", store, "show", ref, "--limit", "1"]) == 0, ref
        assert again.id in capsys.readouterr().out, ref
    record_episode(client, run="other", name="episode-0")
    assert main(["--store", store, "show", "episode-0"]) == 1
    err = capsys.readouterr().err
    assert "is a rollout name in several runs" in err and "other/episode-0" in err and "quickstart/episode-0" in err


def test_unknown_run_and_rollout_exit_1(client, store_path, capsys) -> None:
    record_episode(client)
    assert main(["--store", str(store_path), "rollouts", "nope"]) == 1
    assert "no run named 'nope'" in capsys.readouterr().err
    assert main(["--store", str(store_path), "show", "does-not-exist"]) == 1
    assert "RUN/ROLLOUT_NAME" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["runs"], ["rollouts", "ctf"], ["show", "ctf/episode-0"], ["export", "ctf"]])
def test_read_commands_say_there_is_no_store_and_create_none(tmp_path, command) -> None:
    """In a folder without a store (HOME stops the search there), a read command names where it looked."""
    work = tmp_path / "project" / "sub"
    work.mkdir(parents=True)
    env = subprocess_env(HOME=str(tmp_path))
    env.pop("OPENREWARD_NB_STORE", None)
    run = [PYTHON, "-m", "openreward_nb"]
    out = subprocess.run([*run, *command], cwd=work, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 1, out.stderr
    assert f"no store: no .openreward_nb/ folder in {work} or its parents up to {tmp_path / 'project'}" in out.stderr
    named = tmp_path / "named.sqlite"
    out = subprocess.run([*run, "--store", str(named), *command], cwd=work, env=env, capture_output=True, text=True)
    assert out.returncode == 1 and f"no store at {named}" in out.stderr
    assert sorted(os.listdir(tmp_path)) == ["project"] and os.listdir(work) == []


def test_the_project_store_is_found_from_a_subfolder(tmp_path) -> None:
    """The demo writes the project's store at its root; a command run in a folder below reads that store."""
    root = tmp_path / "project"
    (root / "notebooks").mkdir(parents=True)
    env = subprocess_env(HOME=str(tmp_path))
    env.pop("OPENREWARD_NB_STORE", None)
    record = "from openreward_nb import OpenReward, UserMessage\nc = OpenReward()\nc.rollout.create('at-root').log(UserMessage('x'))\nc.close()"
    subprocess.run([PYTHON, "-c", record], cwd=root, env=env, check=True, timeout=120)
    assert (root / ".openreward_nb" / "store.sqlite").is_file()
    assert (root / ".openreward_nb" / ".gitignore").read_text().splitlines()[-1] == "*"
    out = subprocess.run(
        [PYTHON, "-m", "openreward_nb", "runs"], cwd=root / "notebooks", env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(f"store: {root / '.openreward_nb' / 'store.sqlite'}\n") and "at-root" in out.stdout
    assert not (root / "notebooks" / ".openreward_nb").exists()


def test_hostile_ids_and_names_reach_the_terminal_inert(client, store_path, capsys, monkeypatch, tmp_path) -> None:
    """A rollout id, run and rollout name that would set the title, clear the screen or reorder text."""
    evil_id = "id" + EVIL
    api = client.rollout  # its writer is made before the id generator is replaced
    with monkeypatch.context() as patched:
        patched.setattr(uuid, "uuid4", lambda: evil_id)
        r = api.create(run_name="run" + EVIL, rollout_name="ro" + EVIL)
    r.log(UserMessage("hi" + EVIL), reward=1.0, is_finished=True)
    client.rollout.flush()
    store = str(store_path)
    outputs = []
    for command in (
        ["runs"],
        ["rollouts", "run" + EVIL],
        ["show", evil_id, "--no-color"],
        ["show", "nope" + EVIL],
        ["export", "run" + EVIL, "-o", str(tmp_path / "x.csv"), "--format", "csv"],
        ["copy", store, str(tmp_path / "copy.sqlite")],
    ):
        main(["--store", store, *command] if command[0] != "copy" else command)
        captured = capsys.readouterr()
        outputs.append(captured.out + captured.err)
    for command, text in zip(("runs", "rollouts", "show", "show-missing", "export", "copy"), outputs, strict=True):
        assert not UNSAFE.findall(text), (command, UNSAFE.findall(text), text)
    assert "\\x1b]0;pwned\\x07" in outputs[0] and "\\u202eevil" in outputs[1] and "\\x9b" in outputs[2]


def test_colour_keeps_only_the_views_own_escape_sequences() -> None:
    text = "\x1b[1mrun\x1b[0m " + EVIL
    assert inert(text, color=True).startswith("\x1b[1mrun\x1b[0m \\x1b]0;pwned\\x07\\x1b[2J\\x9b")
    assert "\x1b" not in inert(text)


def test_argument_problems_are_argparse_usage_errors(client, store_path, capsys) -> None:
    record_episode(client, run="ctf")
    for argv in (
        ["show", "x", "--limit", "-1"],
        ["rollouts", "ctf", "--limit", "zero"],
        ["export", "ctf", "--level", "turns"],
    ):
        with pytest.raises(SystemExit) as exit:
            main(["--store", str(store_path), *argv])
        assert exit.value.code == 2, argv
        assert "usage: openreward-nb" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--store", str(store_path), "export", "ctf", "--level", "turns"])
    assert "--level: unknown 'turns'; choose from runs, rollouts, events, tool_calls" in capsys.readouterr().err


def test_only_the_packages_own_errors_are_user_errors(monkeypatch, capsys) -> None:
    """A bug (here a TypeError) keeps its traceback; an OpenRewardNBError is one line and exit 1."""

    def bug(args):
        raise TypeError("a bug")

    def refused(args):
        raise NotFoundError("nothing\x1b[2J here")

    monkeypatch.setattr(runs_command, "_runs", bug)
    with pytest.raises(TypeError, match="a bug"):
        main(["runs"])
    monkeypatch.setattr(runs_command, "_runs", refused)
    assert main(["runs"]) == 1
    assert capsys.readouterr().err == "openreward-nb runs: nothing\\x1b[2J here\n"


def test_a_store_written_later_is_read_by_the_same_process(tmp_path, capsys) -> None:
    """A read first opens read-only; a writer in the same process then opens it for writing."""
    store = tmp_path / "s.sqlite"
    first = OpenReward(store=store)
    first.rollout.create("first").log(UserMessage("a"))
    first.close()
    close_store(first.store)
    assert main(["--store", str(store), "runs"]) == 0
    assert open_store(store, read_only=True).read_only
    writer = OpenReward(store=store)
    writer.rollout.create("second").log(UserMessage("b"))
    writer.rollout.flush()
    assert not writer.store.read_only
    assert main(["--store", str(store), "runs"]) == 0
    assert "second" in capsys.readouterr().out
    writer.close()

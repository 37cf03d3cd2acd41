"""``openreward-nb runs | rollouts RUN | show ID``: the views as text."""

from __future__ import annotations

from openreward_nb.cli import main

from .conftest import record_episode


def test_runs_rollouts_and_show(client, store_path, capsys) -> None:
    a = record_episode(client, run="ctf", name="solved")
    record_episode(client, run="ctf", name="failed", solved=False)
    store = str(store_path)
    assert main(["--store", store, "runs"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["run", "rollouts", "running"] and lines[1].split()[:2] == ["ctf", "2"]

    assert main(["--store", store, "rollouts", "ctf"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("run ctf: 2 rollouts") and "solved" in out and "-0.4" in out

    assert main(["--store", store, "show", a.id[:8], "--limit", "3", "--no-color"]) == 0
    out = capsys.readouterr().out
    assert "rollout solved" in out and "#2    user" in out and "#3" not in out and "6 more events" in out


def test_unknown_run_and_rollout_exit_1(client, store_path, capsys) -> None:
    record_episode(client)
    assert main(["--store", str(store_path), "rollouts", "nope"]) == 1
    assert "no run named 'nope'" in capsys.readouterr().err
    assert main(["--store", str(store_path), "show", "does-not-exist"]) == 1

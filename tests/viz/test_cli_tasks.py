"""``openreward-nb tasks RUN [RUN...]``: the per-task table in the terminal, hardest first, sanitised."""

from __future__ import annotations

import pytest

from openreward_nb import OpenReward, UserMessage
from openreward_nb.cli import main

from .hostile import HOSTILE, check_terminal


def _attempts(client: OpenReward, run: str, task: str, rewards: list[float]) -> None:
    for k, reward in enumerate(rewards):
        r = client.rollout.create(run, rollout_name=f"{task}-{k}", task_spec={"id": task})
        r.log(UserMessage("go"), reward=reward, is_finished=True)
        r.finish()


def test_tasks_hardest_first_with_pass_at_k(client: OpenReward, store_path, capsys) -> None:
    _attempts(client, "rl", "easy", [1.0, 1.0, 1.0, 0.0])
    _attempts(client, "rl", "hard", [0.0, 0.0, 0.0, 1.0, 0.0])
    _attempts(client, "rl", "never", [0.0, 0.0])
    _attempts(client, "base", "easy", [0.0, 0.0])
    client.rollout.flush()
    assert main(["--store", str(store_path), "tasks", "rl", "--k", "1", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == [f"store: {store_path}", "run rl: 3 tasks, hardest first (success: total reward ≥ 1)"]
    assert lines[2].split() == ["task", "n", "success", "mean", "reward", "pass@1", "pass@2", "steps", "tool", "calls"]
    assert [line.split()[:3] for line in lines[3:]] == [
        ["never", "2", "0"],
        ["hard", "5", "0.2"],
        ["easy", "4", "0.75"],
    ]
    assert lines[4].split()[5] == "0.4"  # pass@2 of 1 success in 5: 1 - C(4, 2) / C(5, 2)

    # several runs: a task's rows together, the task hardest over the runs first
    assert main(["--store", str(store_path), "tasks", "rl", "base", "--limit", "1"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1] == "runs rl, base: 3 tasks, hardest first (success: total reward ≥ 1), the hardest 1 shown (--limit)"
    assert [line.split()[:2] for line in out[3:]] == [["never", "rl"]]
    assert main(["--store", str(store_path), "tasks", "base", "rl"]) == 0
    rows = [line.split()[:3] for line in capsys.readouterr().out.splitlines()[3:]]
    # easy: 0.375 over the two runs, after hard's 0.2; a task's rows together, in the order the runs were named
    assert rows == [["never", "rl", "2"], ["hard", "rl", "5"], ["easy", "base", "2"], ["easy", "rl", "4"]]


def test_task_and_run_names_reach_the_terminal_inert(client: OpenReward, store_path, capsys) -> None:
    _attempts(client, "r" + HOSTILE, "t" + HOSTILE, [1.0, 0.0])
    client.rollout.flush()
    assert main(["--store", str(store_path), "tasks", "r" + HOSTILE, "--by", "task_spec.id"]) == 0
    out = capsys.readouterr().out
    check_terminal(out)
    assert "t<script>window.__orw_pwned" in out and "run r<script>window.__orw_pwned" in out


def test_unknown_runs_and_columns_are_user_errors(client: OpenReward, store_path, capsys) -> None:
    _attempts(client, "rl", "t", [1.0])
    client.rollout.flush()
    assert main(["--store", str(store_path), "tasks", "nope"]) == 1
    assert "openreward-nb tasks: no run named 'nope'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["--store", str(store_path), "tasks", "rl", "--by", "metadata.nope"])
    assert exit_info.value.code == 2 and "cannot key tasks by 'metadata.nope'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--store", str(store_path), "tasks", "rl", "--k", "0"])
    assert "must be at least 1" in capsys.readouterr().err


def test_rollouts_without_a_task_are_counted_in_a_note(client: OpenReward, store_path, capsys) -> None:
    _attempts(client, "rl", "t", [1.0])
    r = client.rollout.create("rl", rollout_name="loose")
    r.log(UserMessage("go"), reward=1.0)
    r.finish()
    client.rollout.flush()
    assert main(["--store", str(store_path), "tasks", "rl"]) == 0
    captured = capsys.readouterr()
    assert "note: 1 rollout without a task left out" in captured.err and "run rl: 1 task, hardest first" in captured.out

"""``openreward-nb demo``: the quickstart agent, headless, on the store it is given."""

from __future__ import annotations

import os
import subprocess

from openreward_nb import OpenReward

from ..helpers import PYTHON, subprocess_env


def test_demo_records_the_quickstart_agent_and_says_where_to_look(tmp_path) -> None:
    store = tmp_path / "demo.sqlite"
    env = subprocess_env()
    for key in ("OPENAI_API_KEY", "OPENREWARD_NB_STORE"):
        env.pop(key, None)
    out = subprocess.run(
        [PYTHON, "-m", "openreward_nb", "--store", str(store), "demo", "--tasks", "2", "--run-name", "demo-run"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert "recorded 2 rollouts into run 'demo-run'" in out.stdout
    rollouts = list(OpenReward(store=store).runs.get("demo-run").rollouts())
    assert [r.rollout_name for r in rollouts] == ["episode-0", "episode-1"]
    for rec in rollouts:
        assert rec.status == "finished" and rec.total_reward == 1.0 and rec.model == "demo-strong"
        assert rec.environment == "GeneralReasoning/CTF" and rec.task_spec and rec.input_tokens > 0
        assert f"openreward-nb --store {store} show {rollouts[0].id[:8]}" in out.stdout
    assert not os.path.exists(tmp_path / "openreward_nb_demo.ipynb")


def test_demo_rejects_a_bad_task_count(tmp_path) -> None:
    out = subprocess.run(
        [PYTHON, "-m", "openreward_nb", "--store", str(tmp_path / "s.sqlite"), "demo", "--tasks", "0"],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=120,
    )
    assert out.returncode == 1 and "--tasks must be at least 1" in out.stderr

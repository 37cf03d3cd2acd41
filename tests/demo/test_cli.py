"""``openreward-nb demo``: the quickstart agent, headless, on the store it is given; every hint it prints works."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request

from openreward_nb import OpenReward

from ..helpers import PYTHON, subprocess_env

HIDE_JUPYTERLAB = "import sys; sys.modules['jupyterlab'] = None\nfrom openreward_nb.cli import main\nsys.exit(main())"


def _env(home) -> dict[str, str]:
    env = subprocess_env(HOME=str(home))  # the store search stops at home: the test's own folder
    for key in ("OPENAI_API_KEY", "OPENREWARD_NB_STORE"):
        env.pop(key, None)
    return env


def _demo(cwd, *args: str, python: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [*(python or [PYTHON, "-m", "openreward_nb"]), *args]
    return subprocess.run(command, capture_output=True, text=True, env=_env(cwd), cwd=cwd, timeout=300)


def hints(stdout: str) -> list[str]:
    """The commands under "where to look:", without their comments."""
    lines = stdout.split("where to look:\n", 1)[1].splitlines()
    return [line.strip().split("   # ")[0] for line in lines if line.strip()]


def test_demo_records_the_quickstart_agent_and_says_where_to_look(tmp_path) -> None:
    store = tmp_path / "demo.sqlite"
    out = _demo(tmp_path, "--store", str(store), "demo", "--tasks", "2", "--run-name", "demo-run")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(f"recorded 2 rollouts into run 'demo-run'\nstore: {store}\n")
    rollouts = list(OpenReward(store=store).runs.get("demo-run").rollouts())
    assert [r.rollout_name for r in rollouts] == ["episode-0", "episode-1"]
    for rec in rollouts:
        assert rec.status == "finished" and rec.total_reward == 1.0 and rec.model == "demo-strong"
        assert rec.environment == "GeneralReasoning/CTF" and rec.task_spec and rec.input_tokens > 0
        assert f"{rec.rollout_name}  {rec.id}" in out.stdout
    assert f"--store {store} show demo-run/episode-0" in out.stdout
    diff = next(line for line in hints(out.stdout) if " diff " in line)  # two attempts recorded: compare them
    assert diff.endswith(f" diff {rollouts[0].id} {rollouts[1].id}")
    ran = subprocess.run(["bash", "-c", diff], cwd=tmp_path, env=_env(tmp_path), capture_output=True, text=True)
    assert ran.returncode == 0 and "first divergence" in ran.stdout, ran.stderr
    assert not os.path.exists(tmp_path / "openreward_nb_demo.ipynb")


def test_every_hint_works_where_it_was_printed(tmp_path) -> None:
    """Run twice (two episode-0 in the run), then each printed command, as printed, in the same folder."""
    for _ in range(2):
        out = _demo(tmp_path, "demo", "--tasks", "1")
        assert out.returncode == 0, out.stderr
    assert (tmp_path / ".openreward_nb" / "store.sqlite").is_file()
    show, rollouts, search, lab = hints(out.stdout)
    assert show.endswith(" show quickstart/episode-0") and rollouts.endswith(" rollouts quickstart")
    assert search.endswith(" search 'flag{' --run quickstart")
    latest = list(OpenReward(store=tmp_path / ".openreward_nb" / "store.sqlite").runs.get("quickstart").rollouts())[-1]
    checks = ((show, latest.id), (rollouts, "run quickstart: 2 rollouts"), (search, "flag{"))
    for command, expected in checks:
        ran = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=_env(tmp_path), capture_output=True, text=True)
        assert ran.returncode == 0 and expected in ran.stdout, (command, ran.stderr)
    assert " lab " in lab and lab.endswith("01_quickstart.ipynb")
    assert_jupyterlab_serves(lab, tmp_path)


def assert_jupyterlab_serves(lab: str, folder) -> None:
    """The printed ``jupyter lab NOTEBOOK`` starts JupyterLab (loopback, no browser) and serves the notebook."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    serve = f"exec {lab} --no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port={port} --ServerApp.token=t"
    server = subprocess.Popen(["bash", "-c", serve], cwd=folder, env=_env(folder), stderr=subprocess.PIPE, text=True)
    notebook = lab.rsplit(" ", 1)[1]
    # JupyterLab serves the folder of the notebook it was given
    url = f"http://127.0.0.1:{port}/api/contents/{os.path.basename(notebook)}?token=t&content=0"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(url, timeout=5) as answer:
                    assert json.load(answer)["type"] == "notebook"
                    return
            except OSError:
                time.sleep(0.5)
        server.terminate()
        raise AssertionError(f"JupyterLab did not serve {notebook}: {server.communicate(timeout=30)[1][-3000:]}")
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=30)


def test_without_jupyterlab_the_hint_says_how_to_install_it(tmp_path) -> None:
    out = _demo(tmp_path, "demo", "--tasks", "1", python=[PYTHON, "-c", HIDE_JUPYTERLAB])
    assert out.returncode == 0, out.stderr
    install, lab = hints(out.stdout)[3:]
    assert install.endswith(" install 'openreward-nb[jupyter]'") and " lab " in lab
    out = _demo(tmp_path, "demo", "--tasks", "1", "--open", python=[PYTHON, "-c", HIDE_JUPYTERLAB])
    assert out.returncode == 1 and "install 'openreward-nb[jupyter]'" in out.stderr
    assert "jupyterlab is not installed here" in out.stderr


def test_demo_rejects_a_bad_task_count(tmp_path) -> None:
    out = _demo(tmp_path, "--store", str(tmp_path / "s.sqlite"), "demo", "--tasks", "0")
    assert out.returncode == 2 and "--tasks: must be at least 1, got 0" in out.stderr
    assert not (tmp_path / "s.sqlite").exists()

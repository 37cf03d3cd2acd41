"""The demo notebooks run top to bottom in a real kernel, offline, each in a fresh store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from openreward_nb import OpenReward

from ..helpers import REPO

NOTEBOOKS = REPO / "notebooks"
WIDGET = "application/vnd.jupyter.widget-view+json"
API_KEYS = (
    "OPENAI_API_KEY",
    "ANTHROPIC_API_KEY",
    "GEMINI_API_KEY",
    "GOOGLE_API_KEY",
    "OPENROUTER_API_KEY",
    "OPENREWARD_API_KEY",
)


def execute(name: str, folder: Path, **env_extra: str) -> nbformat.NotebookNode:
    """Run notebook ``name`` in ``folder/work`` with its own store and ``folder/tmp`` as TMPDIR; no API keys.

    Afterwards the working directory must still be empty (outputs go to temporary or ignored
    places) and every rollout in every store the notebook wrote must have its reward.
    """
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    work, tmp = folder / "work", folder / "tmp"
    work.mkdir()
    tmp.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in API_KEYS and not k.startswith("OPENREWARD_NB_")}
    env.update(
        OPENREWARD_NB_STORE=str(folder / "store.sqlite"),
        OPENREWARD_DISABLE_UPDATE_CHECK="1",
        TMPDIR=str(tmp),
        **env_extra,
    )
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(work)}}).execute(env=env)
    assert os.listdir(work) == [], f"{name} wrote into its working directory: {os.listdir(work)}"
    stores = [folder / "store.sqlite", *tmp.glob("**/*.sqlite")]
    assert_every_rollout_has_its_reward(name, [s for s in stores if s.exists()])
    return nb


def assert_every_rollout_has_its_reward(name: str, stores: list[Path]) -> None:
    """Every rollout of every run ended with the environment's reward (a finished episode always has one)."""
    seen = 0
    for store in stores:
        reader = OpenReward(store=store)
        for run in reader.runs.list():
            for rec in run.rollouts():
                seen += 1
                where = f"{name}: {store.name} run {run.name!r} rollout {rec.rollout_name!r}"
                assert rec.status == "finished" and rec.is_finished, where
                assert rec.total_reward is not None and rec.final_reward is not None, f"{where} has no reward"
    assert seen, f"{name} recorded nothing"


def tagged(nb: nbformat.NotebookNode, tag: str) -> list[dict]:
    """The outputs of the cell tagged ``tag``."""
    return next(c.outputs for c in nb.cells if tag in c.metadata.get("tags", []))


def shows_widget(outputs: list[dict]) -> bool:
    """A view is there: its static HTML output, then its widget as the next output."""
    data = [o.get("data", {}) for o in outputs]
    return any("text/html" in a and WIDGET in b for a, b in pairwise(data))


def test_committed_notebooks_are_the_generated_ones(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(REPO / "tools" / "make_notebooks.py"), str(tmp_path)], check=True, timeout=120)
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        assert (tmp_path / path.name).read_text() == path.read_text(), f"{path.name}: run tools/make_notebooks.py"


def test_committed_notebooks_carry_no_outputs() -> None:
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, f"{path.name} has stale outputs"


def test_quickstart(tmp_path: Path) -> None:
    nb = execute("01_quickstart.ipynb", tmp_path)
    assert shows_widget(tagged(nb, "timeline"))
    [rec] = list(OpenReward(store=tmp_path / "store.sqlite").runs.get("quickstart").rollouts())
    assert rec.status == "finished" and rec.is_finished and rec.total_reward == 1.0
    assert rec.environment == "GeneralReasoning/CTF" and rec.metadata == {"model": "demo-strong"}
    types = {e.type for e in rec.events()}
    assert {"user_message", "reasoning", "tool_call", "tool_result"} <= types


def test_rollout_magic(tmp_path: Path) -> None:
    nb = execute("02_rollout_magic.ipynb", tmp_path)
    reader = OpenReward(store=tmp_path / "store.sqlite")
    rollouts = {r.rollout_name: r for r in reader.runs.get("magic-demo").rollouts()}
    assert set(rollouts) == {"openai-responses", "anthropic-stream", "gemini-chat", "openrouter-stream"}
    for rec in rollouts.values():
        assert rec.status == "finished" and rec.n_tool_calls >= 3 and rec.input_tokens > 0, rec.rollout_name
        keys = [(e.type, e.content, e.summary, e.content_reference, e.call_id) for e in rec.events()]
        assert len(keys) == len(set(keys)), f"{rec.rollout_name} stored a message twice"
    assert {name: rec.total_reward for name, rec in rollouts.items()} == dict.fromkeys(rollouts, 1.0)
    magic_cells = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith("%%rollout")]
    assert len(magic_cells) == 4 and all(shows_widget(c.outputs) for c in magic_cells)
    assert shows_widget(tagged(nb, "run-table"))


def test_comparing_runs(tmp_path: Path) -> None:
    nb = execute("03_comparing_runs.ipynb", tmp_path)
    reader = OpenReward(store=tmp_path / "store.sqlite")
    strong, weak = (reader.runs.get(f"ctf-demo-{m}") for m in ("strong", "weak"))
    assert strong.n_rollouts == weak.n_rollouts == 24
    assert strong.mean_reward > weak.mean_reward
    plot = tagged(nb, "plot")
    assert any("application/vnd.plotly.v1+json" in o.get("data", {}) or WIDGET in o.get("data", {}) for o in plot)
    assert shows_widget(tagged(nb, "run-table"))
    [written] = (tmp_path / "tmp").glob("openreward-nb-*/solved.jsonl")  # a temporary folder, not the repository
    lines = written.read_text().splitlines()
    solved = sum(1 for run in (strong, weak) for r in run.rollouts() if (r.total_reward or 0) >= 1.0)
    assert len(lines) == solved and all(json.loads(line)["messages"] for line in lines)


def test_teams_and_platform(tmp_path: Path) -> None:
    nb = execute("04_teams_and_platform.ipynb", tmp_path)
    texts = "".join(
        o.get("data", {}).get("text/plain", "") + o.get("text", "")
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
    )
    assert "SyncResult(sent=45, pending=0, failed=0, errors=[])" in texts
    assert "team-run" in texts


@pytest.mark.slow
def test_binder_requirements_install_and_run_the_quickstart(tmp_path: Path) -> None:
    venv = tmp_path / "binder-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run(
        [*pip, "-r", str(REPO / "binder" / "requirements.txt"), "nbclient", "ipykernel"],
        cwd=REPO,
        check=True,
        timeout=900,
    )
    work = tmp_path / "work"
    work.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in API_KEYS and not k.startswith(("OPENREWARD_NB_", "PYTHONPATH", "VIRTUAL_ENV"))
    }
    env["OPENREWARD_NB_STORE"] = str(work / "store.sqlite")
    out = subprocess.run(
        [
            str(venv / "bin" / "jupyter"),
            "execute",
            "--output",
            str(work / "out.ipynb"),
            str(NOTEBOOKS / "01_quickstart.ipynb"),
        ],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    nb = nbformat.read(work / "out.ipynb", as_version=4)
    assert shows_widget(tagged(nb, "timeline"))

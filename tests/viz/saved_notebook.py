"""A notebook that shows every view, for the saved-notebook tests: run it, save it, reopen it without a
kernel (or convert it) and the views must still be there."""

from __future__ import annotations

import subprocess
from pathlib import Path

from ..helpers import PYTHON, subprocess_env

RECORD = """
import openreward_nb as orn
from openreward_nb import AssistantMessage, ReasoningItem, ToolCall, ToolResult, UserMessage
client = orn.OpenReward(store="saved.sqlite")
recs = []
for k in range(3):
    r = client.rollout.create(run_name="saved-run", rollout_name=f"saved-episode-{k}", split="train",
                              task_spec={"id": f"saved-task-{k % 2}"})
    r.log(UserMessage(f"MARKER-USER-{k}: find the flag"))
    r.log(ReasoningItem(content=f"MARKER-THINKING-{k}\\nthen look around"))
    r.log(ToolCall(name="bash", content='{"command": "ls"}', call_id="c1"))
    r.log(ToolResult(content="flag.txt", call_id="c1"))
    r.log(AssistantMessage(f"MARKER-ANSWER-{k} **done**"), reward=float(k % 2), is_finished=True)
    r.finish()
    recs.append(r.record())
"""
#: (cell source, text each view's static rendering must show)
VIEWS = (
    ("recs[0]", "MARKER-USER-0"),
    ('client.runs.get("saved-run")', "saved-episode-2"),
    ("orn.compare(recs[0], recs[1])", "MARKER-ANSWER-1"),
    ("orn.dashboard(client)", "saved-run"),
    ("recs[2].show()", "MARKER-ANSWER-2"),
    ("orn.diff(recs[0], recs[1])", "first divergence"),
    ('orn.tasks("saved-run", store=client.store)', "saved-task-1"),
)


def write_notebook(path: Path) -> Path:
    """The notebook, not yet run."""
    import nbformat

    cells = [nbformat.v4.new_code_cell(RECORD)] + [nbformat.v4.new_code_cell(src) for src, _ in VIEWS]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    return path


def nbconvert(folder: Path, *args: str) -> None:
    """``jupyter nbconvert ARGS`` in ``folder`` (this checkout importable); fails the test if it fails."""
    done = subprocess.run(
        [PYTHON, "-m", "nbconvert", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-3000:]

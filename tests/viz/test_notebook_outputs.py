"""Saved notebooks stay readable: nbconvert --to html shows the static rendering, and importing the
package loads none of the view machinery."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from ..helpers import PYTHON, REPO, subprocess_env

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]


def test_nbconvert_html_shows_the_static_timeline(tmp_path: Path) -> None:
    import nbformat
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter

    code = f"""
import sys; sys.path.insert(0, {str(REPO)!r})
from openreward_nb import OpenReward, UserMessage, AssistantMessage
client = OpenReward(store="nbconvert.sqlite")
r = client.rollout.create(run_name="saved", rollout_name="saved-episode")
r.log(UserMessage("<script>alert(1)</script> what is 2+2?"))
r.log(AssistantMessage("**4**"), reward=1.0, is_finished=True)
r.finish()
r.record()
"""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    # as JupyterLab saves by default: outputs kept, widget state not
    NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        store_widget_state=False,
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()
    data = nb.cells[0].outputs[0]["data"]
    assert "application/vnd.jupyter.widget-view+json" in data
    body, _ = HTMLExporter().from_notebook_node(nb)
    assert 'class="orws"' in body and "saved-episode" in body and "<strong>4</strong>" in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; what is 2+2?" in body


def test_import_stays_light() -> None:
    code = (
        "import sys, openreward_nb; heavy = [m for m in ('ipywidgets', 'anywidget', 'markdown_it', 'plotly', "
        "'openreward_nb.viz') if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, env=subprocess_env(), timeout=60)
    assert out.stdout.strip() == "[]", out.stderr

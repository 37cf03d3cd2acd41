"""Saved notebooks stay readable: ``jupyter nbconvert --to html --execute`` (which saves the widget state,
so its page asks a CDN for the widget scripts) keeps every view's static rendering, and importing the
package loads none of the view machinery. (Seen in a browser: test_saved_notebooks.py.)"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from ..helpers import PYTHON, subprocess_env
from .saved_notebook import VIEWS, nbconvert, write_notebook

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


def test_nbconvert_execute_keeps_each_view_as_static_html_then_widget(tmp_path: Path) -> None:
    write_notebook(tmp_path / "saved.ipynb")
    nbconvert(tmp_path, "--to", "notebook", "--execute", "--output", "ran.ipynb", "saved.ipynb")
    nbconvert(tmp_path, "--to", "html", "ran.ipynb")
    ran = json.loads((tmp_path / "ran.ipynb").read_text())
    for cell, (_, marker) in zip(ran["cells"][1:], VIEWS, strict=True):
        kinds = [sorted(o.get("data", {})) for o in cell["outputs"]]
        assert kinds == [["text/html", "text/plain"], ["application/vnd.jupyter.widget-view+json", "text/plain"]]
        assert marker in "".join(cell["outputs"][0]["data"]["text/html"])
    page = (tmp_path / "ran.html").read_text()
    assert page.count('class="orws orws-static"') == len(VIEWS)
    assert all(marker in page for _, marker in VIEWS)
    assert "MARKER-USER-0: find the flag" in page and "<strong>done</strong>" in page


def test_import_stays_light() -> None:
    code = (
        "import sys, openreward_nb; heavy = [m for m in ('ipywidgets', 'anywidget', 'markdown_it', 'plotly', "
        "'openreward_nb.viz') if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, env=subprocess_env(), timeout=60)
    assert out.stdout.strip() == "[]", out.stderr

"""The %%rollout magic in a real Jupyter kernel (nbclient), every provider through the real SDKs."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from openreward_nb import OpenReward

NOTEBOOK = Path(__file__).parent / "notebooks" / "rollout_magic.ipynb"
WIDGET = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("nb")
    store = folder / "store.sqlite"
    nb = nbformat.read(NOTEBOOK, as_version=4)
    env = dict(os.environ, OPENREWARD_NB_STORE=str(store), OPENREWARD_DISABLE_UPDATE_CHECK="1")
    for key in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY", "OPENROUTER_API_KEY"):
        env.pop(key, None)
    client = NotebookClient(nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(folder)}})
    client.execute(env=env)
    return nb, OpenReward(store=store)


def _only(reader: OpenReward, run: str):
    [rec] = list(reader.runs.get(run).rollouts())
    return rec


def _outputs(nb, marker: str) -> list[dict]:
    cell = next(c for c in nb.cells if c.cell_type == "code" and c.source.startswith(marker))
    return cell.outputs


def test_each_provider_cell_is_recorded_once_per_message(executed) -> None:
    _, reader = executed
    seed = _only(reader, "nb-openai")
    assert seed.rollout_name == "seed" and seed.environment == "GeneralReasoning/CTF" and seed.split == "train"
    assert seed.status == "finished" and seed.total_reward == 1.0
    events = list(seed.events())
    keys = [(e.type, e.content, e.summary, e.content_reference, e.call_id) for e in events]
    assert len(keys) == len(set(keys))
    for run in ("nb-anthropic", "nb-gemini", "nb-openrouter"):
        rec = _only(reader, run)
        events = list(rec.events())
        keys = [(e.type, e.content, e.summary, e.content_reference, e.call_id) for e in events]
        assert len(keys) == len(set(keys)), run
        assert rec.n_tool_calls >= 3 and rec.status == "finished", run
        assert sum(e.type == "tool_result" for e in events) == rec.n_tool_calls, run
        assert events[-1].type == "assistant_message", run
        assert rec.input_tokens > 0 and rec.model, run


def test_timeline_renders_below_each_cell_and_quiet_prints_a_line(executed) -> None:
    nb, _ = executed
    outputs = _outputs(nb, "%%rollout nb-openai")
    data = [o["data"] for o in outputs if o.get("output_type") == "display_data"]
    assert len(data) >= 2 and "text/html" in data[-2] and WIDGET in data[-1]  # the static view, then the widget
    quiet = _outputs(nb, "%%rollout nb-openrouter")
    assert not any(o.get("output_type") == "display_data" for o in quiet)
    assert "nb-openrouter" in "".join(o.get("text", "") for o in quiet if o.get("output_type") == "stream")


def test_two_tasks_in_one_cell_do_not_mix(executed) -> None:
    _, reader = executed
    for rec in reader.runs.get("nb-tasks").rollouts():
        prompts = [e.content for e in rec.events() if e.type == "user_message"]
        assert prompts == [f"{rec.rollout_name} {i}" for i in range(3)]


def test_failed_cell_and_capture_off(executed) -> None:
    nb, reader = executed
    crash = _only(reader, "nb-fail")
    assert crash.status == "failed" and "RuntimeError: the environment crashed" in crash.error
    errors = [o for o in _outputs(nb, "%%rollout nb-fail") if o.get("output_type") == "error"]
    assert errors and errors[0]["ename"] == "RuntimeError"  # the exception still reached the user
    explicit = _only(reader, "nb-explicit")
    assert [e.content for e in explicit.events()] == ["logged by hand"]

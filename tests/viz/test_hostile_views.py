"""Hostile text in every field that can arrive over the wire, sent through the real ingest server, and ids
only an older store may hold, written into its tables: no view lets any of it act.

Static HTML: parsed, no element or attribute came from content. Terminal: no escape, control, bidi or
zero-width character gets out. (The widgets, on the same store, in test_browser_hostile.py.)
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from openreward_nb import OpenReward
from openreward_nb.cli import main
from openreward_nb.records import RolloutRecord
from openreward_nb.viz import static, text
from openreward_nb.viz.views import RunView, compare, dashboard

from .hostile import check_static_html, check_terminal, hostile, make_hostile_store

pytestmark = [pytest.mark.timeout(120)]


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    path = tmp_path_factory.mktemp("hostile") / "hostile.sqlite"
    return path, make_hostile_store(path)


@pytest.fixture
def records(hostile_store: tuple[Path, list[str]]):
    path, ids = hostile_store
    client = OpenReward(store=path)
    found = {r.id: r for r in client.rollouts.iter()}
    assert set(found) == set(ids)  # every hostile id is stored as it was sent or written
    yield client, [found[i] for i in ids]
    client.close()


def shown_texts(rec: RolloutRecord) -> list[str]:
    return [rec.id, rec.run_name, rec.rollout_name or "", rec.environment or "", rec.split or ""]


def test_static_html_of_every_view_has_no_element_from_content(records) -> None:
    client, recs = records
    for rec in recs:
        check_static_html(static.timeline_html(rec), *shown_texts(rec))
    for run in client.runs.list():
        check_static_html(RunView(run).static_html(), run.name)
    check_static_html(dashboard(client).static_html(), *(run.name for run in client.runs.list()))
    for a, b in pairwise(recs):
        check_static_html(compare(a, b).static_html(), a.id, b.id)


def test_event_bodies_metadata_and_tool_names_arrive_whole(records) -> None:
    _, recs = records
    wire = recs[0]
    events = list(wire.events())
    assert [e.type for e in events][:3] == ["system_message", "user_message", "reasoning"]
    assert events[4].name == hostile("tool") and events[4].call_id == hostile("call")
    assert wire.metadata[hostile("meta-key")] == hostile("meta-value")
    html = static.timeline_html(wire)
    check_static_html(html, hostile("tool"), hostile("system"), hostile("summary").split("\n")[0])


def test_terminal_views_print_nothing_that_acts(records, hostile_store, capsys) -> None:
    client, recs = records
    outputs = []
    for rec in recs:
        outputs += [text.timeline_text(rec), text.rollout_summary(rec)]
    for run in client.runs.list():
        outputs.append(RunView(run).text())
    outputs.append(dashboard(client).text())
    store = str(hostile_store[0])
    for rec in recs:
        assert main(["--store", store, "show", rec.id, "--no-color"]) == 0
    assert main(["--store", store, "runs", "--no-color"]) == 0
    outputs.append(capsys.readouterr().out)
    for out in outputs:
        check_terminal(out)
    # one line per rollout whatever its name holds: a newline in a name does not break the table
    for run in client.runs.list():
        assert len(RunView(run).text().splitlines()) == 2 + run.n_rollouts


def test_coloured_terminal_output_holds_only_its_own_styles(records) -> None:
    import re

    _, recs = records
    for rec in recs:
        check_terminal(re.sub("\x1b\\[[0-9;]*m", "", text.timeline_text(rec, color=True)))

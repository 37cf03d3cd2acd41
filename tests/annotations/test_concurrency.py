"""Two people labelling the same run at once on a PostgreSQL store: both keep their labels, and each sees
the other's after a refresh. Two processes, each with its own run view, label every rollout through the
view's keys, released at the same moment."""

from __future__ import annotations

import json
import subprocess
import textwrap

import pytest

from openreward_nb import OpenReward

from ..helpers import PYTHON, subprocess_env
from .conftest import record_run

pytestmark = pytest.mark.postgres

N = 40

# one labeller: a run view on the store, every rollout labelled with its own label and a note through
# the view's keys once told to go, then a step labelled through the API; after the other is done
# too (told on stdin), a refresh of the view, whose rows it prints
LABELLER = textwrap.dedent(
    """
    import json, sys
    from openreward_nb import OpenReward
    from openreward_nb.viz.runview import RunBrowser

    client = OpenReward(store=sys.argv[1])
    label = sys.argv[2]
    view = RunBrowser(client.runs.get("ctf"), live=False)
    view.table.send = lambda content, buffers=None: None
    print("ready", flush=True)
    sys.stdin.readline()
    for row in view.table.rows:
        view.labelling._on_msg(view.table, {"kind": "toggle", "id": row["id"], "label": label}, [])
        view.labelling._on_msg(view.table, {"kind": "note", "id": row["id"], "text": f"{label} was here"}, [])
        client.rollouts.get(row["id"]).annotate(label, event=0)
    print("done", flush=True)
    sys.stdin.readline()
    view.refresh()
    print(json.dumps([[r["id"], r["labels"]] for r in view.table.rows]), flush=True)
    view.close()
    """
)


def test_two_labellers_at_once_keep_both_and_see_each_other(pg_url: str) -> None:
    client = OpenReward(store=pg_url)
    ids = record_run(client, n=N)
    people = {"alice": "good trajectory", "bob": "reward hacking"}
    children = {
        who: subprocess.Popen(
            [PYTHON, "-c", LABELLER, pg_url, label],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=subprocess_env(OPENREWARD_NB_AUTHOR=who),
        )
        for who, label in people.items()
    }
    try:
        for child in children.values():
            assert child.stdout.readline().strip() == "ready"
        for child in children.values():  # both start at once
            child.stdin.write("go\n")
            child.stdin.flush()
        for child in children.values():
            assert child.stdout.readline().strip() == "done"
        seen = {}
        for who, child in children.items():
            child.stdin.write("refresh\n")
            child.stdin.flush()
            seen[who] = json.loads(child.stdout.readline())
            assert child.wait(timeout=60) == 0
    finally:
        for child in children.values():
            child.kill()
    both = sorted(people.values())
    for who in people:
        assert [rid for rid, _ in seen[who]] == ids
        assert all(labels == both for _, labels in seen[who]), f"{who} does not see both labels everywhere"
    rows = client.store.query("SELECT author, COUNT(*) FROM annotations GROUP BY author ORDER BY author")
    assert rows == [("alice", 3 * N), ("bob", 3 * N)]  # a label, a note and a step label per rollout each
    frame_labels = client.annotations.list(run="ctf", label="good trajectory")
    assert {a.author for a in frame_labels} == {"alice"} and len(frame_labels) == 2 * N

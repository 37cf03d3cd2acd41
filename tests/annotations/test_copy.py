"""``openreward-nb copy`` carries annotations and label sets (SQLite <-> PostgreSQL), or leaves them out."""

from __future__ import annotations

from openreward_nb import OpenReward
from openreward_nb.cli import main
from openreward_nb.store import open_store

from .conftest import record_run

_ANNOTATIONS = (
    "SELECT id, rollout_id, idx, label, note, score, author, created_at, updated_at FROM annotations ORDER BY id"
)
_LABEL_SETS = "SELECT run_name, labels, author, updated_at FROM label_sets ORDER BY run_name"


def _rows(url: str, sql: str) -> list[tuple]:
    return open_store(url).query(sql)


def _labelled_store(url: str) -> OpenReward:
    client = OpenReward(store=url)
    ids = record_run(client)
    client.rollouts.get(ids[0]).annotate("good trajectory", note="clean", score=0.75)
    client.rollouts.get(ids[1]).annotate("wrong tool", event=2, author="alice")
    client.runs.get("ctf").set_label_set(["solved", "cheated"])
    return client


def test_copy_carries_annotations_there_and_back(tmp_path, store_url: str, capsys) -> None:
    src = str(tmp_path / "local.sqlite")
    client = _labelled_store(src)
    assert main(["copy", src, store_url]) == 0
    out = capsys.readouterr().out
    assert "2 annotations (2 new or updated), 1 label set (1 new or updated)" in out
    assert _rows(store_url, _ANNOTATIONS) == _rows(src, _ANNOTATIONS)
    assert _rows(store_url, _LABEL_SETS) == _rows(src, _LABEL_SETS)

    # an edit made on the copy comes back; copying again adds nothing twice
    shared = OpenReward(store=store_url)
    first = shared.annotations.list(label="good trajectory")[0]
    first.edit(note="clean, and fast")
    shared.runs.get("ctf").set_label_set(["solved", "cheated", "timed out"])
    back = str(tmp_path / "back.sqlite")
    assert main(["copy", src, back]) == 0
    assert main(["copy", store_url, back]) == 0
    assert main(["copy", store_url, back]) == 0
    out = capsys.readouterr().out.splitlines()[-1]
    assert "2 annotations (0 new or updated), 1 label set (0 new or updated)" in out
    assert _rows(back, _ANNOTATIONS) == _rows(store_url, _ANNOTATIONS)
    assert client.annotations.get(first.id).note == "clean"  # the source as it was
    assert OpenReward(store=back).annotations.get(first.id).note == "clean, and fast"
    assert OpenReward(store=back).runs.get("ctf").label_set() == ["solved", "cheated", "timed out"]

    # an older edit does not win over a newer one
    assert main(["copy", src, back]) == 0
    assert OpenReward(store=back).annotations.get(first.id).note == "clean, and fast"


def test_no_annotations_leaves_them_out(tmp_path, store_url: str, capsys) -> None:
    src = str(tmp_path / "local.sqlite")
    _labelled_store(src)
    assert main(["copy", "--no-annotations", src, store_url]) == 0
    out = capsys.readouterr().out
    assert "annotations left out" in out and "annotation (" not in out
    assert _rows(store_url, "SELECT COUNT(*) FROM annotations") == [(0,)]
    assert _rows(store_url, "SELECT COUNT(*) FROM label_sets") == [(0,)]
    assert _rows(store_url, "SELECT COUNT(*) FROM rollouts") == [(4,)]  # the rollouts themselves are there
    assert _rows(store_url, "SELECT COUNT(*) FROM events") == [(16,)]

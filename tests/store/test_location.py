"""Where the store is (one per project, found from anywhere in it) and how readers open it (never creating, read-only)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

import openreward_nb as orn
from openreward_nb import OpenReward, StoreNotFoundError, StoreOpenError, UserMessage
from openreward_nb.store import close_store, location, open_store, resolve_store_url
from openreward_nb.store.location import find_project_store, project_search_path

from ..helpers import PYTHON, skip_unless_ci, subprocess_env


def test_the_nearest_project_folder_wins_and_home_ends_the_search(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    deep = tmp_path / "project" / "notebooks" / "more"
    deep.mkdir(parents=True)
    assert project_search_path(str(deep)) == [str(deep), str(deep.parent), str(tmp_path / "project")]
    new = find_project_store(str(deep))
    assert (new.origin, new.path) == ("new", str(deep / ".openreward_nb" / "store.sqlite"))
    (tmp_path / ".openreward_nb").mkdir()  # at home: never a project's store (it would catch every project)
    assert find_project_store(str(deep)).origin == "new"
    (tmp_path / "project" / ".openreward_nb").mkdir()
    found = find_project_store(str(deep))
    assert (found.origin, found.path) == ("found", str(tmp_path / "project" / ".openreward_nb" / "store.sqlite"))
    (deep.parent / ".openreward_nb").mkdir()
    assert find_project_store(str(deep)).path == str(deep.parent / ".openreward_nb" / "store.sqlite")
    assert find_project_store(str(tmp_path)).path == str(tmp_path / ".openreward_nb" / "store.sqlite")


def test_the_variable_and_store_argument_win_over_the_project(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "project" / ".openreward_nb").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "project")
    monkeypatch.setenv("OPENREWARD_NB_STORE", str(tmp_path / "env.sqlite"))
    assert resolve_store_url() == f"sqlite:///{tmp_path / 'env.sqlite'}"
    assert resolve_store_url(tmp_path / "arg.sqlite") == f"sqlite:///{tmp_path / 'arg.sqlite'}"
    monkeypatch.delenv("OPENREWARD_NB_STORE")
    assert resolve_store_url() == f"sqlite:///{tmp_path / 'project' / '.openreward_nb' / 'store.sqlite'}"


def test_readers_say_there_is_no_store_and_create_nothing(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("OPENREWARD_NB_STORE", raising=False)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    missing = tmp_path / "nothing" / "here.sqlite"
    for read in (
        lambda: orn.runs_df(store=missing),
        lambda: orn.rollouts_df(store=missing),
        lambda: orn.to_chat_messages("x", store=missing),
        lambda: OpenReward(store=missing).runs.list(),
        lambda: OpenReward(store=missing).rollouts.get("x"),
    ):
        with pytest.raises(StoreNotFoundError, match=f"no store at {missing}"):
            read()
    with pytest.raises(StoreNotFoundError, match=f"no .openreward_nb/ folder in {work}"):
        orn.runs_df()
    assert os.listdir(tmp_path) == ["work"] and os.listdir(work) == []


def _recorded(folder: Path) -> Path:
    """A store with one finished rollout, closed cleanly (no -wal or -shm file left beside it)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "store.sqlite"
    client = OpenReward(store=path)
    with client.rollout.create("ro", rollout_name="e0") as r:
        r.log(UserMessage("hi"), reward=1.0, is_finished=True)
    client.close()
    close_store(client.store)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("SELECT COUNT(*) FROM runs").fetchall()
    conn.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


@pytest.fixture
def read_only_folder(tmp_path):
    """A folder this process cannot write: a read-only bind mount as root (chmod does not stop root), else chmod."""
    source = tmp_path / "source"
    _recorded(source)
    if os.geteuid() != 0:
        os.chmod(source / "store.sqlite", 0o444)
        os.chmod(source, 0o555)
        yield source
        os.chmod(source, 0o755)
        return
    target = tmp_path / "mounted"
    target.mkdir()
    mounted = subprocess.run(["mount", "--bind", "-o", "ro", str(source), str(target)], capture_output=True, text=True)
    if mounted.returncode != 0:
        skip_unless_ci(f"cannot bind-mount read-only here (needs root): {mounted.stderr.strip()}")
    try:
        yield target
    finally:
        for opened in location.open_stores():  # their connections keep the mount busy
            if opened.url.startswith(f"sqlite:///{target}/"):
                close_store(opened)
        subprocess.run(["umount", "--lazy", str(target)], check=True)


def test_a_store_on_a_read_only_mount_is_read_and_writing_says_why(read_only_folder) -> None:
    path = read_only_folder / "store.sqlite"
    with pytest.raises(sqlite3.OperationalError):  # what SQLite alone does: the WAL index cannot be made
        sqlite3.connect(f"file:{path}?mode=ro", uri=True).execute("SELECT COUNT(*) FROM runs").fetchall()
    store = open_store(path, read_only=True)
    assert store.read_only
    [run] = OpenReward(store=path).runs.list()
    assert (run.name, run.n_rollouts, run.mean_reward) == ("ro", 1, 1.0)
    assert list(orn.rollouts_df("ro", store=path)["rollout_name"]) == ["e0"]
    assert [e.content for e in OpenReward(store=path).rollouts.get("ro/e0").events()] == ["hi"]
    with pytest.raises(StoreOpenError, match=f"cannot record into {path}: .*(read-only file system|not writable)"):
        OpenReward(store=path).rollout.create("more")
    assert sorted(os.listdir(read_only_folder)) == ["store.sqlite"]  # nothing written beside it either


def test_the_cli_reads_a_read_only_store_and_says_so(read_only_folder) -> None:
    path = read_only_folder / "store.sqlite"
    out = subprocess.run(
        [PYTHON, "-m", "openreward_nb", "--store", str(path), "rollouts", "ro"],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(f"store: {path} (read-only: ") and "e0" in out.stdout


def test_a_reader_opens_read_only_and_a_writer_after_it_writes(tmp_path) -> None:
    path = _recorded(tmp_path / "s")
    reader = open_store(path, read_only=True)
    assert reader.read_only and open_store(path, read_only=True) is reader
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        reader.query("INSERT INTO runs (name, created_at) VALUES ('x', 0)")
    client = OpenReward(store=path)
    with client.rollout.create("ro", rollout_name="e1") as r:
        r.log(UserMessage("more"))
    client.rollout.flush()
    assert not client.store.read_only and open_store(path, read_only=True) is client.store
    assert [x.rollout_name for x in OpenReward(store=path).runs.get("ro").rollouts()] == ["e0", "e1"]
    client.close()


def test_a_reader_refuses_what_is_not_a_store(tmp_path) -> None:
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(StoreOpenError, match="not an openreward-nb store"):
        open_store(other, read_only=True)
    text = tmp_path / "notes.txt"
    text.write_text("not a database at all, " * 100)
    with pytest.raises(StoreOpenError, match="cannot read"):
        open_store(text, read_only=True)
    assert text.read_text().startswith("not a database")  # left as it was

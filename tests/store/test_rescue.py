"""A store that breaks for good: flush fails at once naming why, and nothing logged is lost.

What a process cannot write goes to a rescue file when it ends; importing that file (on
the next open, or with ``openreward-nb rescue import``) gives exactly what writing it
directly would have given.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path

import msgspec
import psycopg
import pytest

from openreward_nb import OpenReward, StoreWriteError, UserMessage
from openreward_nb.events import Attachment, Event, Usage
from openreward_nb.providers._raw import Raw
from openreward_nb.store import close_store, open_store
from openreward_nb.store.ops import EndOp, EventOp, InfoOp, PatchOp, RawJSON, RolloutOp
from openreward_nb.store.postgres import split_options
from openreward_nb.store.rescue import VERSION, import_file, load, pending_files, save
from openreward_nb.store.sqlite import SQLiteStore

from ..helpers import PYTHON, subprocess_env
from .everything import C_EVENTS, contents, record_everything

_SAVED_IN = re.compile(r"saved in (\S+\.ornb-rescue)")


def corrupt(path: Path) -> None:
    """Overwrite the pages of every table and index the writer touches (the schema and meta pages stay sound)."""
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = con.execute("PRAGMA page_size").fetchone()[0]
    pages = [
        row[0]
        for row in con.execute(
            "SELECT rootpage FROM sqlite_master WHERE tbl_name IN ('runs', 'rollouts', 'events', 'blobs') AND rootpage > 0"
        )
    ]
    con.close()
    with open(path, "r+b") as f:
        for page in pages:
            f.seek((page - 1) * size)
            f.write(b"\xa5" * size)


def _reference(tmp_path: Path) -> dict:
    """What the recording reads back as when written directly."""
    client = OpenReward(store=tmp_path / "reference.sqlite")
    record_everything(client)
    client.close()
    return contents(str(tmp_path / "reference.sqlite"))


def _break(store_url: str, backend: str) -> None:
    """Make the store refuse every write for good: a corrupt file, or tables gone from the schema."""
    if backend == "sqlite":
        corrupt(Path(store_url))
        return
    with psycopg.connect(split_options(store_url)[0], autocommit=True) as conn:
        conn.execute("ALTER TABLE events RENAME TO events_away")
        conn.execute("ALTER TABLE rollouts RENAME TO rollouts_away")


# --- telling faults apart ---------------------------------------------------------------------


def _sqlite_error(path: Path, sql: str, params: tuple = (), *, uri: bool = False) -> BaseException:
    con = sqlite3.connect(f"file:{path}?mode=ro" if uri else path, uri=uri, timeout=0, isolation_level=None)
    try:
        con.execute(sql, params)
    except Exception as exc:
        return exc
    finally:
        con.close()
    raise AssertionError(f"{sql} did not fail")


def test_sqlite_faults_are_told_apart_by_result_code(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.sqlite")
    insert = "INSERT INTO runs (name, created_at) VALUES ('r', 1)"
    holder = sqlite3.connect(store.path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    locked = _sqlite_error(store.path, insert)
    holder.execute("ROLLBACK")
    holder.execute(insert)
    holder.close()
    not_a_db = tmp_path / "text.sqlite"
    not_a_db.write_bytes(b"plain text, not a database" * 200)
    broken = SQLiteStore(tmp_path / "broken.sqlite")
    corrupt(broken.path)
    found = {
        "locked": locked,
        "readonly": _sqlite_error(store.path, insert.replace("'r'", "'r2'"), uri=True),
        "malformed": _sqlite_error(broken.path, insert),
        "no such table": _sqlite_error(store.path, "INSERT INTO nowhere VALUES (1)"),
        "not a database": _sqlite_error(not_a_db, "SELECT * FROM sqlite_master"),
        "UNIQUE": _sqlite_error(store.path, insert),
        "too large": _sqlite_error(store.path, "INSERT INTO runs (name, created_at) VALUES ('x', ?)", (2**70,)),
    }
    for text, exc in found.items():
        assert text in str(exc) or text == "too large", (text, exc)
    assert {text: store.classify(exc) for text, exc in found.items()} == {
        "locked": "transient",
        "readonly": "permanent",
        "malformed": "permanent",  # its message mentions the "disk", which once made it look transient
        "no such table": "permanent",
        "not a database": "permanent",
        "UNIQUE": "refused",
        "too large": "refused",
    }
    assert store.is_transient(found["locked"]) and not store.is_transient(found["malformed"])


@pytest.mark.postgres
def test_postgresql_faults_are_told_apart_by_sqlstate(pg_url: str) -> None:
    store = open_store(pg_url)
    dsn = split_options(pg_url)[0]

    def failure(sql: str, *setup: str) -> BaseException:
        with psycopg.connect(dsn, autocommit=True) as conn:
            for statement in setup:
                conn.execute(statement)
            try:
                conn.execute(sql)
            except psycopg.Error as exc:
                return exc
        raise AssertionError(f"{sql} did not fail")

    insert = "INSERT INTO runs (name, created_at) VALUES ('r', 1)"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(insert)
    holder = psycopg.connect(dsn)
    holder.execute("LOCK TABLE runs IN EXCLUSIVE MODE")
    found = {"lock timeout": failure(insert.replace("'r'", "'r2'"), "SET lock_timeout = '100ms'")}
    holder.rollback()
    holder.close()
    found.update(
        {
            "read-only": failure(insert.replace("'r'", "'r3'"), "SET default_transaction_read_only = on"),
            "no such table": failure("INSERT INTO nowhere VALUES (1)"),
            "duplicate": failure(insert),
            "out of range": failure("INSERT INTO runs (name, created_at) VALUES ('x', 1e400::numeric::float8)"),
        }
    )
    victim = psycopg.connect(dsn, autocommit=True)
    pid = victim.info.backend_pid
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(%s)", (pid,))
    try:
        victim.execute("SELECT 1")
    except psycopg.Error as exc:
        found["connection lost"] = exc
    assert {text: store.classify(exc) for text, exc in found.items()} == {
        "lock timeout": "transient",
        "read-only": "permanent",
        "no such table": "permanent",
        "duplicate": "refused",
        "out of range": "refused",
        "connection lost": "transient",
    }


# --- a store that breaks for good, in this process ------------------------------------------


def test_a_broken_store_fails_flush_at_once_and_its_rescue_file_imports_losslessly(
    store_url: str, backend: str, tmp_path: Path
) -> None:
    client = OpenReward(store=store_url)  # the default retry deadline: 30 s on PostgreSQL
    client.rollout.create("warm").log(UserMessage("before"))
    client.rollout.flush()
    _break(store_url, backend)
    record_everything(client)
    with pytest.raises(StoreWriteError, match="will not pass by itself") as info:
        client.rollout.flush()
    assert ("malformed" if backend == "sqlite" else "does not exist") in str(info.value)
    assert "nothing was dropped" in str(info.value)
    with pytest.raises(StoreWriteError):
        client.rollout.close()  # ends rollout "c" (queued like the rest)
    path, queued, refused = client.rollout.writer.rescue("the store broke")
    assert path is not None and path.exists() and refused == 0
    # a: creation, 7 events, 2 info updates, a patch and its end; b: 3 ops; c: its events and end; "warm": its end
    assert queued == (1 + 7 + 2 + 1 + 1) + 3 + (1 + C_EVENTS + 1) + 1
    fresh = str(tmp_path / "fresh.sqlite") if backend == "sqlite" else store_url
    if backend == "postgresql":  # the same schema, its tables put back
        with psycopg.connect(split_options(store_url)[0], autocommit=True) as conn:
            conn.execute("ALTER TABLE events_away RENAME TO events")
            conn.execute("ALTER TABLE rollouts_away RENAME TO rollouts")
    result = import_file(open_store(fresh), path)
    assert (result.imported, result.already_there, result.refused) == (queued + 1, 0, 0)  # + warm's creation
    assert not path.exists()
    assert contents(fresh) == _reference(tmp_path)


def test_importing_again_adds_nothing(tmp_path: Path) -> None:
    """A rescue file whose events partly reached the store (its process died after a commit it never saw)."""
    client = OpenReward(store=tmp_path / "broken.sqlite")
    client.rollout.create("warm").log(UserMessage("before"))
    client.rollout.flush()
    corrupt(tmp_path / "broken.sqlite")
    record_everything(client)
    with pytest.raises(StoreWriteError):
        client.rollout.close()
    creations, ops, refused = client.rollout.writer.abandon(5)
    fresh = open_store(tmp_path / "fresh.sqlite")
    first = save(fresh, [*creations, *ops[: len(ops) // 2]], [], "half")
    whole = save(fresh, [*creations, *ops], refused, "all")
    import_file(fresh, first)
    result = import_file(fresh, whole)
    assert result.already_there == sum(isinstance(op, EventOp) for op in ops[: len(ops) // 2])
    assert contents(str(tmp_path / "fresh.sqlite")) == _reference(tmp_path)


# --- at interpreter exit, in a child process ------------------------------------------------

CHILD_ON_BROKEN_STORE = r"""
import sys
from openreward_nb import OpenReward, StoreWriteError
from tests.store.everything import record_everything
client = OpenReward(store=sys.argv[1])
record_everything(client)
try:
    client.rollout.flush()
except StoreWriteError as exc:
    print("FLUSH:", exc, flush=True)
# no close: the interpreter's exit must keep every logged item
"""


def test_a_corrupt_store_at_exit_keeps_every_logged_item_in_a_rescue_file(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.sqlite"
    close_store(open_store(path))
    corrupt(path)
    out = subprocess.run(
        [PYTHON, "-c", CHILD_ON_BROKEN_STORE, str(path)],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "FLUSH:" in out.stdout and "malformed" in out.stdout and "will not pass by itself" in out.stdout
    [rescued] = _SAVED_IN.findall(out.stderr)
    assert Path(rescued).parent == tmp_path  # beside the store
    # a writer on the store, still corrupt, tries to import it first and keeps it for later
    client = OpenReward(store=path)
    with pytest.warns(RuntimeWarning, match="could not import the rescue file .* malformed"):
        client.rollout.flush()  # once the writer has looked
    assert pending_files(client.store) == [Path(rescued)]
    fresh = tmp_path / "fresh.sqlite"
    cli = subprocess.run(
        [PYTHON, "-m", "openreward_nb", "--store", str(fresh), "rescue", "import", rescued],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=120,
    )
    assert cli.returncode == 0, cli.stderr
    assert "items imported" in cli.stdout and not Path(rescued).exists()
    assert contents(str(fresh)) == _reference(tmp_path)


READ_ONLY_CHILD = r"""
import os, sys
import json, base64, uuid, tempfile, hashlib, msgspec.msgpack, sqlite3  # loaded before giving up root
import openreward_nb.store.sqlite, openreward_nb.store.rescue, openreward_nb.records, openreward_nb.safe_text
import openreward_nb.providers.anthropic, tests.store.everything
os.setgid(65534)
os.setuid(65534)
from openreward_nb import OpenReward, StoreWriteError, UserMessage
from tests.store.everything import record_everything
path, folder_too = sys.argv[1], sys.argv[2] == "folder"
os.makedirs(os.path.dirname(path))  # a folder of this (ordinary) user's own
client = OpenReward(store=path)
client.rollout.writer.idle_close_after = 0.1
client.rollout.create("warm").log(UserMessage("before"))
client.rollout.flush()
import time; time.sleep(0.5)  # idle: the writer lets go of the file
folder = os.path.dirname(path)
for name in os.listdir(folder):
    os.chmod(os.path.join(folder, name), 0o444)
if folder_too:
    os.chmod(folder, 0o555)
record_everything(client)
try:
    client.rollout.flush()
except StoreWriteError as exc:
    print("FLUSH:", exc, flush=True)
"""


@pytest.mark.parametrize("where", ["beside the store", "in the cache folder"])
def test_a_read_only_store_at_exit_keeps_every_logged_item_and_imports_it_when_writable(
    tmp_path: Path, where: str
) -> None:
    folder = Path(tempfile.mkdtemp(prefix="orbnb-ro-"))  # reachable by an ordinary user, unlike tmp_path
    cache = Path(tempfile.mkdtemp(prefix="orbnb-cache-"))
    os.chmod(folder, 0o777)
    os.chmod(cache, 0o777)
    store = folder / "data" / "ro.sqlite"
    try:
        out = subprocess.run(
            [PYTHON, "-c", READ_ONLY_CHILD, str(store), "folder" if where == "in the cache folder" else "files"],
            capture_output=True,
            text=True,
            env=subprocess_env(XDG_CACHE_HOME=str(cache)),
            timeout=120,
        )
        assert out.returncode == 0, out.stderr
        assert "FLUSH:" in out.stdout and "readonly" in out.stdout and "will not pass by itself" in out.stdout
        [rescued] = _SAVED_IN.findall(out.stderr)
        assert Path(rescued).parent == (store.parent if where == "beside the store" else cache / "openreward-nb")
        os.chmod(store.parent, 0o777)
        for name in os.listdir(store.parent):
            os.chmod(store.parent / name, 0o666)
        os.environ["XDG_CACHE_HOME"], saved = str(cache), os.environ["XDG_CACHE_HOME"]
        try:
            client = OpenReward(store=store)  # writable again: the next writer imports the file first
            client.rollout.flush()
        finally:
            os.environ["XDG_CACHE_HOME"] = saved
        assert not Path(rescued).exists()
        assert client.runs.get("warm").n_events == 1
        assert contents(str(store)) == _reference(tmp_path)
        client.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)


# --- the file itself ------------------------------------------------------------------------


def test_a_rescue_file_holds_every_kind_of_op_losslessly(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.sqlite")
    attachment = Attachment("image/png", b"\x89PNG\x00\xff" * 100, name="shot.png")
    event = Event(
        "assistant_message",
        "hi \u202e",
        kind="refusal",
        is_error=True,
        model="m",
        usage=Usage(1, 2, 3, 4, 5),
        latency_ms=12.5,
        stop_reason="end_turn",
        attachments=[attachment, Attachment("image/jpeg", url="https://example.com/x.jpg")],
        raw=Raw("test", {"n": 1, "text": "hi \u202e"}),  # references: built when the file is written, whole
    )
    ops = [
        RolloutOp("r1", "run", "name", "env", "var", "split", '{"a":1}', '{"t":2}', '{"m":3}', None, 1.5),
        EventOp("r1", 0, 2.5, event, 0.75, True, {"k": [1, "two"]}),
        InfoOp("r1", '{"task_index":4}'),
        PatchOp("r1", 0, None, False, {"late": True}),
        EndOp("r1", "failed", "Traceback ...", 3.5),
    ]
    path = save(store, ops, [(InfoOp("r1", "{}"), "IntegrityError: no")], "testing")
    assert path.parent == tmp_path and pending_files(store) == [path]
    content = load(path)
    assert (content.version, content.store, content.reason, content.pid) == (VERSION, store.url, "testing", os.getpid())
    expected_event = msgspec.structs.replace(
        event, raw=RawJSON('{"provider":"test","item":{"n":1,"text":"hi \u202e"}}')
    )
    assert content.ops == [ops[0], msgspec.structs.replace(ops[1], event=expected_event), *ops[2:]]
    assert type(content.ops[1].event.raw) is RawJSON
    assert [(r.op, r.reason) for r in content.refused] == [(InfoOp("r1", "{}"), "IntegrityError: no")]


@pytest.mark.postgres
def test_what_the_store_refuses_on_import_is_kept_in_a_file_of_its_own(pg_url: str) -> None:
    store = open_store(pg_url)
    creation = RolloutOp("r1", "refusing", None, None, None, None, None, None, None, None, 0.5)
    good = EventOp("r1", 0, 1.0, Event("user_message", "kept", raw={"provider": "p"}), None, False, None)
    bad = EventOp("r1", 2**40, 1.0, Event("user_message", "index too big", raw={"provider": "q"}), None, False, None)
    result = import_file(store, save(store, [creation, good, bad], [], "mixed"))
    assert (result.imported, result.already_there, result.refused) == (2, 0, 1)
    kept = load(result.refused_path)  # its raw payload, read back as encoded JSON, is written again as it is
    assert [(r.op.event.content, r.op.event.raw, "out of range" in r.reason) for r in kept.refused] == [
        ("index too big", '{"provider":"q"}', True)
    ]
    assert pending_files(store) == []  # never imported on open: for a person to look at
    assert [e.content for e in OpenReward(store=pg_url).rollouts.get("r1").events()] == ["kept"]


def test_files_that_are_not_rescue_files_or_come_from_a_newer_version_are_refused(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.sqlite")
    newer = msgspec.msgpack.encode({"format": "openreward-nb rescue", "version": VERSION + 1, "ops": [[1, 2]]})
    (tmp_path / "newer.ornb-rescue").write_bytes(newer)
    with pytest.raises(ValueError, match="newer openreward-nb"):
        load(tmp_path / "newer.ornb-rescue")
    (tmp_path / "other.ornb-rescue").write_bytes(msgspec.msgpack.encode({"hello": 1}))
    with pytest.raises(ValueError, match="not an openreward-nb rescue file"):
        load(tmp_path / "other.ornb-rescue")
    (tmp_path / "text.ornb-rescue").write_text("{not msgpack")
    with pytest.raises(ValueError, match="not an openreward-nb rescue file"):
        import_file(store, tmp_path / "text.ornb-rescue")
    assert (tmp_path / "text.ornb-rescue").exists()  # put back, for a person to look at


def test_the_rescue_command_lists_and_imports(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s.sqlite")
    save(store, [RolloutOp("r1", "cli-run", None, None, None, None, None, None, None, None, time.time())], [], "why")
    env = subprocess_env(XDG_CACHE_HOME=str(tmp_path / "cache"))
    base = [PYTHON, "-m", "openreward_nb", "--store", str(tmp_path / "s.sqlite"), "rescue"]
    listed = subprocess.run([*base, "list"], capture_output=True, text=True, env=env, timeout=60)
    assert listed.returncode == 0, listed.stderr
    assert "1 items: why" in listed.stdout and store.url in listed.stdout
    imported = subprocess.run([*base, "import"], capture_output=True, text=True, env=env, timeout=60)
    assert imported.returncode == 0, imported.stderr
    assert "1 items imported" in imported.stdout
    assert OpenReward(store=tmp_path / "s.sqlite").runs.get("cli-run").n_rollouts == 1
    again = subprocess.run([*base, "list"], capture_output=True, text=True, env=env, timeout=60)
    assert again.stdout.strip() == "no rescue files"
    missing = subprocess.run([*base, "import", str(tmp_path / "nope")], capture_output=True, text=True, env=env)
    assert missing.returncode == 1 and "no such file" in missing.stderr

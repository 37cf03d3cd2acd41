"""What only the PostgreSQL store has: a server that can go away, restart, refuse logins or lose a COMMIT."""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from openreward_nb import OpenReward, StoreOpenError, StoreWriteError, ToolResult, UserMessage

from ..helpers import PYTHON, subprocess_env
from .checks import contiguous_counts
from .pg import admin, free_port, restart_server, server_url
from .proxy import Proxy

pytestmark = pytest.mark.postgres


@pytest.fixture
def proxy(pg_url: str):
    relay = Proxy(pg_url)
    yield relay
    relay.close()


def _with(url: str, **changes: str) -> str:
    """The test server URL with parts replaced: user, password, host, port, database, or a query string."""
    p = urlsplit(url)
    user, password = changes.get("user", p.username), changes.get("password", p.password)
    host, port = changes.get("host", p.hostname), changes.get("port", str(p.port or 5432))
    database = changes.get("database", p.path.lstrip("/"))
    return f"postgresql://{user}:{password}@{host}:{port}/{database}{changes.get('query', '')}"


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"password": "Wrong-Secret-4711"}, "password authentication failed for user"),
        ({"database": "ornb_no_such_database"}, 'database "ornb_no_such_database" does not exist'),
        ({"port": "free"}, "Connection refused"),
        ({"port": "notaport"}, 'invalid integer value "notaport" for connection option "port"'),
        ({"query": "?bogus=1"}, 'invalid URI query parameter: "bogus"'),
        ({"host": "no-such-host.invalid"}, "no-such-host.invalid"),
        ({"host": "[::1", "password": "Wrong-Secret-4711"}, "IPv6 host address"),
        ({"query": "?retry_deadline=soon"}, "retry_deadline must be a number of seconds, got 'soon'"),
    ],
)
def test_open_errors_are_one_clear_line(changes: dict, expected: str) -> None:
    if changes.get("port") == "free":
        changes = {**changes, "port": str(free_port())}
    url = _with(server_url(), **changes)
    with pytest.raises(StoreOpenError) as info:
        _ = OpenReward(store=url).store
    text = str(info.value)
    assert text.startswith("cannot open the PostgreSQL store at postgresql://") and ":***@" in text
    assert expected in text and "\n" not in text
    assert "Wrong-Secret-4711" not in text
    assert info.value.__suppress_context__  # a traceback shows this line, not the driver's own


def test_cli_reports_a_bad_store_in_one_line() -> None:
    url = _with(server_url(), password="Wrong-Secret-4711")
    out = subprocess.run(
        [PYTHON, "-m", "openreward_nb", "--store", url, "demo"], capture_output=True, text=True, env=subprocess_env()
    )
    assert out.returncode == 1
    assert out.stderr.count("\n") == 1 and "password authentication failed" in out.stderr
    assert "Wrong-Secret-4711" not in out.stderr and "Traceback" not in out.stderr


def test_messages_never_show_the_password(pg_url: str) -> None:
    password = urlsplit(pg_url).password
    store = OpenReward(store=pg_url).store
    assert password and store.url == pg_url.replace(f":{password}@", ":***@")


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_batch_whose_commit_answer_is_lost_is_written_exactly_once(proxy: Proxy, when: str) -> None:
    """The connection dies at COMMIT: the batch was rolled back ("before") or committed unseen ("after")."""
    client = OpenReward(store=proxy.url())
    r = client.rollout.create("lost-commit")
    r.log(UserMessage("first"), reward=1.0)
    client.rollout.flush()
    proxy.cut_at_commit = when
    for i in range(100):
        r.log(ToolResult(content=str(i), call_id=str(i)), reward=1.0)
    client.rollout.flush()
    assert proxy.cuts == 1
    assert not client.rollout.writer.rejected
    rec = client.rollouts.get(r.id)
    assert (rec.n_events, rec.total_reward, rec.n_turns) == (101, 101.0, 0)
    assert contiguous_counts(proxy.url())[r.id] == 101
    client.close()


def _outage(proxy: Proxy, url: str, logged: int):
    """A client that wrote one event, then the server goes away and ``logged`` more are logged."""
    client = OpenReward(store=url)
    r = client.rollout.create("outage")
    r.log(UserMessage("before"))
    client.rollout.flush()
    proxy.down()
    for i in range(logged):
        r.log(UserMessage(str(i)))
    return client, r


def test_server_down_past_the_deadline_then_back(proxy: Proxy) -> None:
    client, r = _outage(proxy, proxy.url() + "&retry_deadline=1.5", 50)
    started = time.monotonic()
    with pytest.raises(StoreWriteError) as info:
        client.rollout.flush()
    waited = time.monotonic() - started
    text = str(info.value)
    assert 1.5 <= waited < 8, waited
    assert "\n" not in text and ":***@127.0.0.1" in text and "Connection refused" in text
    assert "50 logged items stay queued" in text and "nothing was dropped" in text  # the flush itself is none
    with pytest.raises(StoreWriteError):  # still down: the next flush fails too, without a long wait
        client.rollout.flush(timeout=5)
    proxy.up()
    client.rollout.flush()  # what was queued goes out with the next successful write
    rec = client.rollouts.get(r.id)  # the reader's connection was cut too: it reconnects
    assert rec.n_events == 51 and [e.content for e in rec.events()][-1] == "49"
    client.close()


def test_a_short_outage_is_invisible_to_flush(proxy: Proxy) -> None:
    client, r = _outage(proxy, proxy.url(), 20)  # default deadline: 30 s
    time.sleep(1.0)
    assert client.rollout.writer.error is not None and "Connection refused" in str(client.rollout.writer.error)
    proxy.up()
    client.rollout.flush()
    assert client.rollouts.get(r.id).n_events == 21
    client.close()


RESTART_WRITER = r"""
import json, os, sys, time
from openreward_nb import OpenReward, ToolResult
url, stop, name = sys.argv[1], sys.argv[2], sys.argv[3]
client = OpenReward(store=url)
rollouts = [client.rollout.create("restart", rollout_name=f"{name}-{k}") for k in range(2)]
counts = {r.id: 0 for r in rollouts}
i = 0
while not os.path.exists(stop):
    r = rollouts[i % 2]
    r.log(ToolResult(content=f"{name}/{i}", call_id=str(i)), reward=0.5)
    counts[r.id] += 1
    i += 1
    if i % 100 == 0:
        client.rollout.flush()  # may wait through the restart, within the default deadline
        print(i, time.time(), flush=True)
        time.sleep(0.01)
client.rollout.close()
assert not client.rollout.writer.rejected
print(json.dumps(counts), flush=True)
"""


def test_server_restart_while_writers_run(pg_url: str, tmp_path: Path) -> None:
    stop = tmp_path / "stop"
    writers = [
        subprocess.Popen(
            [PYTHON, "-c", RESTART_WRITER, pg_url, str(stop), f"w{n}"],
            stdout=subprocess.PIPE,
            text=True,
            env=subprocess_env(),
        )
        for n in range(4)
    ]
    reader = OpenReward(store=pg_url)
    try:
        for w in writers:
            assert w.stdout.readline(), "a writer stopped before the restart"
        before = reader.runs.get("restart").n_events
        restart_server()
        restarted = time.time()
        for w in writers:  # each writer gets flushes through after the restart
            while float(w.stdout.readline().split()[1]) < restarted:
                pass
        stop.touch()
        totals: dict[str, int] = {}
        for w in writers:
            lines = w.communicate(timeout=120)[0].splitlines()
            assert w.returncode == 0
            totals.update(json.loads(lines[-1]))
    finally:
        stop.touch()
        for w in writers:
            w.kill() if w.poll() is None else None
    assert contiguous_counts(pg_url) == totals  # none lost, none twice
    run = reader.runs.get("restart")  # the reader's old connection died with the server: it reconnects
    assert run.n_events == sum(totals.values()) > before
    for rec in run.rollouts():
        assert rec.n_events == totals[rec.id] and rec.total_reward == 0.5 * totals[rec.id]


def test_first_open_creates_the_schema_and_later_opens_keep_it(pg_url: str) -> None:
    with admin() as conn:
        schema = pg_url.rsplit("%3D", 1)[1]
        assert conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = %s", (schema,)).fetchone()[0] == 0
    client = OpenReward(store=pg_url)
    run = f"r-{uuid.uuid4().hex[:6]}"
    client.rollout.create(run).log(UserMessage("x"))
    client.close()
    with admin() as conn:
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema,))}
    assert {"meta", "runs", "rollouts", "events", "blobs", "write_ledger"} <= tables
    assert OpenReward(store=pg_url).runs.get(run).n_events == 1

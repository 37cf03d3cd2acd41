"""One bad value must never break reads for everyone: refused at the ingest boundary, and survived by the listings."""

from __future__ import annotations

import json
import sqlite3
import uuid
from pathlib import Path

import httpx2
import pytest

from openreward_nb import OpenReward
from openreward_nb.store.location import open_store

from ..upload.support import KEY, Server, stored_events, stored_rollouts


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Server:
    with Server(str(tmp_path_factory.mktemp("srv") / "server.sqlite")) as srv:
        yield srv


def start(rid: str, run: str = "values", **fields: object) -> dict:
    return {"eventId": rid, "timestamp": 1700000000000, "runName": run, "eventType": "rollout", **fields}


def message(rid: str, idx: int, **fields: object) -> dict:
    base = {
        "eventId": str(uuid.uuid4()),
        "timestamp": 1700000000000 + idx,
        "index": idx,
        "rolloutEventId": rid,
        "type": "user_message",
        "content": f"m{idx}",
        "isFinished": False,
        "metadata": {},
        "eventType": "message",
    }
    return {**base, **fields}


def with_number(events: list[dict], literal: str) -> bytes:
    """The body, with every ``"NUMBER"`` string replaced by ``literal`` (json.dumps cannot write 1e400)."""
    return json.dumps({"events": events}).replace('"NUMBER"', literal).encode()


def get(server: Server, path: str) -> httpx2.Response:
    return httpx2.get(f"{server.url}{path}", headers={"x-api-key": KEY}, timeout=30)


@pytest.mark.parametrize(
    ("where", "literal"),
    [
        ("message metadata", "1e400"),
        ("start rollout_info", "-1e400"),
        ("update rollout_info", "1" + "0" * 400),
        ("an unknown field", "1e999"),
    ],
)
def test_a_number_too_big_for_a_double_is_refused_naming_the_field(server: Server, where: str, literal: str) -> None:
    rid = str(uuid.uuid4())
    events = [start(rid), message(rid, 0), message(rid, 1), message(rid, 2)]
    expected = {
        "message metadata": "events[3].metadata.a.b",
        "start rollout_info": 'events[0].rollout_info.steps[1]["odd key"]',
        "update rollout_info": "events[4].rollout_info.x",
        "an unknown field": "events[2].extra[0].deep",
    }[where]
    if where == "message metadata":
        events[3]["metadata"] = {"a": {"b": "NUMBER"}}
    elif where == "start rollout_info":
        events[0]["rollout_info"] = {"steps": [1, {"odd key": "NUMBER"}]}
    elif where == "update rollout_info":
        events.append(
            {"eventId": rid, "timestamp": 1700000000000, "rollout_info": {"x": "NUMBER"}, "eventType": "rollout_update"}
        )
    else:
        events[2]["extra"] = [{"deep": "NUMBER"}]
    answer = server.post(with_number(events, literal))
    assert answer.status_code == 422, answer.text
    assert answer.json()["message"].startswith(f"{expected}: must be a number a double can hold")
    assert rid not in stored_rollouts(server.store)
    listing = get(server, "/v1/runs/values/rollouts")
    assert listing.status_code in (200, 404)  # 404: nothing stored for the run at all


def test_finite_numbers_and_wide_integers_still_go_through(server: Server) -> None:
    rid = str(uuid.uuid4())
    events = [start(rid, rollout_info={"big": 10**40}), message(rid, 0, metadata={"x": 1.5e308, "n": 2**70})]
    assert server.post({"events": events}).status_code == 200
    rows = get(server, "/v1/runs/values/rollouts").json()["rollouts"]
    assert next(r for r in rows if r["id"] == rid)["rollout_info"] == {"big": 10**40}


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("timestamp", 1_700_000_000_000_000, "events[0].timestamp: must be epoch milliseconds"),  # microseconds
        ("timestamp", 2**53, "events[0].timestamp: must be epoch milliseconds"),
        ("rolloutName", "r" * 2000, "events[0].rolloutName: must be at most 1024 characters"),
        ("environment", "e" * 1025, "events[0].environment: must be at most 1024 characters"),
        ("split", "s" * 5000, "events[0].split: must be at most 1024 characters"),
        ("variant", "v" * 5000, "events[0].variant: must be at most 1024 characters"),
    ],
)
def test_out_of_range_times_and_long_names_are_refused(server: Server, field: str, value: object, words: str) -> None:
    rid = str(uuid.uuid4())
    answer = server.post({"events": [start(rid, **{field: value})]})
    assert answer.status_code == 422 and answer.json()["message"].startswith(words), answer.text
    assert rid not in stored_rollouts(server.store)


def test_long_tool_names_and_call_ids_are_refused(server: Server) -> None:
    rid = str(uuid.uuid4())
    assert server.post({"events": [start(rid)]}).status_code == 200
    for field in ("name", "callId"):
        answer = server.post({"events": [message(rid, 0, **{"type": "tool_call", "name": "t", field: "x" * 1025})]})
        assert answer.status_code == 422
        assert answer.json()["message"].startswith(f"events[0].{field}: must be at most 1024 characters")
    assert stored_events(server.store, "values").get((rid, 0)) is None


HOSTILE_IDS = [
    "<img src=x onerror=alert(1)>",
    "\x1b]0;owned\x07",
    "\x1b[2J",
    "a\u202eb",
    "zero\u200bwidth",
    "../../etc/passwd",
    "has space",
    'quote"d',
    "é",
    "x" * 257,
    "",
]


@pytest.mark.parametrize("bad", HOSTILE_IDS, ids=range(len(HOSTILE_IDS)))
def test_ids_from_the_wire_keep_to_a_safe_alphabet(server: Server, bad: str) -> None:
    answer = server.post({"events": [start(bad)]})
    assert answer.status_code == 422
    assert answer.json()["message"].startswith("events[0].eventId: must be 1 to 256 characters from A-Za-z0-9._:-")
    rid = str(uuid.uuid4())
    assert server.post({"events": [start(rid)]}).status_code == 200
    refused = server.post({"events": [message(rid, 0, eventId=bad)]})
    assert refused.status_code == 422 and refused.json()["message"].startswith("events[0].eventId: must be 1 to 256")
    refused = server.post({"events": [message(rid, 0, rolloutEventId=bad)]})
    assert refused.status_code == 422
    assert refused.json()["message"].startswith("events[0].rolloutEventId: must be 1 to 256")
    assert bad not in stored_rollouts(server.store)


def test_ids_real_clients_make_are_accepted(server: Server) -> None:
    """uuid4 text (the openreward SDK's rollout and event ids, and this package's) and the other allowed characters."""
    for rid in (str(uuid.uuid4()), uuid.uuid4().hex, "run-1.ep_2:retry-3", "A" * 256):
        assert server.post({"events": [start(rid), message(rid, 0)]}).status_code == 200
        assert rid in stored_rollouts(server.store)


def test_listings_survive_an_unreadable_row(tmp_path: Path) -> None:
    """Rows written before the checks existed (or by hand): bad JSON, a time no datetime holds, a non-finite
    reward. Each shows as missing; every other value and row is served; one warning per value, naming the rollout."""
    path = str(tmp_path / "server.sqlite")
    client = OpenReward(store=path)
    ids = []
    for i in range(3):
        rollout = client.rollout.create("shaky", rollout_name=f"ep-{i}", metadata={"seed": i})
        ids.append(rollout.id)
    client.close()
    broken = ids[1]
    with sqlite3.connect(path) as con:
        con.execute(
            "UPDATE rollouts SET metadata = '{\"a\": Infinity', rollout_info = '{\"x\": 1e400}', "
            "created_at = 1e300, total_reward = 9e999 WHERE id = ?",
            (broken,),
        )
        con.execute("UPDATE runs SET created_at = -1e300 WHERE name = 'shaky'")
    log = tmp_path / "server.log"
    with Server(path, log=log) as server:
        for _ in range(2):
            runs = get(server, "/v1/runs")
            assert runs.status_code == 200, runs.text
            run = next(r for r in runs.json()["runs"] if r["name"] == "shaky")
            assert run["num_rollouts"] == 3 and run["created_at"] is None
            assert get(server, "/v1/runs/shaky").status_code == 200
            listing = get(server, "/v1/runs/shaky/rollouts")
            assert listing.status_code == 200, listing.text
            rows = {r["id"]: r for r in listing.json()["rollouts"]}
            bad = rows[broken]
            assert (bad["metadata"], bad["rollout_info"], bad["created_at"], bad["total_reward"]) == (None,) * 4
            assert bad["rolloutName"] == "ep-1"
            assert rows[ids[0]]["metadata"] == {"seed": 0} and rows[ids[2]]["created_at"] is not None
    warnings = log.read_text()
    for field in ("metadata", "rollout_info", "created_at", "total_reward"):
        assert warnings.count(f"rollout {broken}: the stored {field} is unreadable") == 1, warnings
    assert warnings.count("run shaky: the stored created_at is unreadable") == 1, warnings


def test_a_failed_write_is_rolled_back_not_committed(tmp_path: Path) -> None:
    """A store fault part way through a batch (here a trigger that aborts one insert) leaves nothing of the batch:
    the transaction is rolled back. Committing instead would keep the rollout and the events written before."""
    path = str(tmp_path / "server.sqlite")
    open_store(path)
    with sqlite3.connect(path) as con:
        con.execute(
            "CREATE TRIGGER planted BEFORE INSERT ON events WHEN NEW.content = 'boom' "
            "BEGIN SELECT RAISE(ABORT, 'planted store fault'); END"
        )
    rid = str(uuid.uuid4())
    events = [start(rid, run="partial"), message(rid, 0), message(rid, 1), message(rid, 2, content="boom")]
    with Server(path) as server:
        answer = server.post({"events": events})
        assert answer.status_code in (500, 503)  # SQLite reports the abort as a constraint, which may be a race
        assert rid not in stored_rollouts(path) and not stored_events(path, "partial")
        events[3]["content"] = "fine"
        assert server.post({"events": events}).json() == {"ok": True, "stored": 3, "duplicates": 0}
    assert stored_rollouts(path)[rid][10] == 3  # n_events

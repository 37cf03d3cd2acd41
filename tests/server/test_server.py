"""The ingest server against hostile and clumsy requests: refused cleanly, nothing half stored, nothing doubled."""

from __future__ import annotations

import json
import subprocess
import threading
import time
import uuid
from pathlib import Path

import httpx2
import pytest

from openreward_nb.cli import build_parser
from openreward_nb.store.location import open_store

from ..helpers import PYTHON, subprocess_env
from ..upload.support import KEY, Server, stored_events, stored_rollouts
from .wire_events import message, start


def new_id() -> str:
    return str(uuid.uuid4())


def count(server: Server, rid: str) -> int:
    return sum(1 for (r, _) in stored_events(server.store) if r == rid)


def test_no_key_and_wrong_key_are_refused(server: Server) -> None:
    rid = new_id()
    for key, words in ((None, "missing x-api-key"), ("wrong", "invalid API key"), (KEY + "x", "invalid API key")):
        answer = server.post({"events": [start(rid), message(rid, 0)]}, key=key)
        assert answer.status_code == 401 and words in answer.json()["message"]
    assert rid not in stored_rollouts(server.store)
    reads = httpx2.get(f"{server.url}/v1/runs", headers={"x-api-key": "wrong"})
    assert reads.status_code == 401


def test_a_50_mb_body_is_refused_without_storing(server: Server) -> None:
    rid = new_id()
    big = json.dumps({"events": [start(rid), message(rid, 0, content="x" * 50_000_000)]}).encode()
    started = time.monotonic()
    answer = server.post(big)
    assert answer.status_code == 413 and "more than this server accepts" in answer.json()["message"]
    assert time.monotonic() - started < 30

    def chunks():  # no content-length: the limit holds while streaming too
        for _ in range(50):
            yield b" " * 1_000_000

    streamed = httpx2.post(f"{server.url}/v1/rollouts", content=chunks(), headers={"x-api-key": KEY}, timeout=60)
    assert streamed.status_code == 413
    assert rid not in stored_rollouts(server.store)
    assert server.post({"events": [start(rid)]}).status_code == 200  # and it still serves


@pytest.mark.parametrize(
    ("body", "status", "start_of_message"),
    [
        (b"{nope", 400, "body: not valid JSON"),
        (b'{"events": {"a": 1}}', 422, "events: must be a list"),
        (b'{"events": [1]}', 422, "events[0]: must be a JSON object"),
    ],
)
def test_malformed_json_is_refused(server: Server, body: bytes, status: int, start_of_message: str) -> None:
    answer = server.post(body)
    assert answer.status_code == status and answer.json()["message"].startswith(start_of_message)


def test_a_batch_with_one_bad_event_stores_nothing(server: Server) -> None:
    rid = new_id()
    events = [start(rid), *(message(rid, i) for i in range(5)), message(rid, 5, reward="lots")]
    answer = server.post({"events": events})
    assert answer.status_code == 422
    assert answer.json() == {
        "error": "invalid_event",
        "message": 'events[6].reward: must be a finite number, got "lots"',
    }
    assert rid not in stored_rollouts(server.store) and count(server, rid) == 0


def test_unknown_rollout_ids_are_refused(server: Server) -> None:
    known, unknown = new_id(), new_id()
    assert server.post({"events": [start(known)]}).status_code == 200
    answer = server.post({"events": [message(known, 0), message(unknown, 0)]})
    assert answer.status_code == 422
    assert answer.json()["message"].startswith(f"events[1].rolloutEventId: no rollout '{unknown}'")
    assert count(server, known) == 0  # the valid event in the same batch was not stored either
    update = server.post(
        {"events": [{"eventId": unknown, "timestamp": 1, "rollout_info": {"a": 1}, "eventType": "rollout_update"}]}
    )
    assert update.status_code == 422 and update.json()["message"].startswith("events[0].eventId: no rollout")


def test_retried_and_overlapping_batches_are_stored_once(server: Server) -> None:
    rid = new_id()
    first = {"events": [start(rid), *(message(rid, i, reward=1.0) for i in range(10))]}
    assert server.post(first).json() == {"ok": True, "stored": 10, "duplicates": 0}
    assert server.post(first).json() == {"ok": True, "stored": 0, "duplicates": 10}  # a retry after a lost answer
    overlap = {"events": [message(rid, i, reward=1.0) for i in range(5, 15)] + [message(rid, 14, reward=9.0)]}
    assert server.post(overlap).json() == {"ok": True, "stored": 5, "duplicates": 6}
    row = stored_rollouts(server.store)[rid]
    assert row[10] == 15 and row[13] == 15.0  # n_events, total_reward: nothing counted twice
    assert sorted(i for (r, i) in stored_events(server.store) if r == rid) == list(range(15))


def test_out_of_order_batches_give_the_same_aggregates(server: Server) -> None:
    in_order, shuffled = new_id(), new_id()
    kinds = ["user_message", "assistant_message", "tool_call", "tool_result"] * 5

    def batch(rid: str, lo: int, hi: int) -> dict:
        return {
            "events": [
                message(
                    rid,
                    i,
                    type=kinds[i],
                    name="t" if kinds[i] == "tool_call" else None,
                    reward=float(i) if i % 3 == 0 else None,
                    isFinished=i == 19,
                )
                for i in range(lo, hi)
            ]
        }

    for rid, order in ((in_order, [(0, 7), (7, 14), (14, 20)]), (shuffled, [(14, 20), (0, 7), (7, 14)])):
        assert server.post({"events": [start(rid)]}).status_code == 200
        for lo, hi in order:
            assert server.post(batch(rid, lo, hi)).status_code == 200
    rows = stored_rollouts(server.store)
    # status, n_events, n_tool_calls, n_turns, total, final and max reward, is_finished
    assert rows[in_order][9:] == ("finished", 20, 5, 5, 63.0, 18.0, 18.0, 1)
    assert rows[shuffled][9:] == rows[in_order][9:]


def test_huge_numbers_of_tiny_batches(server: Server) -> None:
    rids = [new_id() for _ in range(8)]
    for rid in rids:
        assert server.post({"events": [start(rid, "tiny")]}).status_code == 200
    failures: list[int] = []

    def post_all(rid: str) -> None:
        with httpx2.Client(headers={"x-api-key": KEY}) as http:
            for i in range(150):
                body = json.dumps({"events": [message(rid, i, reward=0.5)]}).encode()
                answer = http.post(f"{server.url}/v1/rollouts", content=body)
                if answer.status_code != 200:
                    failures.append(answer.status_code)

    threads = [threading.Thread(target=post_all, args=(rid,)) for rid in rids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    rows = stored_rollouts(server.store, "tiny")
    assert all(rows[rid][10] == 150 and rows[rid][13] == 75.0 for rid in rids)


def test_environment_lookups_need_no_key(server: Server) -> None:
    env = httpx2.get(f"{server.url}/v1/environments/acme/Maze")
    assert env.status_code == 200 and env.json()["id"] == "acme/Maze"
    assert httpx2.get(f"{server.url}/v1/environments/acme/Maze/variants").json() == []


def test_the_key_is_required_unless_no_auth_on_loopback(tmp_path: Path) -> None:
    assert build_parser().parse_args(["serve"]).host == "127.0.0.1"
    refused = subprocess.run(
        [
            PYTHON,
            "-m",
            "openreward_nb",
            "--store",
            str(tmp_path / "s.sqlite"),
            "serve",
            "--host",
            "0.0.0.0",
            "--no-auth",
        ],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=60,
    )
    assert refused.returncode == 2 and "--no-auth is only allowed on a loopback host" in refused.stderr
    with Server(str(tmp_path / "open.sqlite"), key=None) as open_server:
        rid = new_id()
        assert open_server.post({"events": [start(rid)]}, key=None).status_code == 200


def test_two_server_processes_on_one_store_store_each_event_once(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.sqlite")
    open_store(path)  # schema first
    rids = [new_id() for _ in range(5)]
    with Server(path) as a, Server(path) as b:
        for rid in rids:
            assert a.post({"events": [start(rid)]}).status_code == 200
        answers: list[int] = []
        posts = [(s, {"events": [message(rid, i) for i in range(300)]}) for rid in rids for s in (a, b, a, b)]
        threads = [
            threading.Thread(target=lambda s=s, body=body: answers.append(s.post(body).status_code))
            for s, body in posts
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert answers == [200] * len(posts)
    for rid in rids:
        assert sorted(i for (r, i) in stored_events(path) if r == rid) == list(range(300))
        assert stored_rollouts(path)[rid][10] == 300


def test_a_batch_another_process_stored_first_is_counted_once(tmp_path: Path) -> None:
    """The race the two processes above can run into, made certain: the other writer commits between our look and our write."""
    from openreward_nb.server.decode import parse_body
    from openreward_nb.server.ingest import Ingestor

    store = open_store(str(tmp_path / "race.sqlite"))
    rid = new_id()
    batch = parse_body(json.dumps({"events": [message(rid, i, reward=1.0) for i in range(20)]}).encode())
    other = Ingestor(store)
    other.apply(parse_body(json.dumps({"events": [start(rid)]}).encode()))

    class Overtaken(Ingestor):
        overtaken = False

        def _plan(self, conn, batch):
            planned = super()._plan(conn, batch)
            if not self.overtaken:
                self.overtaken = True
                other.apply(batch)  # committed by the other writer before ours
            return planned

    outcome = Overtaken(store).apply(batch)
    assert (outcome.stored, outcome.duplicates) == (0, 20)
    assert store.query("SELECT n_events, total_reward FROM rollouts WHERE id = ?", (rid,)) == [(20, 20.0)]

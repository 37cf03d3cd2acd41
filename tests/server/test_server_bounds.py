"""The ingest server under load and against slow clients, over real sockets to the real server process."""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from pathlib import Path

import httpx2
import pytest

from ..upload.support import KEY, Server, stored_rollouts

#: small events: the most Python objects per byte of body, the hardest case for the server's memory
SMALL_EVENT_TEXT = "the agent reads it"


def big_batch(target_bytes: int) -> bytes:
    """One rollout's start and as many small message events as fit in ``target_bytes`` of JSON."""
    rid = str(uuid.uuid4())
    events: list[dict] = [{"eventId": rid, "timestamp": 1700000000000, "runName": "load", "eventType": "rollout"}]
    size = i = 0
    while size < target_bytes:
        event = {
            "eventId": str(uuid.uuid4()),
            "timestamp": 1700000000000 + i,
            "index": i,
            "rolloutEventId": rid,
            "type": "user_message",
            "content": f"{SMALL_EVENT_TEXT} {i}",
            "isFinished": False,
            "metadata": {"i": i},
            "eventType": "message",
        }
        events.append(event)
        size += len(json.dumps(event)) + 1
        i += 1
    return json.dumps({"events": events}).encode()


@pytest.mark.slow
def test_six_concurrent_27_mb_batches_stay_under_600_mb(tmp_path: Path) -> None:
    bodies = [big_batch(27_000_000) for _ in range(6)]
    answers: list[int] = []

    def upload(body: bytes) -> None:
        for _ in range(60):  # as an uploader does: 503 + Retry-After means come back later
            answer = httpx2.post(f"{server.url}/v1/rollouts", content=body, headers={"x-api-key": KEY}, timeout=300)
            if answer.status_code != 503:
                break
            assert answer.headers["retry-after"] == "1"
            time.sleep(1)
        answers.append(answer.status_code)

    with Server(str(tmp_path / "server.sqlite")) as server:
        threads = [threading.Thread(target=upload, args=(body,)) for body in bodies]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        peak = server.peak_rss_mb()
    assert answers == [200] * 6
    assert len(stored_rollouts(server.store, "load")) == 6
    assert peak < 600, f"the server peaked at {peak:.0f} MB"


def send_slowly(sock: socket.socket, data: bytes) -> bool:
    """Send ``data``; False once the server has closed the connection."""
    try:
        sock.sendall(data)
        return True
    except OSError:
        return False


def closed_by_server(sock: socket.socket) -> bool:
    """True once the server has closed (or reset) the connection; never blocks."""
    sock.setblocking(False)
    try:
        return sock.recv(65536) == b"" or closed_by_server(sock)
    except BlockingIOError:
        return False
    except OSError:
        return True
    finally:
        sock.setblocking(True)


def available(sock: socket.socket) -> bytes:
    """What the server has sent so far (b"" if nothing yet); never blocks."""
    sock.setblocking(False)
    try:
        return sock.recv(65536)
    except OSError:
        return b""
    finally:
        sock.setblocking(True)


def test_slow_and_idle_clients_are_dropped_while_healthy_ones_are_served(tmp_path: Path) -> None:
    """40 connections that drip their head or body a byte at a time, or say nothing, are closed by the server
    (here after about a second: ``--request-timeout 1``), while a healthy client is served meanwhile."""
    head = f"POST /v1/rollouts HTTP/1.1\r\nhost: x\r\nx-api-key: {KEY}\r\ncontent-type: application/json\r\n"
    rid = str(uuid.uuid4())
    body = json.dumps({"events": [{"eventId": rid, "timestamp": 1, "runName": "drip", "eventType": "rollout"}]})
    with Server(str(tmp_path / "server.sqlite"), serve_args=("--request-timeout", "1")) as server:
        port = server.port
        head_drips = [socket.create_connection(("127.0.0.1", port)) for _ in range(15)]
        body_drips = [socket.create_connection(("127.0.0.1", port)) for _ in range(15)]
        idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(10)]
        for sock in body_drips:
            sock.sendall(f"{head}content-length: {len(body)}\r\n\r\n".encode())
        served: list[int] = []
        open_socks = set(head_drips + body_drips + idle)
        deadline = time.monotonic() + 30
        step = 0
        with httpx2.Client(headers={"x-api-key": KEY}, timeout=10) as healthy:
            while open_socks and time.monotonic() < deadline:
                for sock in list(open_socks):
                    if sock in head_drips:
                        still = send_slowly(sock, head[step % len(head)].encode())
                    elif sock in body_drips:
                        still = send_slowly(sock, body[step % len(body)].encode())
                    else:
                        still = True
                    if not still or closed_by_server(sock):
                        open_socks.discard(sock)
                good = str(uuid.uuid4())
                answer = healthy.post(
                    f"{server.url}/v1/rollouts",
                    content=json.dumps(
                        {"events": [{"eventId": good, "timestamp": 1, "runName": "fine", "eventType": "rollout"}]}
                    ),
                )
                served.append(answer.status_code)
                step += 1
                time.sleep(0.25)
        for sock in head_drips + body_drips + idle:
            sock.close()
        assert not open_socks, f"{len(open_socks)} of 40 slow or idle connections still open after 30 s"
        assert served and set(served) == {200}
        assert len(stored_rollouts(server.store, "fine")) == len(served)
        assert rid not in stored_rollouts(server.store)


def test_a_body_that_arrives_too_slowly_is_answered_408(tmp_path: Path) -> None:
    rid = str(uuid.uuid4())
    body = json.dumps({"events": [{"eventId": rid, "timestamp": 1, "runName": "drip", "eventType": "rollout"}]})
    with Server(str(tmp_path / "server.sqlite"), serve_args=("--request-timeout", "1")) as server:
        sock = socket.create_connection(("127.0.0.1", server.port))
        sock.sendall(
            f"POST /v1/rollouts HTTP/1.1\r\nhost: x\r\nx-api-key: {KEY}\r\ncontent-length: {len(body)}\r\n\r\n".encode()
        )
        answer = b""
        for char in body:  # one byte every 0.2 s until the server answers
            if not send_slowly(sock, char.encode()):
                break
            time.sleep(0.2)
            answer = available(sock)
            if answer:
                break
        sock.settimeout(30)
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except OSError:
            pass
        sock.close()
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]
    assert b"too slow" in answer and b"connection: close" in answer.lower()
    assert rid not in stored_rollouts(server.store)

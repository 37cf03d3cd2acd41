"""What the sync tests share: recorded stores, real servers in child processes, store contents to compare."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx2

from openreward_nb import (
    AssistantMessage,
    OpenReward,
    ReasoningItem,
    RolloutInfo,
    SystemMessage,
    ToolCall,
    ToolResult,
    UserMessage,
)
from openreward_nb.store.location import open_store

from ..helpers import PYTHON, REPO, subprocess_env
from ..store.pg import free_port

KEY = "test-key-0123456789"
FAULTY = Path(__file__).with_name("faulty_server.py")
sys.path.insert(0, str(REPO / "benchmarks"))
from _workload import Collector  # noqa: E402  (the shared loopback collector, run as a child process)

__all__ = ["KEY", "Collector", "Server", "free_port", "record", "stored_events", "stored_rollouts"]


class Server:
    """``openreward-nb serve`` in a child process (or its app behind faults); killable and restartable."""

    def __init__(
        self,
        store: str,
        *,
        key: str | None = KEY,
        fail_rate: float = 0.0,
        latency_ms: float = 0.0,
        port: int | None = None,
        serve_args: tuple[str, ...] = (),
        log: Path | None = None,
    ) -> None:
        self.store = store
        self.log = log  # where the server's stderr goes (None: inherited)
        self.key = key
        self.port = port or free_port()
        if fail_rate or latency_ms:
            assert key is not None
            self.argv = [
                PYTHON,
                str(FAULTY),
                "--store",
                store,
                "--port",
                str(self.port),
                "--api-key",
                key,
                "--fail-rate",
                str(fail_rate),
                "--latency-ms",
                str(latency_ms),
            ]
        else:
            auth = ["--api-key", key] if key is not None else ["--no-auth"]
            serve = ["serve", "--port", str(self.port), *auth, *serve_args]
            self.argv = [PYTHON, "-m", "openreward_nb", "--store", store, *serve]
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        stderr = None if self.log is None else self.log.open("ab")
        self.proc = subprocess.Popen(self.argv, env=subprocess_env(), stdout=subprocess.DEVNULL, stderr=stderr)
        if stderr is not None:
            stderr.close()  # the child has its own copy
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx2.get(f"{self.url}/healthz", timeout=1)
                return self
            except httpx2.TransportError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not start: {self.argv}") from None
                time.sleep(0.05)

    def peak_rss_mb(self) -> float:
        """The server process's peak resident memory so far (Linux VmHWM), in MB."""
        assert self.proc is not None
        with open(f"/proc/{self.proc.pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        raise RuntimeError("no VmHWM in /proc/PID/status")

    def kill(self) -> None:
        """SIGKILL: gone at once, mid-request if need be."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def post(self, body: Any, key: str | None = KEY, **kw: Any) -> httpx2.Response:
        """POST /v1/rollouts: ``body`` bytes as they are, anything else as JSON."""
        headers = {"x-api-key": key} if key is not None else {}
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        return httpx2.post(f"{self.url}/v1/rollouts", content=content, headers=headers, timeout=60, **kw)

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def record(store: str, rollouts: int, events: int, run: str = "run", **client_options: Any) -> list[str]:
    """Record ``rollouts`` rollouts of ``events`` events of every kind into ``store``; their ids."""
    client = OpenReward(store=store, **client_options)
    ids = []
    for r in range(rollouts):
        rollout = client.rollout.create(
            run,
            rollout_name=f"ep-{r}",
            environment="acme/Maze",
            split="train",
            metadata={"seed": r, "tags": ["a"]},
            task_spec={"level": r % 3},
        )
        for i in range(events):
            kind = i % 6
            last = i == events - 1
            if kind == 0:
                message: Any = SystemMessage(f"rules {r}/{i}") if i == 0 else UserMessage(f"go on {r}/{i} ü ✓")
            elif kind == 1:
                message = ReasoningItem(content=f"think {i}", summary=f"sum {i}")
            elif kind == 2:
                message = ToolCall(name="move", content=json.dumps({"dir": i % 4}), call_id=f"c{r}-{i}")
            elif kind == 3:
                message = ToolResult(content=f"moved {i}", call_id=f"c{r}-{i - 1}")
            else:
                message = AssistantMessage(f"step {i}\nline two")
            reward = 0.25 * (i % 4) if kind == 3 or last else None
            info = RolloutInfo(task_index=r, current_step=i) if i in (1, events // 2) else None
            rollout.log(
                message, reward=reward, is_finished=last, metadata={"i": i} if kind == 4 else None, rollout_info=info
            )
        ids.append(rollout.id)
    client.close()
    return ids


_EVENT_FIELDS = "type, content, content_reference, summary, name, call_id, reward, is_finished, metadata"
_ROLLOUT_FIELDS = (
    "run_name, rollout_name, environment, variant, split, metadata, task_spec, run_info, rollout_info, status, "
    "n_events, n_tool_calls, n_turns, total_reward, final_reward, max_reward, is_finished"
)


def stored_events(store: str, run: str | None = None) -> dict[tuple[str, int], tuple]:
    """(rollout id, idx) -> the event's wire-carried fields, for every event in the store (or one run)."""
    s = open_store(store)
    where, params = ("WHERE rollout_id IN (SELECT id FROM rollouts WHERE run_name = ?)", (run,)) if run else ("", ())
    rows = s.query(s.translate(f"SELECT rollout_id, idx, {_EVENT_FIELDS} FROM events {where}"), params)
    return {(r[0], r[1]): tuple(r[2:]) for r in rows}


def stored_rollouts(store: str, run: str | None = None) -> dict[str, tuple]:
    """rollout id -> its fields and aggregates, for every rollout in the store (or one run)."""
    s = open_store(store)
    where, params = ("WHERE run_name = ?", (run,)) if run else ("", ())
    rows = s.query(s.translate(f"SELECT id, {_ROLLOUT_FIELDS} FROM rollouts {where}"), params)
    return {r[0]: tuple(r[1:]) for r in rows}

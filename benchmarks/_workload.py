"""Shared benchmark pieces: the realistic chat workload, timing statistics and the loopback collector."""

from __future__ import annotations

import gc
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
COLLECTOR = REPO / "tools" / "openreward_collector.py"

_WORDS = (
    "the agent inspects file flag directory permission shell output returns value error retry plan "
    "because search result page token reward step environment task answer check list open read write"
).split()


def _text(rng: random.Random, size: int) -> str:
    words = []
    n = 0
    while n < size:
        w = rng.choice(_WORDS)
        words.append(w)
        n += len(w) + 1
    return " ".join(words)[:size]


def make_pool(seed: int = 7, variants: int = 64) -> dict[str, list[Any]]:
    """Distinct ~1.2 KB contents per event kind (shared between rollouts to keep memory small)."""
    rng = random.Random(seed)
    return {
        "user": [_text(rng, 1200) for _ in range(variants)],
        "assistant": [_text(rng, 1200) for _ in range(variants)],
        "args": [json.dumps({"command": _text(rng, 1150), "timeout": 30}) for _ in range(variants)],
        "result": [json.dumps({"stdout": _text(rng, 1150), "exit": 0}) for _ in range(variants)],
    }


def workload(module: Any, rollouts: int, events: int, pool: dict[str, list[Any]]) -> list[list[tuple[Any, Any, bool]]]:
    """Per rollout, ``events`` (message, reward, is_finished) built from ``module``'s message classes.

    The cycle is user prompt, assistant text, tool call, tool result with a reward; the
    last event of each rollout finishes it.
    """
    out = []
    for r in range(rollouts):
        items = []
        for i in range(events):
            v = (r * 7 + i) % len(pool["user"])
            k = i % 4
            if k == 0:
                msg, reward = module.UserMessage(content=pool["user"][v]), None
            elif k == 1:
                msg, reward = module.AssistantMessage(content=pool["assistant"][v]), None
            elif k == 2:
                msg, reward = module.ToolCall(name="bash", content=pool["args"][v], call_id=f"call_{r}_{i}"), None
            else:
                msg, reward = module.ToolResult(content=pool["result"][v], call_id=f"call_{r}_{i - 1}"), 0.1
            items.append((msg, reward, i == events - 1))
        out.append(items)
    return out


def percentile(sorted_values: list[float], q: float) -> float:
    """The q-th percentile (0..100) of already sorted values."""
    if not sorted_values:
        return float("nan")
    pos = min(len(sorted_values) - 1, max(0, round(q / 100 * (len(sorted_values) - 1))))
    return sorted_values[pos]


def free_port() -> int:
    return free_ports(1)[0]


def free_ports(n: int) -> list[int]:
    """``n`` distinct loopback ports free now (held open together, so no two are the same)."""
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


class Collector:
    """The shared loopback stand-in for the OpenReward API, run as a child process."""

    #: starts tried before giving up: a port found free may be taken by another process before the collector binds it
    STARTS = 3

    def __init__(self, *extra: str) -> None:
        why = ""
        for _ in range(self.STARTS):
            why = self._start(extra)
            if not why:
                return
        raise RuntimeError(f"the collector did not start: {why}")

    def _start(self, extra: tuple[str, ...]) -> str:
        """Start the collector on new ports; returns why it did not come up ("" once it is ready)."""
        self.port, self.control = free_ports(2)
        ready = Path(f"/tmp/collector-{os.getpid()}-{self.port}.ready")
        ready.unlink(missing_ok=True)
        with tempfile.TemporaryFile() as errors:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    str(COLLECTOR),
                    "--port",
                    str(self.port),
                    "--control-port",
                    str(self.control),
                    "--ready-file",
                    str(ready),
                    "--quiet",
                    *extra,
                ],
                stderr=errors,
            )
            deadline = time.monotonic() + 30
            while not ready.exists():
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.close()
                    errors.seek(0)
                    return errors.read().decode(errors="replace").strip()[-1000:] or "no ready file within 30 s"
                time.sleep(0.05)
        ready.unlink(missing_ok=True)
        return ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stats(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.control}/stats", timeout=10) as resp:
            return json.loads(resp.read())

    def reset(self) -> None:
        req = urllib.request.Request(f"http://127.0.0.1:{self.control}/reset", method="POST", data=b"")
        urllib.request.urlopen(req, timeout=10).read()

    def arrivals(self, expected: int, settle: float = 5.0, timeout: float = 120.0) -> tuple[int, float]:
        """Poll until ``expected`` unique messages arrived, or none for ``settle`` s: (count, perf_counter
        time the last one was seen). Messages a client never delivers are not waited for."""
        count, last_arrival = 0, time.perf_counter()
        deadline = last_arrival + timeout
        while count < expected and time.perf_counter() - last_arrival < settle and time.perf_counter() < deadline:
            now = self.stats().get("messages_unique", 0)
            if now > count:
                count, last_arrival = now, time.perf_counter()
            else:
                time.sleep(0.02)
        return count, last_arrival

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    def __enter__(self) -> Collector:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def timed_child(code: str, repeats: int = 5, env: dict[str, str] | None = None) -> tuple[float, int]:
    """Median wall seconds of ``python -c code`` and the child's resident memory afterwards, in KB."""
    times = []
    rss = 0
    probe = code + "\nimport sys; sys.stderr.write(open('/proc/self/status').read().split('VmRSS:')[1].split()[0])"
    for _ in range(repeats):
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
        times.append(time.perf_counter() - start)
        rss = int(out.stderr.strip().splitlines()[-1])
    times.sort()
    return times[len(times) // 2], rss


def rss_kb() -> int:
    """This process's resident memory now, in KB (Linux)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def finish(checks: list[tuple[str, bool]], results: dict[str, Any], args: Any) -> int:
    """Print each target as ok / MISSED, write ``--json`` if asked, and give the exit code (1: a miss under ``--check``)."""
    print()
    for name, ok in checks:
        print(f"  [{'ok' if ok else 'MISSED'}] {name}")
    if getattr(args, "json", None):
        Path(args.json).write_text(json.dumps(results, indent=2, default=str))
    return 1 if getattr(args, "check", False) and not all(ok for _, ok in checks) else 0


def fill_store(store: Any, rollouts: Iterable[Iterable[Any]], batch: int = 50_000) -> float:
    """Write each rollout's store ops into ``store`` in large batches; returns seconds taken.

    The store is a throw-away one: SQLite runs with ``synchronous=OFF`` (durability is not under test).
    """
    from openreward_nb.store.ops import plan_batch
    from openreward_nb.store.sqlite import SQLiteStore

    begin = time.perf_counter()
    conn = store.connect()
    if isinstance(store, SQLiteStore):
        conn.execute("PRAGMA synchronous=OFF")
    side: dict[str, bool] = {}
    ops: list[Any] = []
    for rollout_ops in rollouts:
        ops.extend(rollout_ops)
        if len(ops) >= batch:
            plan = plan_batch(ops, side)
            store.write(conn, plan)
            side.update(plan.side)
            ops = []
    if ops:
        store.write(conn, plan_batch(ops, side))
    conn.close()
    return time.perf_counter() - begin


def best_of(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Fastest wall time of ``repeats`` calls (after a collection each), and the last result."""
    best, result = float("inf"), None
    for _ in range(repeats):
        result = None
        gc.collect()
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result

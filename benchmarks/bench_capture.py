"""Capture benchmark: what the SDK wrappers cost outside any capture scope.

Measures (1) the wrapper itself around a no-op method, exactly, and (2) real openai
``responses.create`` calls over an in-process ``httpx2.MockTransport`` with the wrappers
installed versus removed, alternating batches so both see the same machine state.

    python benchmarks/bench_capture.py [--quick] [--check] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _workload import finish

from openreward_nb.capture import hooks, uninstall
from openreward_nb.capture.sdks import all_targets, install_all, stainless_wrapper
from openreward_nb.providers.openai_responses import PROVIDER as RESPONSES

RESPONSE = {
    "id": "resp_bench",
    "object": "response",
    "created_at": 1757687080,
    "model": "gpt-5-2025-08-07",
    "status": "completed",
    "output": [
        {
            "id": "msg_bench",
            "type": "message",
            "role": "assistant",
            "status": "completed",
            "content": [{"type": "output_text", "text": "The flag is FLAG{bench}.", "annotations": []}],
        }
    ],
    "parallel_tool_calls": True,
    "tool_choice": "auto",
    "tools": [],
    "usage": {
        "input_tokens": 42,
        "output_tokens": 9,
        "total_tokens": 51,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens_details": {"reasoning_tokens": 0},
    },
}


def wrapper_overhead(n: int) -> float:
    """Nanoseconds the wrapper adds around a no-op method, outside a scope."""

    class Client:
        def request(self, cast_to, options, *, stream=False):
            return None

    plain = Client.request
    wrapped = stainless_wrapper({"/responses": RESPONSES.endpoints[0]}, False)(plain)
    client = Client()
    best = []
    for fn in (plain, wrapped) * 5:
        start = time.perf_counter_ns()
        for _ in range(n):
            fn(client, None, None)
        best.append((fn is wrapped, (time.perf_counter_ns() - start) / n))
    base = min(t for w, t in best if not w)
    ours = min(t for w, t in best if w)
    return ours - base


def sdk_calls(n: int, rounds: int) -> tuple[float, float]:
    """Median microseconds per real ``responses.create`` call: (wrappers removed, wrappers installed)."""
    import httpx2
    import openai

    body = json.dumps(RESPONSE).encode()
    transport = httpx2.MockTransport(
        lambda request: httpx2.Response(200, content=body, headers={"content-type": "application/json"})
    )
    client = openai.OpenAI(api_key="bench", http_client=httpx2.Client(transport=transport), max_retries=0)

    def batch() -> float:
        start = time.perf_counter()
        for _ in range(n):
            client.responses.create(model="gpt-5", input="hi")
        return (time.perf_counter() - start) / n * 1e6

    batch()  # warm up
    plain, wrapped = [], []
    for _ in range(rounds):
        uninstall()
        plain.append(batch())
        install_all()
        wrapped.append(batch())
    uninstall()
    return statistics.median(plain), statistics.median(wrapped)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer iterations (a smoke run)")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    n = 20_000 if args.quick else 500_000
    overhead_ns = wrapper_overhead(n)
    plain_us, wrapped_us = sdk_calls(50 if args.quick else 400, 3 if args.quick else 9)
    targets = len(all_targets())
    print(f"\ncapture wrappers outside a scope ({targets} SDK methods wrapped when installed)\n")
    print(f"  wrapper around a no-op method      +{overhead_ns / 1000:6.3f} us per call   (target <= 2 us)")
    print(f"  openai responses.create, removed    {plain_us:8.1f} us per call")
    print(f"  openai responses.create, installed  {wrapped_us:8.1f} us per call   ratio {wrapped_us / plain_us:5.3f}")
    assert not hooks.installed()
    results = {
        "wrapped_methods": targets,
        "wrapper_overhead_ns": overhead_ns,
        "sdk_call_removed_us": plain_us,
        "sdk_call_installed_us": wrapped_us,
    }
    return finish([("at most 2 us per SDK call outside a capture scope", overhead_ns <= 2000)], results, args)


if __name__ == "__main__":
    sys.exit(main())

"""Provider adapters benchmark: normalizing a typical response, beside the OpenReward SDK's serializers.

A typical response is reasoning + text + 2 tool calls, built by the real openai,
anthropic and google-genai clients from JSON served through ``httpx2.MockTransport``.
For each provider it times, as CPU time of the calling thread (so other load on the
machine does not count), the measurements taking turns:

- the OpenReward SDK (0.1.167) serializer on the object it accepts (Responses output
  items, the Anthropic ``Message``, the Gemini ``Content``, the chat message dict);
- our adapter on that same object (target: at most half the SDK's time);
- our adapter on the whole response object, and a whole ``rollout.log_*`` call with it
  (target: at most 30 us).

    python benchmarks/bench_providers.py            # full run
    python benchmarks/bench_providers.py --quick    # a short smoke run
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx2
from _workload import finish

import openreward_nb
from openreward_nb.providers import anthropic, gemini, openai_chat, openai_responses

THINKING = "The user wants the flag. I should list the directory first, then read the file that looks relevant. " * 3
TEXT = "Let me look at the files and then read the flag."
ARGS = [{"command": "ls -la /home/ctf", "timeout": 30}, {"path": "/home/ctf/flag.txt"}]
NAMES = ["bash", "read_file"]

RESPONSES = {
    "id": "resp_1",
    "object": "response",
    "created_at": 1761175240,
    "status": "completed",
    "model": "gpt-5",
    "output": [
        {
            "id": "rs_1",
            "type": "reasoning",
            "summary": [{"type": "summary_text", "text": THINKING}],
            "encrypted_content": "gAAAAB" + "x" * 400,
        },
        {
            "id": "msg_1",
            "type": "message",
            "status": "completed",
            "role": "assistant",
            "content": [{"type": "output_text", "text": TEXT, "annotations": []}],
        },
        *(
            {
                "id": f"fc_{i}",
                "type": "function_call",
                "status": "completed",
                "call_id": f"call_{i}",
                "name": NAMES[i],
                "arguments": json.dumps(ARGS[i]),
            }
            for i in range(2)
        ),
    ],
    "parallel_tool_calls": True,
    "tool_choice": "auto",
    "tools": [],
    "usage": {
        "input_tokens": 812,
        "input_tokens_details": {"cached_tokens": 512},
        "output_tokens": 240,
        "output_tokens_details": {"reasoning_tokens": 128},
        "total_tokens": 1052,
    },
}
CHAT = {
    "id": "gen-1",
    "object": "chat.completion",
    "created": 1,
    "model": "anthropic/claude-sonnet-4.5",
    "choices": [
        {
            "index": 0,
            "finish_reason": "tool_calls",
            "message": {
                "role": "assistant",
                "content": TEXT,
                "refusal": None,
                "reasoning": THINKING,
                "tool_calls": [
                    {
                        "id": f"call_{i}",
                        "type": "function",
                        "function": {"name": NAMES[i], "arguments": json.dumps(ARGS[i])},
                    }
                    for i in range(2)
                ],
            },
        }
    ],
    "usage": {
        "prompt_tokens": 812,
        "completion_tokens": 240,
        "total_tokens": 1052,
        "prompt_tokens_details": {"cached_tokens": 512},
        "completion_tokens_details": {"reasoning_tokens": 128},
    },
}
ANTHROPIC = {
    "id": "msg_1",
    "type": "message",
    "role": "assistant",
    "model": "claude-sonnet-4-5",
    "stop_reason": "tool_use",
    "stop_sequence": None,
    "content": [
        {"type": "thinking", "thinking": THINKING, "signature": "EqQB" + "s" * 400},
        {"type": "text", "text": TEXT},
        *({"type": "tool_use", "id": f"toolu_{i}", "name": NAMES[i], "input": ARGS[i]} for i in range(2)),
    ],
    "usage": {
        "input_tokens": 300,
        "output_tokens": 240,
        "cache_read_input_tokens": 512,
        "cache_creation_input_tokens": 0,
    },
}
GEMINI = {
    "candidates": [
        {
            "index": 0,
            "finishReason": "STOP",
            "content": {
                "role": "model",
                "parts": [
                    {"text": THINKING, "thought": True},
                    {"text": TEXT, "thoughtSignature": "Es8FCswF" + "A" * 400},
                    *({"functionCall": {"name": NAMES[i], "args": ARGS[i]}} for i in range(2)),
                ],
            },
        }
    ],
    "modelVersion": "gemini-2.5-pro",
    "responseId": "r1",
    "usageMetadata": {
        "promptTokenCount": 812,
        "candidatesTokenCount": 112,
        "thoughtsTokenCount": 128,
        "cachedContentTokenCount": 512,
        "totalTokenCount": 1052,
    },
}


def _transport(payload: dict) -> httpx2.MockTransport:
    body = json.dumps(payload).encode()
    return httpx2.MockTransport(
        lambda request: httpx2.Response(200, content=body, headers={"content-type": "application/json"})
    )


def sdk_objects() -> dict[str, Any]:
    """The typical responses as the provider SDKs return them (parsed by the real clients, offline)."""
    import anthropic as anthropic_sdk
    import openai
    from google import genai
    from google.genai import types

    def oai(payload: dict) -> openai.OpenAI:
        return openai.OpenAI(api_key="x", http_client=httpx2.Client(transport=_transport(payload)))

    ant = anthropic_sdk.Anthropic(api_key="x", http_client=httpx2.Client(transport=_transport(ANTHROPIC)))
    gem = genai.Client(
        api_key="x", http_options=types.HttpOptions(httpx_client=httpx2.Client(transport=_transport(GEMINI)))
    )
    hello = [{"role": "user", "content": "hi"}]
    return {
        "openai_responses": oai(RESPONSES).responses.create(model="gpt-5", input="hi"),
        "openai_chat": oai(CHAT).chat.completions.create(model="gpt-5", messages=hello),
        "anthropic": ant.messages.create(model="claude-sonnet-4-5", max_tokens=1024, messages=hello),
        "gemini": gem.models.generate_content(model="gemini-2.5-pro", contents="hi"),
    }


def cases(objects: dict[str, Any]) -> list[dict[str, Any]]:
    """Per provider: the SDK's call, ours on the same object, ours on the whole response, the log method."""
    from openreward.api.rollouts.serializers.ant import serialize_anthropic_message
    from openreward.api.rollouts.serializers.gdm import serialize_gdm_message
    from openreward.api.rollouts.serializers.oai_completions import openai_completions_to_normalized
    from openreward.api.rollouts.serializers.oai_responses import serialize_openai_response

    resp, chat, msg, gen = (objects[k] for k in ("openai_responses", "openai_chat", "anthropic", "gemini"))
    chat_dict = CHAT["choices"][0]["message"]
    content = gen.candidates[0].content
    return [
        {
            "provider": "openai_responses",
            "same": "Response (SDK: each output item)",
            "sdk": lambda: [serialize_openai_response(item) for item in resp.output],
            "ours": lambda: openai_responses.to_events(resp),
            "whole": resp,
            "log": "log_openai_response",
        },
        {
            "provider": "openai_chat",
            "same": "message dict",
            "sdk": lambda: openai_completions_to_normalized([chat_dict]),
            "ours": lambda: openai_chat.to_events(chat_dict),
            "whole": chat,
            "log": "log_openai_completions",
        },
        {
            "provider": "anthropic",
            "same": "Message",
            "sdk": lambda: serialize_anthropic_message(msg),
            "ours": lambda: anthropic.to_events(msg),
            "whole": msg,
            "log": "log_anthropic_message",
        },
        {
            "provider": "gemini",
            "same": "types.Content",
            "sdk": lambda: serialize_gdm_message(content),
            "ours": lambda: gemini.to_events(content),
            "whole": gen,
            "log": "log_gdm_message",
        },
    ]


def _timed(func: Callable[[], Any], number: int) -> float:
    """Calling-thread CPU microseconds per call of ``func`` over ``number`` calls."""
    return timeit.Timer(func, timer=time.thread_time).timeit(number) / number * 1e6


def best_of(funcs: dict[str, Callable[[], Any]], number: int, rounds: int) -> dict[str, float]:
    """Best per-call time of each function, the functions taking turns round by round."""
    for func in funcs.values():
        func()
    best = {name: float("inf") for name in funcs}
    for _ in range(rounds):
        for name, func in funcs.items():
            best[name] = min(best[name], _timed(func, number))
    return best


def log_call_us(method: str, whole: Any, number: int, rounds: int) -> float:
    """Best caller-thread cost of ``rollout.<method>(whole response)``, logging into a temporary store."""
    best = float("inf")
    with tempfile.TemporaryDirectory(prefix="orbnb-bench-providers-") as tmp:
        client = openreward_nb.OpenReward(store=Path(tmp) / "bench.sqlite")
        for attempt in range(rounds):
            log = getattr(client.rollout.create("bench-providers", rollout_name=f"{method}-{attempt}"), method)
            best = min(best, _timed(lambda log=log: log(whole), number))
            client.rollout.flush()
        client.rollout.close()
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer iterations (a smoke run)")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    number, rounds = (300, 3) if args.quick else (3000, 25)
    results = []
    for case in cases(sdk_objects()):
        whole = case["whole"]
        convert = openreward_nb.providers.get(case["provider"]).to_events
        best = best_of(
            {
                "sdk": case["sdk"],
                "ours": case["ours"],
                "whole": lambda convert=convert, whole=whole: convert(whole),
                "whole_no_raw": lambda convert=convert, whole=whole: convert(whole, False),
            },
            number,
            rounds,
        )
        results.append(
            {
                "provider": case["provider"],
                "same_object": case["same"],
                "sdk_us": best["sdk"],
                "ours_us": best["ours"],
                "ours_whole_us": best["whole"],
                "ours_whole_no_raw_us": best["whole_no_raw"],
                "log_call_us": log_call_us(case["log"], whole, number, rounds),
            }
        )
    return report(results, args)


def report(results: list[dict[str, Any]], args: argparse.Namespace) -> int:
    checks: list[tuple[str, bool]] = []
    print("\nprovider adapters: one typical response (reasoning + text + 2 tool calls)\n")
    print(
        f"  {'provider':<17} {'same object':<34} {'SDK us':>7} {'ours us':>8} {'ours/SDK':>9}"
        f" {'whole us':>9} {'no raw':>7} {'log_* us':>9}"
    )
    for r in results:
        ratio = r["ours_us"] / r["sdk_us"]
        print(
            f"  {r['provider']:<17} {r['same_object']:<34} {r['sdk_us']:7.2f} {r['ours_us']:8.2f} {ratio:9.2f}"
            f" {r['ours_whole_us']:9.2f} {r['ours_whole_no_raw_us']:7.2f} {r['log_call_us']:9.2f}"
        )
        checks.append((f"{r['provider']}: ours <= half the SDK's serializer", ratio <= 0.5))
        checks.append((f"{r['provider']}: log_* call with the whole response <= 30 us", r["log_call_us"] <= 30))
    print(
        "\n  times are CPU time of the calling thread per call (best round); 'whole': our adapter on the whole"
        "\n  response object, 'no raw': the same with keep_raw=False, 'log_*': rollout.log_*(whole response)\n"
    )
    return finish(checks, results, args)


if __name__ == "__main__":
    sys.exit(main())

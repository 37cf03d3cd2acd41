"""``openreward-nb demo``: record a short offline CTF-style episode into the store and say where to look."""

from __future__ import annotations

import argparse
import json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="record an offline demo episode into the store")
    p.add_argument("--run-name", default="demo", help="run name (default: demo)")
    p.set_defaults(handler=_run_demo)


def _run_demo(args: argparse.Namespace) -> int:
    from .. import AssistantMessage, OpenReward, ReasoningItem, SystemMessage, ToolCall, ToolResult, UserMessage

    client = OpenReward(store=args.store)
    with client.rollout.create(
        run_name=args.run_name,
        rollout_name="episode-0",
        environment="demo/CTF",
        split="train",
        metadata={"model": "scripted"},
    ) as rollout:
        rollout.log(SystemMessage("You are a security agent. Find the flag and submit it."))
        rollout.log(UserMessage("The flag is somewhere in /home/ctf."))
        rollout.log(ReasoningItem(summary="List the directory first."))
        rollout.log(ToolCall(name="bash", content=json.dumps({"command": "ls /home/ctf"}), call_id="call_1"))
        rollout.log(ToolResult(content=json.dumps({"result": "notes.txt flag.txt"}), call_id="call_1"), reward=0.0)
        rollout.log(ToolCall(name="bash", content=json.dumps({"command": "cat /home/ctf/flag.txt"}), call_id="call_2"))
        rollout.log(ToolResult(content=json.dumps({"result": "FLAG{offline-demo}"}), call_id="call_2"), reward=0.0)
        rollout.log(ToolCall(name="submit", content=json.dumps({"flag": "FLAG{offline-demo}"}), call_id="call_3"))
        rollout.log(ToolResult(content=json.dumps({"result": "correct"}), call_id="call_3"), reward=1.0, is_finished=True)
        rollout.log(AssistantMessage("Submitted FLAG{offline-demo}."))
    client.close()
    record = client.rollouts.get(rollout.id)
    print(f"recorded rollout {record.id} in run {record.run_name!r}: {record.n_events} events, reward {record.total_reward}")
    print(f"store: {client.store.url}")
    return 0

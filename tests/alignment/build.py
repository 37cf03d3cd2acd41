"""Rollouts for the step-diff tests, recorded through the public API from short specs.

A spec is a list of steps: ``("user", text)``, ``("assistant", text)``, ``("reasoning", text)``,
``("call", tool, args)`` (args a dict, sent as JSON, or a string sent as it is), ``("result", text)``;
a trailing :class:`Reward` sets the step's reward and end flag.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from openreward_nb import AssistantMessage, ReasoningItem, ToolCall, ToolResult, UserMessage

Step = tuple[Any, ...]


@dataclass(frozen=True)
class Reward:
    """A step's reward (and whether it ends the rollout)."""

    value: float
    finished: bool = False


def message(step: Step, k: int) -> Any:
    kind, *rest = step
    if kind == "user":
        return UserMessage(rest[0])
    if kind == "assistant":
        return AssistantMessage(rest[0])
    if kind == "reasoning":
        return ReasoningItem(summary=rest[0], content=rest[0])
    if kind == "call":
        args = rest[1] if isinstance(rest[1], str) else json.dumps(rest[1])
        return ToolCall(name=rest[0], content=args, call_id=f"call-{k}")
    if kind == "result":
        return ToolResult(content=rest[0], call_id=f"call-{k}")
    raise ValueError(kind)


def record(client, name: str, steps: list[Step], run: str = "diff"):
    """Record ``steps`` as rollout ``run/name``; its stored record."""
    rollout = client.rollout.create(run_name=run, rollout_name=name)
    for k, step in enumerate(steps):
        reward = step[-1] if isinstance(step[-1], Reward) else None
        body = step[:-1] if reward is not None else step
        rollout.log(
            message(body, k),
            reward=None if reward is None else reward.value,
            is_finished=reward is not None and reward.finished,
        )
    rollout.finish()
    return rollout.record()


def agent(n_turns: int, tag: str = "", start: int = 0) -> list[Step]:
    """An agent's rollout: a task, then ``n_turns`` of reasoning, a bash call and its output."""
    steps: list[Step] = [("user", "Find the flag in /home/ctf.")]
    for k in range(start, start + n_turns):
        steps += [
            ("reasoning", f"step {k}: look at file {k}{tag}"),
            ("call", "bash", {"command": f"cat /home/ctf/f{k}{tag}", "timeout": 30}),
            ("result", f"contents of file {k}{tag}\n" + "line\n" * 3),
        ]
    return steps
